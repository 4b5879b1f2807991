package zhtext

import (
	"errors"
	"testing"
)

// reject is an input a parser must refuse, and the error it must say.
type reject struct {
	in   string
	want error
}

// rejects checks that parse (named name in failures) refuses each input
// with its error.
func rejects(t *testing.T, name string, parse func(string) (any, error), cases []reject) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s(%q) = %v, %v; want %v", name, tt.in, got, err, tt.want)
		}
	}
}
