//go:build unix

package main

import (
	"syscall"
	"testing"
)

func TestFileLimitIsRaisedToTheHardLimit(t *testing.T) {
	got := raiseFileLimit()
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	if got != l.Cur || l.Cur != l.Max {
		t.Errorf("limit %d, soft %d, hard %d: want the soft limit at the hard one", got, l.Cur, l.Max)
	}
}
