package remind

import (
	"context"
	"sync"
	"time"

	"loanbot/msg"
)

// Paced wraps a Sender so that no more than perSecond sends start in any
// one-second window, the way Telegram counts a bot's 30 messages a second.
// It remembers when the last perSecond sends started and holds the next one
// until the oldest of them is a second (plus a little slack) old: spacing
// sends evenly is not enough, since one late send and an on-time one after
// it fall closer together than the spacing.
func Paced(s Sender, perSecond int) Sender {
	return &paced{s: s, ring: make([]time.Time, perSecond)}
}

// paceSlack absorbs the difference between our clock reading and the
// receiver's.
const paceSlack = 5 * time.Millisecond

type paced struct {
	s    Sender
	mu   sync.Mutex
	ring []time.Time // start times of the last len(ring) sends, oldest at pos
	pos  int
}

func (p *paced) Send(ctx context.Context, user string, reps []msg.Reply) error {
	p.mu.Lock()
	oldest := p.ring[p.pos]
	start := time.Now()
	if free := oldest.Add(time.Second + paceSlack); free.After(start) {
		start = free
	}
	p.ring[p.pos] = start
	p.pos = (p.pos + 1) % len(p.ring)
	p.mu.Unlock()
	if wait := time.Until(start); wait > 0 {
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
