package telegram

import (
	"context"
	"strconv"
	"sync"
	"time"

	"loanbot/store"
)

// limiter keeps Telegram's outbound limits for the whole bot: 30 messages
// a second in all, one a second in a chat (with a burst of 3, which
// Telegram tolerates, so a plan sent as text, chart and document is not
// spread over three seconds), 20 a minute in a group. Each limit is a
// virtual schedule (GCRA): a message reserves the earliest time every limit
// that applies allows, and waits for it.
//
// With a shared schedule (WithSharedLimits: Redis), every replica of the
// bot reserves its slots there, so three replicas send no more than one:
// one round trip a message. A reminder (background) takes a slot only
// when one is free within a moment, so replies go first. While Redis does
// not answer, each replica keeps to a third of the budget by itself: three
// replicas stay within Telegram's limit, and messages wait, none is lost.
type limiter struct {
	global, chat, group rate

	shared   SharedLimits
	bot      string // the bot's id, naming its schedule
	observer Observer

	// now and sleep are the clock: time.Now and sleep, or a test's fake
	// one, so that the schedule is tested without waiting on real time.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration)

	mu     sync.Mutex
	next   time.Time           // the bot's next free slot
	chats  map[int64]time.Time // each chat's next free slot (groups too)
	pruned time.Time
}

// rate is one message every `every`, bursts of up to `burst`.
type rate struct {
	every time.Duration
	burst int
}

func newLimiter() *limiter {
	return &limiter{
		global: rate{time.Second / 30, 1},
		chat:   rate{time.Second, 3},
		group:  rate{3 * time.Second, 1}, // 20 a minute
		chats:  map[int64]time.Time{},
		now:    time.Now,
		sleep:  sleep,
	}
}

// SharedLimits is the schedule every replica shares (*store.Store).
type SharedLimits interface {
	ReserveSend(ctx context.Context, channel, bot, chat string, all, one store.SendLimit, background bool) (store.Slot, error)
	PauseSend(ctx context.Context, channel, bot, chat string, one store.SendLimit, d time.Duration) error
}

// fallbackShare is the part of the budget a replica keeps to while the
// shared schedule is out of reach.
const fallbackShare = 3

// limit is the rate as the shared schedule keeps it, 3 % slower: replicas
// send from several processes, and a few milliseconds' difference in how
// long two messages take to reach Telegram must not put the 31st of a
// second inside it.
func (r rate) limit() store.SendLimit {
	return store.SendLimit{Every: r.every + r.every*3/100, Burst: r.burst}
}

// wait blocks until a message to chat may go (or ctx ends); background is
// a reminder, which lets replies go first.
func (l *limiter) wait(ctx context.Context, chat int64, background bool) {
	if l.global.every == 0 && l.chat.every == 0 && l.group.every == 0 {
		return
	}
	cr := l.chat
	if chat < 0 { // groups and channels have negative ids
		cr = l.group
	}
	start := l.now()
	defer func() {
		if l.observer != nil {
			l.observer.LimitWait(l.now().Sub(start))
		}
	}()
	if l.shared != nil {
		for ctx.Err() == nil {
			s, err := l.shared.ReserveSend(ctx, Channel, l.bot, strconv.FormatInt(chat, 10), l.global.limit(), cr.limit(), background)
			if err != nil {
				break // Redis is out of reach: the local schedule, at a share of the budget
			}
			if s.Reserved {
				l.sleep(ctx, s.Wait)
				return
			}
			l.sleep(ctx, min(s.Wait, time.Second))
		}
		if ctx.Err() != nil {
			return
		}
	}
	global := l.global
	if l.shared != nil {
		global.every *= fallbackShare
	}
	l.mu.Lock()
	now := l.now()
	// The earliest time both schedules allow: a schedule that is ahead by
	// less than its burst allowance does not hold a message back.
	at := now
	if t := l.next.Add(-global.allowance()); t.After(at) {
		at = t
	}
	if t := l.chats[chat].Add(-cr.allowance()); t.After(at) {
		at = t
	}
	l.next = later(l.next, at).Add(global.every)
	l.chats[chat] = later(l.chats[chat], at).Add(cr.every)
	if len(l.chats) > 10_000 && now.Sub(l.pruned) > time.Second {
		for id, t := range l.chats {
			if t.Before(now) { // idle: a missing entry means the same
				delete(l.chats, id)
			}
		}
		l.pruned = now
	}
	l.mu.Unlock()
	l.sleep(ctx, at.Sub(now))
}

// pause holds the chat's other messages for d (Telegram answered 429 with
// retry_after d).
func (l *limiter) pause(chat int64, d time.Duration) {
	cr := l.chat
	if chat < 0 {
		cr = l.group
	}
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		l.shared.PauseSend(ctx, Channel, l.bot, strconv.FormatInt(chat, 10), cr.limit(), d)
	}
	l.mu.Lock()
	if t := l.now().Add(d + cr.allowance()); t.After(l.chats[chat]) {
		l.chats[chat] = t
	}
	l.mu.Unlock()
}

// allowance is how far ahead a schedule may run and still let a message go.
func (r rate) allowance() time.Duration {
	return time.Duration(max(r.burst-1, 0)) * r.every
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
