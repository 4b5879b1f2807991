package main

import (
	"io"
	"log/slog"
)

// quietLogger logs warnings and errors only, as JSON, to w.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// jsonLogger logs info and above as JSON to w (the server's log).
func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
