// Command loadremind measures the reminder store and dispatcher on a real
// Redis: it schedules a million reminders, reports Redis memory per reminder
// and the time it took, then makes a burst of notices fall due in the same
// minute and sends them through a fake channel that refuses more than -rate
// messages a second (answering like Telegram's 429). It reports the claim
// lag, the achieved send rate and the refusals, then deletes what it wrote.
//
//	go run ./cmd/loadremind -redis redis://127.0.0.1:6379/0
//
// Target 127.0.0.1 only: it writes about a million keys.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"loanbot/msg"
	"loanbot/remind"
	"loanbot/store"
)

func main() {
	url := flag.String("redis", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis to load (loopback only)")
	n := flag.Int("n", 1_000_000, "reminders to schedule")
	perUser := flag.Int("per-user", 2, "reminders per user")
	burst := flag.Int("burst", 10_000, "reminders falling due in the same minute")
	rate := flag.Int("rate", 30, "messages a second the fake channel accepts")
	workers := flag.Int("workers", 64, "concurrent writers")
	flag.Parse()
	if !strings.Contains(*url, "127.0.0.1") && !strings.Contains(*url, "localhost") {
		log.Fatal("loadremind: -redis must be on 127.0.0.1")
	}
	rdb, err := store.Open(*url)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	run := fmt.Sprintf("load%d", time.Now().Unix())
	// Users look like Telegram's (tg:<10 digits>): key and member lengths, and
	// so memory, are those of production. The prefix digits are this run's.
	idBase := 9_000_000_000 + (time.Now().Unix()%900)*1_000_000
	lv, _ := rdb.ConfigGet(ctx, "hash-max-listpack-value").Result()
	fmt.Printf("redis hash-max-listpack-value=%s (docker-compose.yml sets 512; Redis' default 64 stores a user's reminders as a hash table)\n", lv["hash-max-listpack-value"])
	st := store.New(rdb).WithNamespace(run)
	svc := remind.NewService(st, "Asia/Shanghai")
	defer cleanup(ctx, st, run, idBase)

	// 1. A million reminders, due in the future (-n 0: burst only).
	if *n > 0 {
		schedule(ctx, rdb, svc, idBase, *n, *perUser, *workers)
	}
	if *burst > 0 {
		burstRun(ctx, svc, run, *burst, *rate, *workers)
	}
}

func schedule(ctx context.Context, rdb redis.UniversalClient, svc *remind.Service, idBase int64, n, perUser, workers int) {
	before := usedMemory(ctx, rdb)
	start := time.Now()
	now := time.Now()
	parallel(n/perUser, workers, func(u int) {
		user := fmt.Sprintf("tg:%d", idBase+int64(u))
		for k := 0; k < perUser; k++ {
			r := &remind.Reminder{Lender: "weilidai", AmountFen: int64(100000 + u%5000*100),
				Schedule: remind.Schedule{Monthly: true, Day: 1 + (u+k)%28, Offsets: []int{0, 1}, Hour: 9, TZ: "Asia/Shanghai"}}
			if err := svc.Save(ctx, user, r, now); err != nil {
				log.Fatal(err)
			}
		}
	})
	took := time.Since(start)
	after := usedMemory(ctx, rdb)
	total := n / perUser * perUser
	fmt.Printf("scheduled %d reminders (%d users × %d) in %s (%.0f/s); Redis memory +%.1f MB = %.0f bytes a reminder\n",
		total, n/perUser, perUser, took.Round(time.Millisecond), float64(total)/took.Seconds(),
		float64(after-before)/(1<<20), float64(after-before)/float64(total))
}

// burstRun makes burst notices fall due in the same minute, in a zone where
// that minute is daytime, and sends them through a channel limited to rate.
func burstRun(ctx context.Context, svc *remind.Service, run string, burst, rate, workers int) {
	zone, due := daytimeMinute()
	parallel(burst, workers, func(u int) {
		user := fmt.Sprintf("cli:%s-b%d", run, u)
		r := &remind.Reminder{Lender: "jiebei", AmountFen: 50000,
			Schedule: remind.Schedule{Date: due.Format(time.DateOnly), Offsets: []int{0}, Hour: due.Hour(), Minute: due.Minute(), TZ: zone}}
		if err := svc.Save(ctx, user, r, time.Now()); err != nil {
			log.Fatal(err)
		}
	})
	fmt.Printf("burst: %d notices due at %s (%s); waiting %s\n", burst, due.Format("15:04"), zone, time.Until(due).Round(time.Second))
	time.Sleep(time.Until(due))

	ch := &limited{rate: rate}
	obs := &lags{}
	d := remind.NewDispatcher(svc, map[string]remind.Sender{"cli": ch}, remind.WithSendRate(rate), remind.WithObserver(obs))
	start := time.Now()
	sent := 0
	for sent < burst && time.Since(start) < time.Duration(burst/rate*3+60)*time.Second {
		k, err := d.Tick(ctx)
		if err != nil {
			log.Printf("tick: %v", err)
		}
		sent += k
	}
	el := time.Since(start)
	fmt.Printf("burst: sent %d in %s = %.2f/s (limit %d/s, %.1f%% of it); refused (429) %d; claim lag p50 %s p99 %s max %s\n",
		sent, el.Round(time.Millisecond), float64(sent)/el.Seconds(), rate, 100*float64(sent)/el.Seconds()/float64(rate),
		ch.refused.Load(), obs.pct(50), obs.pct(99), obs.pct(100))
}

// limited is a fake channel that accepts rate messages in any second and
// refuses the rest, as Telegram does with 429.
type limited struct {
	rate    int
	mu      sync.Mutex
	times   []time.Time
	refused atomic.Int64
}

var errTooMany = errors.New("429 Too Many Requests")

func (l *limited) Send(ctx context.Context, user string, reps []msg.Reply) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for len(l.times) > 0 && now.Sub(l.times[0]) >= time.Second {
		l.times = l.times[1:]
	}
	if len(l.times) >= l.rate {
		l.refused.Add(1)
		return errTooMany
	}
	l.times = append(l.times, now)
	return nil
}

// lags records claim lags.
type lags struct {
	mu sync.Mutex
	v  []time.Duration
}

func (l *lags) Due(int)                   {}
func (l *lags) Sent(bool)                 {}
func (l *lags) Failed()                   {}
func (l *lags) Claimed(lag time.Duration) { l.mu.Lock(); l.v = append(l.v, lag); l.mu.Unlock() }
func (l *lags) pct(p int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.v) == 0 {
		return 0
	}
	sort.Slice(l.v, func(i, j int) bool { return l.v[i] < l.v[j] })
	i := len(l.v) * p / 100
	if i >= len(l.v) {
		i = len(l.v) - 1
	}
	return l.v[i].Round(time.Millisecond)
}

// daytimeMinute picks a zone where the next minute but one is between 09:00
// and 20:00, out of quiet hours, and returns that minute in it.
func daytimeMinute() (string, time.Time) {
	t := time.Now().Add(2 * time.Minute).Truncate(time.Minute)
	for off := -12; off <= 14; off++ {
		name := "Etc/GMT" + strconv.Itoa(-off) // Etc/GMT-8 is UTC+8
		if off <= 0 {
			name = "Etc/GMT+" + strconv.Itoa(-off)
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			continue
		}
		if h := t.In(loc).Hour(); h >= 9 && h < 20 {
			return name, t.In(loc)
		}
	}
	return "UTC", t
}

func parallel(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func usedMemory(ctx context.Context, rdb redis.UniversalClient) int64 {
	info, _ := rdb.Info(ctx, "memory").Result()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// cleanup deletes every key the run wrote: its users' (cli:<run>-…, and
// tg:… with this run's leading digits) and its namespace's due sets.
func cleanup(ctx context.Context, st *store.Store, run string, idBase int64) {
	for _, prefix := range []string{"cli:" + run + "-", fmt.Sprintf("tg:%d", idBase/1_000_000)} {
		if _, err := st.DeleteUsersWithPrefix(ctx, prefix); err != nil {
			log.Printf("loadremind: cleanup: %v", err)
		}
	}
	if err := st.DeleteNamespace(ctx); err != nil {
		log.Printf("loadremind: cleanup: %v", err)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
