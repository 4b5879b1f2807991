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
// it fall closer together than the spacing. Sends through one Paced start
// one at a time.
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
	// The wait happens under the lock and the slot records when the send
	// really starts, so a late wake-up cannot squeeze the next send closer.
	p.mu.Lock()
	if free := p.ring[p.pos].Add(time.Second + paceSlack); time.Now().Before(free) {
		t := time.NewTimer(time.Until(free))
		select {
		case <-ctx.Done():
			t.Stop()
			p.mu.Unlock()
			return ctx.Err()
		case <-t.C:
		}
	}
	p.ring[p.pos] = time.Now()
	p.pos = (p.pos + 1) % len(p.ring)
	p.mu.Unlock()
	return p.s.Send(ctx, user, reps)
}
