// Command loadweb measures the web chat under load: many simulated users,
// each with their own cookie, talk to the bot through the web API at once
// (a legal question, the whole /prep flow to the plan, another question),
// each waiting for every answer before the next message, as a person does.
// It serves the chat in-process on 127.0.0.1 with the real engine and FAQ
// on the Redis that -redis names, and prints messages/s and latencies.
//
//	go run ./cmd/loadweb -users 1000 -redis redis://127.0.0.1:6379/0
//
// The users are deleted from Redis afterwards (-keep leaves them).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"loanbot/bot"
	"loanbot/channel/web"
	"loanbot/faq"
	"loanbot/remind"
	"loanbot/store"
)

// script is what each user says: text, or a button's payload.
var script = []struct{ text, payload string }{
	{text: "微粒贷逾期会被起诉吗"},
	{text: "/prep"},
	{payload: "c:weilidai"},
	{text: "35000"},
	{text: "60"},
	{text: "8000"},
	{text: "5000"},
	{payload: "nav:skip"},
	{payload: "c:income"},
	{payload: "c:instalments"},
	{payload: "c:ok"},
	{text: "催收打电话给我家人怎么办"},
}

func main() {
	users := flag.Int("users", 1000, "concurrent simulated users")
	rounds := flag.Int("rounds", 1, "times each user goes through the script")
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	limit := flag.Duration("time", 3*time.Minute, "stop after this long, finished or not")
	keep := flag.Bool("keep", false, "keep the simulated users in Redis")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*users, *rounds, *redisURL, *limit, *keep); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

type result struct {
	lat  []time.Duration
	errs int
	ids  []string
}

func run(users, rounds int, redisURL string, limit time.Duration, keep bool) error {
	rdb, err := store.Open(redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis %s: %w", redisURL, err)
	}
	st := store.New(rdb).WithSessionCache(store.SessionCacheSize)
	kb, err := faq.Load()
	if err != nil {
		return err
	}
	eng, err := bot.New(st, kb, bot.WithReminders(remind.NewService(st, "Asia/Shanghai")))
	if err != nil {
		return err
	}
	// Each simulated user comes from an address of their own, told by the
	// trusted proxy header, so the per-address limit counts as in production.
	srv, err := web.New(eng, st, web.WithTrustedProxies("127.0.0.1/32"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	base := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConns: users * 2, MaxIdleConnsPerHost: users * 2, IdleConnTimeout: time.Minute}

	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var (
		mu     sync.Mutex
		all    result
		start  = make(chan struct{})
		ready  sync.WaitGroup
		done   sync.WaitGroup
		nsent  atomic.Int64
		ticker = time.NewTicker(5 * time.Second)
	)
	for u := range users {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			r := simulate(ctx, tr, base, u, rounds, &ready, start, &nsent)
			mu.Lock()
			all.lat = append(all.lat, r.lat...)
			all.errs += r.errs
			all.ids = append(all.ids, r.ids...)
			mu.Unlock()
		}()
	}
	ready.Wait() // every user has their cookie
	began := time.Now()
	close(start)
	go func() {
		for range ticker.C {
			fmt.Fprintf(os.Stderr, "loadweb: %d messages, %.0f/s\n", nsent.Load(), float64(nsent.Load())/time.Since(began).Seconds())
		}
	}()
	done.Wait()
	elapsed := time.Since(began)
	ticker.Stop()

	closeCtx, closeCancel := context.WithTimeout(context.Background(), 5*time.Second)
	srv.Close()
	hs.Shutdown(closeCtx)
	closeCancel()

	slices.Sort(all.lat)
	pct := func(p float64) time.Duration {
		if len(all.lat) == 0 {
			return 0
		}
		return all.lat[min(len(all.lat)-1, int(float64(len(all.lat))*p))]
	}
	n := len(all.lat)
	fmt.Printf("web chat, %d users × %d messages (%d rounds), %s, Redis %s, GOMAXPROCS %d\n",
		users, len(script)*rounds, rounds, time.Now().Format("2006-01-02"), redactURL(redisURL), runtime.GOMAXPROCS(0))
	fmt.Printf("%d messages in %.1fs: %.0f messages/s; latency p50 %s, p99 %s, max %s; %d errors\n",
		n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), pct(.50).Round(time.Millisecond), pct(.99).Round(time.Millisecond),
		pct(1).Round(time.Millisecond), all.errs)
	if ctx.Err() != nil {
		fmt.Printf("stopped at the time limit (%s)\n", limit)
	}
	if !keep {
		dctx, dcancel := context.WithTimeout(context.Background(), time.Minute)
		defer dcancel()
		for _, id := range all.ids {
			if err := st.DeleteUser(dctx, "web:"+id); err != nil {
				return fmt.Errorf("clean up: %w", err)
			}
		}
	}
	if all.errs > 0 {
		return errors.New("some messages failed")
	}
	return nil
}

// simulate is one user: a page load (the cookie), then the script.
func simulate(ctx context.Context, tr http.RoundTripper, base string, u, rounds int, ready *sync.WaitGroup, start <-chan struct{}, nsent *atomic.Int64) result {
	var r result
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: tr, Jar: jar, Timeout: 60 * time.Second}
	addr := fmt.Sprintf("10.%d.%d.%d", u>>16&255, u>>8&255, u&255)
	get := func(path string) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		req.Header.Set("X-Forwarded-For", addr)
		res, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("GET %s: %s", path, res.Status)
		}
		return nil
	}
	err := get("/")
	ready.Done()
	if err != nil {
		r.errs++
		return r
	}
	if u, err := url.Parse(base); err == nil {
		for _, c := range jar.Cookies(u) {
			if id, _, ok := strings.Cut(c.Value, "."); ok && c.Name == "lb_uid" {
				r.ids = append(r.ids, id)
			}
		}
	}
	<-start
	if err := get("/api/history"); err != nil {
		r.errs++
	}
	for round := range rounds {
		for i, s := range script {
			if ctx.Err() != nil {
				return r
			}
			body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("load-%d-%d-%d", u, round, i), "text": s.text, "payload": s.payload, "label": s.payload})
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/message", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
			req.Header.Set("X-Forwarded-For", addr)
			t0 := time.Now()
			res, err := hc.Do(req)
			if err != nil {
				if ctx.Err() == nil {
					r.errs++
				}
				continue
			}
			var a struct {
				Messages []json.RawMessage `json:"messages"`
			}
			derr := json.NewDecoder(res.Body).Decode(&a)
			res.Body.Close()
			if res.StatusCode != 200 || derr != nil || len(a.Messages) == 0 {
				r.errs++
				continue
			}
			r.lat = append(r.lat, time.Since(t0))
			nsent.Add(1)
		}
	}
	return r
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "?"
	}
	return u.Redacted()
}
