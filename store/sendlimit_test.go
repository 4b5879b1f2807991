package store_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"loanbot/store"
	"loanbot/store/storetest"
)

// Three replicas on one Redis reserve 120 sends at 30 a second, to 40 chats:
// no second of the schedule holds more than 30, no chat more than its burst
// of 3 and then one a second, and every send has a slot.
func TestSharedSendLimitHoldsAcrossReplicas(t *testing.T) {
	st := storetest.Store(t)
	bot := fmt.Sprintf("bot%d", time.Now().UnixNano())
	all, one := store.SendLimit{Every: time.Second / 30, Burst: 1}, store.SendLimit{Every: time.Second, Burst: 3}
	var mu sync.Mutex
	byChat := map[string][]time.Time{}
	var every []time.Time
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				chat := fmt.Sprint((i*3 + r) % 40)
				s, err := st.ReserveSend(context.Background(), "tg", bot, chat, all, one, false)
				if err != nil || !s.Reserved {
					t.Errorf("reserve: %v %+v", err, s)
					return
				}
				mu.Lock()
				byChat[chat] = append(byChat[chat], s.At)
				every = append(every, s.At)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(every, func(i, j int) bool { return every[i].Before(every[j]) })
	if len(every) != 120 {
		t.Fatalf("%d slots", len(every))
	}
	for i := range every {
		j := i
		for j < len(every) && every[j].Sub(every[i]) < time.Second {
			j++
		}
		if j-i > 30 {
			t.Fatalf("%d sends in the second from slot %d", j-i, i)
		}
	}
	if span := every[len(every)-1].Sub(every[0]); span < 3900*time.Millisecond {
		t.Errorf("120 sends at 30 a second span %v, want about 4 s", span)
	}
	for chat, ts := range byChat {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := 3; i < len(ts); i++ {
			if ts[i].Sub(ts[i-3]) < 2*time.Second {
				t.Errorf("chat %s: 4 sends within %v", chat, ts[i].Sub(ts[i-3]))
			}
		}
	}
}

// A reminder does not queue far ahead of replies: while the bot's schedule
// is full it gets no slot and is told when to ask again; a pause holds a
// chat on every replica.
func TestBackgroundSendsYieldAndPausesHold(t *testing.T) {
	st := storetest.Store(t)
	bot := fmt.Sprintf("bot%d", time.Now().UnixNano())
	all, one := store.SendLimit{Every: 100 * time.Millisecond, Burst: 1}, store.SendLimit{}
	ctx := context.Background()
	for i := 0; i < 10; i++ { // a second of replies
		if _, err := st.ReserveSend(ctx, "tg", bot, fmt.Sprint(i), all, one, false); err != nil {
			t.Fatal(err)
		}
	}
	s, err := st.ReserveSend(ctx, "tg", bot, "r", all, one, true)
	if err != nil || s.Reserved || s.Wait < 500*time.Millisecond {
		t.Errorf("a reminder behind a second of replies: %+v %v", s, err)
	}
	r, _ := st.ReserveSend(ctx, "tg", bot, "x", all, one, false)
	if !r.Reserved || r.Wait > 1100*time.Millisecond {
		t.Errorf("the next reply: %+v", r)
	}
	if err := st.PauseSend(ctx, "tg", bot, "p", store.SendLimit{Every: time.Second, Burst: 3}, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p, _ := st.ReserveSend(ctx, "tg", bot, "p", store.SendLimit{}, store.SendLimit{Every: time.Second, Burst: 3}, false)
	if p.Wait < 4*time.Second {
		t.Errorf("a paused chat sends after %v", p.Wait)
	}
}
