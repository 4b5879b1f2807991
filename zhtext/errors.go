package zhtext

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// The kinds of parse failure. Parse functions return them wrapped in a
// *ParseError; test them with errors.Is.
var (
	ErrEmpty       = errors.New("empty input")
	ErrNotNumber   = errors.New("not an amount")
	ErrNegative    = errors.New("negative number")
	ErrTooLarge    = errors.New("value too large")
	ErrNotDuration = errors.New("not a duration")
	ErrNotDate     = errors.New("not a date")
	ErrNotClock    = errors.New("not a time of day")
)

// ParseError is the error the Parse functions return: what kind of failure,
// and the input that caused it.
type ParseError struct {
	Kind  error  // one of the Err… variables
	Input string // the text as given
}

// maxQuoted bounds how much of the input Error quotes, so a pasted essay
// does not flood a log line.
const maxQuoted = 64

func (e *ParseError) Error() string {
	in := e.Input
	if utf8.RuneCountInString(in) > maxQuoted {
		in = string([]rune(in)[:maxQuoted]) + "…"
	}
	return fmt.Sprintf("zhtext: %v: %q", e.Kind, in)
}

// Unwrap returns the kind, so errors.Is(err, ErrNotNumber) works.
func (e *ParseError) Unwrap() error { return e.Kind }

func parseErr(kind error, input string) error {
	return &ParseError{Kind: kind, Input: input}
}
