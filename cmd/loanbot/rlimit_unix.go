//go:build unix

package main

import "syscall"

// raiseFileLimit lifts the soft limit on open files to the hard one: every
// web-chat event stream holds a socket, and the caps (per address, per
// process) should be what stops them, not the default soft limit of 1,024.
// It returns the limit in force.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
