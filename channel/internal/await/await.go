// Package await hands an answer from the goroutine that makes it to the
// request that waits for it, for a limited time. The web chat and WeChat
// both answer a message in its own HTTP request when the engine is quick
// enough, and otherwise deliver the answer later by another way (the event
// stream; the customer-service API). The answer must then go exactly one
// of the two ways: shown twice confuses a person in debt as much as never
// shown, and the moment the engine finishes as the request gives up is the
// case that decides it.
package await

import (
	"context"
	"sync"
	"time"
)

// Outcome is how waiting for a result ended.
type Outcome int

const (
	// InTime: the result came before the timeout; the waiter has it.
	InTime Outcome = iota
	// TimedOut: the timeout passed first; the result goes to be delivered
	// late.
	TimedOut
	// Gone: the waiter's context ended first (the client went away).
	Gone
)

func (o Outcome) String() string {
	switch o {
	case InTime:
		return "in time"
	case TimedOut:
		return "timed out"
	case Gone:
		return "gone"
	}
	return "unknown"
}

// Result is one result on its way from its producer to its waiters. The
// first of two events decides where it goes: Put (the waiters get it, even
// those that come later, such as a client's retry) or a waiter giving up
// (the producer keeps it to deliver late, and later waiters get nothing).
// The zero Result is ready to use; it must not be copied after first use.
type Result[T any] struct {
	mu     sync.Mutex
	ready  chan struct{} // closed by Put when the waiters get the value
	v      T
	put    bool
	missed Outcome // why a waiter gave up; InTime while none has
}

func (r *Result[T]) readyCh() chan struct{} {
	if r.ready == nil {
		r.ready = make(chan struct{})
	}
	return r.ready
}

// Put hands v to the waiters. It reports false, and why, when a waiter
// gave up before: v is then the producer's to deliver late. Put is called
// once.
func (r *Result[T]) Put(v T) (taken bool, why Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.missed != InTime {
		return false, r.missed
	}
	r.v, r.put = v, true
	close(r.readyCh())
	return true, InTime
}

// Wait waits up to timeout for the value, and no longer than ctx lasts. It
// returns the value and InTime when it came in time, or when it came
// just as the wait ended (the value is checked once more under the lock,
// so a value put at the timeout is never lost nor delivered twice).
// Otherwise it gives the value up to the producer and says why. A Result
// given up stays given up: a later Wait returns at once.
func (r *Result[T]) Wait(ctx context.Context, timeout time.Duration) (T, Outcome) {
	r.mu.Lock()
	ready, missed := r.readyCh(), r.missed
	r.mu.Unlock()
	if missed != InTime {
		var zero T
		return zero, missed
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	why := InTime
	select {
	case <-ready:
	case <-t.C:
		why = TimedOut
	case <-ctx.Done():
		why = Gone
	}
	return r.settle(why)
}

// settle ends a wait that stopped for why: the value if it was put
// meanwhile, else the Result is given up.
func (r *Result[T]) settle(why Outcome) (T, Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.put {
		return r.v, InTime
	}
	if r.missed == InTime {
		r.missed = why
	}
	var zero T
	return zero, r.missed
}

// Do runs produce in a goroutine of its own and waits up to timeout, and
// no longer than ctx lasts, for its result. In time, Do returns the result
// and InTime. Otherwise it returns at once with TimedOut or Gone, and late
// is called with the result and that outcome, in produce's goroutine, when
// the result is ready: a caller that cares only for the timeout ignores
// Gone. Either way produce runs to its end: a client that goes away does
// not cut the work in half.
func Do[T any](ctx context.Context, timeout time.Duration, produce func() T, late func(T, Outcome)) (T, Outcome) {
	r := new(Result[T])
	r.readyCh()
	go func() {
		v := produce()
		if taken, why := r.Put(v); !taken {
			late(v, why)
		}
	}()
	return r.Wait(ctx, timeout)
}
