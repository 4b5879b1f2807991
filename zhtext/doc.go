// Package zhtext is loanbot's Chinese-text toolkit. It owns:
//
//   - script conversion, Traditional ↔ Simplified (ToSimplified,
//     ToTraditional, IsTraditional), phrase-aware, from OpenCC's
//     dictionaries compiled into tables_gen.go;
//   - folding for matching: Width (full-width → half-width) and Normalize;
//   - reading what users type into the dialogs: amounts of money in fen
//     (ParseAmount), durations in days (ParseDuration), due dates
//     (ParseDate) and times of day (ParseClock), in Chinese numerals, Arabic
//     digits, both mixed, full-width or Traditional, and simple English.
//
// The Parse functions return a *ParseError wrapping one of the Err…
// variables; test it with errors.Is. The conversions run on every message,
// so they return text that needs no change as is, without allocating.
//
// The tables are generated; see internal/gen. To regenerate them:
//
//	apt-get install opencc libopencc-data
//	go generate ./zhtext/
package zhtext

//go:generate go run ./internal/gen -o tables_gen.go
