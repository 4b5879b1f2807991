package remind

import (
	"context"
	"sync"
	"time"

	"loanbot/msg"
)

// Paced wraps a Sender so that at most perSecond sends start in any second
// (a token bucket with a burst of one second's worth): for channels whose
// API refuses bursts (Telegram: 30 messages a second for a bot).
func Paced(s Sender, perSecond int) Sender {
	return &paced{s: s, every: time.Second / time.Duration(perSecond)}
}

type paced struct {
	s     Sender
	every time.Duration
	mu    sync.Mutex
	next  time.Time // when the next send may start
}

func (p *paced) Send(ctx context.Context, user string, reps []msg.Reply) error {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	wait := p.next.Sub(now)
	p.next = p.next.Add(p.every)
	p.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return p.s.Send(ctx, user, reps)
}
