package remind

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"loanbot/msg"
)

type stamps struct {
	mu sync.Mutex
	t  []time.Time
}

func (s *stamps) Send(context.Context, string, []msg.Reply) error {
	s.mu.Lock()
	s.t = append(s.t, time.Now())
	s.mu.Unlock()
	return nil
}

func TestPacedNeverExceedsTheRateInAnySecond(t *testing.T) {
	rec := &stamps{}
	p := Paced(rec, 20)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ { // a burst from several goroutines
		wg.Add(1)
		go func() { defer wg.Done(); p.Send(context.Background(), "u", nil) }()
	}
	wg.Wait()
	sort.Slice(rec.t, func(i, j int) bool { return rec.t[i].Before(rec.t[j]) })
	for i := 20; i < len(rec.t); i++ {
		if d := rec.t[i].Sub(rec.t[i-20]); d < time.Second {
			t.Fatalf("sends %d and %d are %v apart: 21 sends within a second", i-20, i, d)
		}
	}
}
