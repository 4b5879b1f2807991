package await

import (
	"context"
	"sync"
	"testing"
	"time"
)

// long is a timeout no test reaches when it works: a wait that should end
// for another reason and does not fails the test run instead of passing.
const long = time.Minute

func TestDoReturnsAResultReadyInTimeAndNeverCallsLate(t *testing.T) {
	late := make(chan string, 1)
	v, o := Do(context.Background(), long, func() string { return "答" }, func(v string, _ Outcome) { late <- v })
	if v != "答" || o != InTime {
		t.Fatalf("Do = %q, %v; want 答, in time", v, o)
	}
	select {
	case v := <-late:
		t.Fatalf("late got %q too", v)
	default:
	}
}

// The result comes only after the wait ended: the waiter gets nothing and
// late gets the result once, told why the waiter stopped.
func TestDoGivesALateResultToLateWithTheReason(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  bool
		want    Outcome
	}{
		{"timeout", time.Nanosecond, false, TimedOut},
		{"client gone", long, true, Gone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			release := make(chan struct{})
			type got struct {
				v string
				o Outcome
			}
			late := make(chan got, 2)
			v, o := Do(ctx, tc.timeout, func() string { <-release; return "答" },
				func(v string, o Outcome) { late <- got{v, o} })
			if v != "" || o != tc.want {
				t.Fatalf("Do = %q, %v; want \"\", %v", v, o, tc.want)
			}
			close(release)
			if g := <-late; g.v != "答" || g.o != tc.want {
				t.Fatalf("late got %q, %v; want 答, %v", g.v, g.o, tc.want)
			}
			// Put has returned (late was called after it): nothing more comes.
			select {
			case g := <-late:
				t.Fatalf("late called twice, again with %q", g.v)
			default:
			}
		})
	}
}

// The two orders of a result put exactly as the wait's timer fires, made
// deterministic: settle is what Wait does once its timer has fired.
func TestResultPutAtTheTimeoutGoesOneWayOnly(t *testing.T) {
	t.Run("put before the waiter settles: in time", func(t *testing.T) {
		var r Result[string]
		if taken, _ := r.Put("答"); !taken {
			t.Fatal("Put before any waiter gave up was not taken")
		}
		if v, o := r.settle(TimedOut); v != "答" || o != InTime {
			t.Fatalf("settle = %q, %v; want 答, in time", v, o)
		}
	})
	t.Run("waiter settles before the put: late", func(t *testing.T) {
		var r Result[string]
		if v, o := r.settle(TimedOut); v != "" || o != TimedOut {
			t.Fatalf("settle = %q, %v; want \"\", timed out", v, o)
		}
		if taken, why := r.Put("答"); taken || why != TimedOut {
			t.Fatalf("Put after the waiter gave up = %v, %v; want false, timed out", taken, why)
		}
	})
}

// The same race with real timers, many times over (run with -race): the
// result is put by a timer of the wait's own length, so either may come
// first; each time it is delivered exactly once.
func TestResultPutAsTheWaitTimesOutIsDeliveredExactlyOnce(t *testing.T) {
	inTime, late := 0, 0
	for i := range 2000 {
		d := time.Duration(i%50) * time.Microsecond
		var r Result[int]
		taken := make(chan bool, 1)
		time.AfterFunc(d, func() {
			ok, _ := r.Put(i)
			taken <- ok
		})
		v, o := r.Wait(context.Background(), d)
		put := <-taken
		switch {
		case o == InTime && put && v == i:
			inTime++
		case o == TimedOut && !put && v == 0:
			late++
		default:
			t.Fatalf("round %d: Wait = %d, %v; Put taken = %v: delivered %s", i, v, o, put,
				map[bool]string{true: "twice", false: "never"}[o == InTime])
		}
	}
	t.Logf("%d in time, %d late", inTime, late)
}

// A client's retry waits on the same Result: it gets the value that came
// in time, and returns at once, empty, once the value went to be delivered
// late, so it is not delivered a second time.
func TestResultLaterWaitersFollowTheFirstDecision(t *testing.T) {
	var taken Result[string]
	taken.Put("答")
	for range 2 {
		if v, o := taken.Wait(context.Background(), long); v != "答" || o != InTime {
			t.Fatalf("Wait after Put = %q, %v; want 答, in time", v, o)
		}
	}

	var missed Result[string]
	if _, o := missed.Wait(context.Background(), time.Nanosecond); o != TimedOut {
		t.Fatalf("first Wait = %v; want timed out", o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, o := missed.Wait(ctx, long); v != "" || o != TimedOut {
		t.Fatalf("retry Wait = %q, %v; want \"\", timed out (the first reason)", v, o)
	}
	if taken, _ := missed.Put("答"); taken {
		t.Fatal("Put after the waiters gave up was taken")
	}
}

// Several waiters at once (a request and its retry): the value put reaches
// all of them, and Put reports it taken.
func TestResultReachesEveryWaiter(t *testing.T) {
	var r Result[string]
	var wg sync.WaitGroup
	got := make(chan string, 3)
	for range 3 {
		wg.Go(func() {
			v, _ := r.Wait(context.Background(), long)
			got <- v
		})
	}
	if taken, _ := r.Put("答"); !taken {
		t.Fatal("Put with waiters was not taken")
	}
	wg.Wait()
	close(got)
	for v := range got {
		if v != "答" {
			t.Fatalf("a waiter got %q", v)
		}
	}
}
