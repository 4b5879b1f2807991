// Command loadtg measures the Telegram adapter through its webhook: a fake
// Bot API server and a webhook sender on 127.0.0.1, N users each running the
// first steps of /prep (/prep, 微粒贷, 35000, 60, 8000) in a closed loop
// against the real engine and Redis. It reports updates/s, the latency from
// POST to the reply reaching the fake API, replies lost and replies out of
// order, and the process's peak RSS and CPU (the process holds the bot, the
// fake API and the sender alike: the figures are an upper bound for the bot).
//
//	go run ./cmd/loadtg -users 1000 -conns 100 -mode answer   -duration 20s
//	go run ./cmd/loadtg -users 1000 -conns 100 -mode reply    -duration 20s
//
// mode answer: a user's next update goes after the webhook's HTTP answer and
// the reply (as Telegram does); mode reply: as soon as the reply reaches the
// fake API (the strict test of per-chat order). Telegram's outbound limits
// (30 messages/s) are turned off: the fake API does not enforce them.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"loanbot/bot"
	"loanbot/channel/telegram"
	"loanbot/faq"
	"loanbot/store"
)

var steps = []struct{ say, want string }{
	{"/prep", "是哪个平台"}, {"微粒贷", "现在一共欠多少"}, {"35000", "逾期多久"}, {"60", "税后收入"}, {"8000", "必要的生活开支"},
}

const secret = "load-test-secret-0123456789"

func main() {
	users := flag.Int("users", 1000, "simulated users")
	conns := flag.Int("conns", 100, "webhook connections at most (Telegram allows 100)")
	mode := flag.String("mode", "answer", "answer | reply (see the package doc)")
	dur := flag.Duration("duration", 20*time.Second, "how long to run (bounded)")
	url := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis (loopback)")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *dur > 5*time.Minute {
		log.Fatal("loadtg: -duration is capped at 5m")
	}
	rdb, err := store.Open(*url)
	if err != nil {
		log.Fatal(err)
	}
	kb, err := faq.Load()
	if err != nil {
		log.Fatal(err)
	}
	eng, err := bot.New(store.New(rdb), kb)
	if err != nil {
		log.Fatal(err)
	}

	// The fake Bot API: every sendMessage is routed to its chat's channel.
	var mu sync.Mutex
	inbox := map[string]chan string{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if method == "sendMessage" {
			var m struct {
				ChatID json.Number `json:"chat_id"`
				Text   string      `json:"text"`
			}
			json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			ch := inbox[m.ChatID.String()]
			mu.Unlock()
			if ch != nil {
				ch <- m.Text
			}
			w.Write([]byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`))
			return
		}
		if method == "getMe" {
			w.Write([]byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"b","username":"load_bot"}}`))
			return
		}
		w.Write([]byte(`{"ok":true,"result":true}`))
	}))
	defer api.Close()
	tg, err := telegram.New("1:LOAD", eng, telegram.WithAPIURL(api.URL), telegram.WithWebhook("https://load.invalid/tg", secret),
		telegram.WithLimits(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	hook := httptest.NewServer(tg.WebhookHandler())
	defer hook.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns}}

	run := time.Now().UnixNano() % 1_000_000
	var updateID atomic.Int64
	var done, lost, disorder atomic.Int64
	lat := make([][]time.Duration, *users)
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for u := 0; u < *users; u++ {
		chat := strconv.FormatInt(8_000_000_000+run*10_000+int64(u), 10)
		ch := make(chan string, 16)
		mu.Lock()
		inbox[chat] = ch
		mu.Unlock()
		wg.Add(1)
		go func(u int, chat string, ch chan string) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				s := steps[i%len(steps)]
				body, _ := json.Marshal(map[string]any{"update_id": updateID.Add(1), "message": map[string]any{
					"message_id": i + 1, "date": 1, "text": s.say,
					"from": map[string]any{"id": json.Number(chat), "is_bot": false, "first_name": "u", "language_code": "zh-hans"},
					"chat": map[string]any{"id": json.Number(chat), "type": "private"}}})
				t0 := time.Now()
				answered := make(chan struct{})
				go func() {
					defer close(answered)
					req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
					req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
				}()
				select {
				case text := <-ch:
					lat[u] = append(lat[u], time.Since(t0))
					done.Add(1)
					if !strings.Contains(text, s.want) {
						disorder.Add(1)
					}
				case <-time.After(5 * time.Second):
					lost.Add(1)
				}
				if *mode == "answer" {
					<-answered
				}
			}
		}(u, chat, ch)
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p int) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, len(all)*p/100)].Round(100 * time.Microsecond)
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("mode=%s users=%d conns=%d: %d updates in %s = %.0f/s; p50 %s p99 %s; lost %d; out of order %d; peak RSS %d MB; CPU %.0f%% of one core\n",
		*mode, *users, *conns, done.Load(), el.Round(time.Millisecond), float64(done.Load())/el.Seconds(), pct(50), pct(99),
		lost.Load(), disorder.Load(), ru.Maxrss/1024, 100*cpu.Seconds()/el.Seconds())
	// The run's users are deleted from Redis.
	iter := rdb.Scan(context.Background(), 0, fmt.Sprintf("lb:{tg:%d*", (8_000_000_000+run*10_000)/10_000), 1000).Iterator()
	for iter.Next(context.Background()) {
		rdb.Unlink(context.Background(), iter.Val())
	}
	pprof.StopCPUProfile()
	os.Exit(0)
}
