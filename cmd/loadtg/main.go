// Command loadtg measures the Telegram adapter through its webhook, on
// 127.0.0.1 only: N simulated users each walk the first steps of /prep
// (/prep, 微粒贷, 35000, 60, 8000) over and over in a closed loop, against the
// real engine and Redis.
//
//	go run ./cmd/loadtg -users 1000 -mode answer -duration 15s
//	go run ./cmd/loadtg -users 1000 -mode reply  -duration 15s
//
// Two processes. The bot is this binary started again as a child
// (-child): the engine on Redis, the telegram.Adapter and its webhook
// handler on an http.Server, with Telegram's outbound limits off (the fake
// API does not enforce them; on), nothing else of `loanbot serve`. The
// parent is Telegram: a fake Bot API that takes the bot's sendMessage calls,
// and a webhook sender with at most -conns (≤ 100) connections, as Telegram
// allows. The bot's CPU and peak RSS are read from /proc/<child>; Redis'
// CPU from INFO; the harness's own from getrusage.
//
// A user's next update goes out when the reply to the previous one reached
// the fake API and (-mode answer, as Telegram does) the webhook answered it,
// or (-mode reply, the strict test of per-chat order) as soon as the reply
// arrives, with the previous POST possibly still open. It reports
// updates/s, p50/p99 from the POST to its reply reaching the fake API,
// replies lost (none within 5 s), and replies out of order (a reply that
// belongs to another step). Runs are bounded: at most 10,000 users, 5
// minutes; the run's users are deleted from Redis afterwards.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"loanbot/bot"
	"loanbot/channel/telegram"
	"loanbot/faq"
	"loanbot/store"
)

// steps are what each user types, and a phrase of the reply each must get.
var steps = []struct{ say, want string }{
	{"/prep", "是哪个平台"}, {"微粒贷", "现在一共欠多少"}, {"35000", "逾期多久"}, {"60", "税后收入"}, {"8000", "必要的生活开支"},
}

const (
	secret    = "load-test-secret-0123456789"
	lostAfter = 5 * time.Second
	chatBase  = 9_000_000_000_000 // chat ids: chatBase + run*1e5 + user
)

func main() {
	child := flag.Bool("child", false, "run as the bot (started by loadtg itself)")
	users := flag.Int("users", 1000, "simulated users (≤ 10000)")
	conns := flag.Int("conns", 100, "webhook connections at most (≤ 100, as Telegram)")
	mode := flag.String("mode", "answer", "answer | reply (see the package doc)")
	dur := flag.Duration("duration", 15*time.Second, "how long users keep sending (≤ 5m)")
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis on 127.0.0.1")
	api := flag.String("api", "", "the fake Bot API (child only)")
	prof := flag.String("cpuprofile", "", "write the bot's CPU profile to this file")
	echo := flag.Bool("echo", false, "an echo engine instead of the real one (the adapter's own cost; no Redis)")
	flag.Parse()
	if err := loopback(*redisURL); err != nil {
		log.Fatal(err)
	}
	if *child {
		if err := runBot(*redisURL, *api, *prof, *echo); err != nil {
			log.Fatal(err)
		}
		return
	}
	switch {
	case *users < 1 || *users > 10_000:
		log.Fatal("loadtg: -users must be 1…10000")
	case *conns < 1 || *conns > 100:
		log.Fatal("loadtg: -conns must be 1…100")
	case *dur <= 0 || *dur > 5*time.Minute:
		log.Fatal("loadtg: -duration must be within 5m")
	case *mode != "answer" && *mode != "reply":
		log.Fatal("loadtg: -mode answer or reply")
	}
	if err := drive(*users, *conns, *mode, *dur, *redisURL, *prof, *echo); err != nil {
		log.Fatal(err)
	}
}

// loopback refuses a Redis anywhere but on this machine.
func loopback(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("loadtg: -redis %q: %w", rawURL, err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("loadtg: -redis %q: only a Redis on 127.0.0.1", rawURL)
	}
	return nil
}

// runBot is the child: the engine and the adapter's webhook on 127.0.0.1,
// until stdin closes (the parent ends) or SIGTERM.
func runBot(redisURL, apiURL, prof string, echo bool) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200) // as loanbot serve does
	}
	if prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	rdb, err := store.Open(redisURL)
	if err != nil {
		return err
	}
	kb, err := faq.Load()
	if err != nil {
		return err
	}
	var eng telegram.Handler
	if eng, err = bot.New(store.New(rdb).WithSessionCache(store.SessionCacheSize), kb); err != nil {
		return err
	}
	if echo {
		eng = echoEngine{}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tg, err := telegram.New("1:LOAD", eng, telegram.WithAPIURL(apiURL), telegram.WithWebhook("https://load.invalid/tg", secret),
		telegram.WithLimits(0, 0), telegram.WithLogger(logger))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := tg.Start(ctx); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: tg.WebhookHandler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	fmt.Printf("ADDR %s\n", l.Addr())
	go func() { io.Copy(io.Discard, os.Stdin); stop() }()
	<-ctx.Done()
	return srv.Close()
}

// reply is a sendMessage as the fake API got it.
type reply struct {
	text string
	at   time.Time
}

func drive(users, conns int, mode string, dur time.Duration, redisURL, prof string, echo bool) error {
	// The harness stands in for Telegram, which is not on this machine: it
	// collects garbage less often, to leave the cores to the bot and Redis.
	debug.SetGCPercent(400)
	run := time.Now().UnixNano() % 100_000_000
	first := chatBase + run*100_000
	inbox := make([]chan reply, users) // by user; read-only once the run starts
	for u := range inbox {
		inbox[u] = make(chan reply, 8)
	}
	api := &http.Server{Handler: fakeAPI(first, inbox)}
	apiL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go api.Serve(apiL)
	defer api.Close()

	// The bot, as a child process.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-child", "-redis", redisURL, "-api", "http://" + apiL.Addr().String()}
	if prof != "" {
		args = append(args, "-cpuprofile", prof)
	}
	if echo {
		args = append(args, "-echo")
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ADDR ")
	if err != nil || !ok {
		return fmt.Errorf("loadtg: the bot did not start: %q %v", line, err)
	}
	hook := "http://" + addr + "/tg"

	rdb, err := store.Open(redisURL)
	if err != nil {
		return err
	}
	defer cleanup(rdb, first)

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}}
	var updateID atomic.Int64
	var done, lost, disorder, failed atomic.Int64
	lat := make([][]time.Duration, users)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()

	botCPU0, redisCPU0, selfCPU0 := procCPU(cmd.Process.Pid), redisCPU(rdb), selfCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for u := range users {
		chat := first + int64(u)
		wg.Go(func() {
			var open sync.WaitGroup // POSTs not answered yet (mode reply)
			defer open.Wait()
			for i := 0; ctx.Err() == nil; i++ {
				s := steps[i%len(steps)]
				body := update(updateID.Add(1), chat, i+1, s.say)
				t0 := time.Now()
				post := func() {
					req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
					resp, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						failed.Add(1)
					}
				}
				if mode == "answer" {
					post() // the bot answers after it sent the reply
				} else {
					open.Go(post)
				}
				select {
				case r := <-inbox[u]:
					lat[u] = append(lat[u], r.at.Sub(t0))
					done.Add(1)
					if want := s.want; !strings.Contains(r.text, want) && !(echo && r.text == s.say) {
						disorder.Add(1)
					}
				case <-time.After(lostAfter):
					lost.Add(1)
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	botCPU, redisCPU, selfCPU := procCPU(cmd.Process.Pid)-botCPU0, redisCPU(rdb)-redisCPU0, selfCPU()-selfCPU0
	rss := peakRSS(cmd.Process.Pid)

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p int) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, len(all)*p/100)].Round(100 * time.Microsecond)
	}
	core := func(d time.Duration) float64 { return 100 * d.Seconds() / el.Seconds() }
	fmt.Printf("mode=%s users=%d conns=%d: %d updates in %s = %.0f/s; p50 %s p99 %s; lost %d; out of order %d; failed POSTs %d\n",
		mode, users, conns, done.Load(), el.Round(time.Millisecond), float64(done.Load())/el.Seconds(), pct(50), pct(99),
		lost.Load(), disorder.Load(), failed.Load())
	fmt.Printf("  bot: peak RSS %d MB, CPU %.0f%% of a core (%.0f µs an update); Redis CPU %.0f%%; harness CPU %.0f%%\n",
		rss>>20, core(botCPU), float64(botCPU.Microseconds())/float64(max(done.Load(), 1)), core(redisCPU), core(selfCPU))
	return nil
}

// echoEngine answers each message with its text, at once.
type echoEngine struct{}

// Commands: the echo bot has no menu.
func (echoEngine) Commands(string) []bot.CommandInfo { return nil }

func (echoEngine) Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result {
	ch := make(chan bot.Result, 1)
	ch <- bot.Result{Replies: []bot.Reply{{Text: in.Text}}}
	return ch
}

// update writes one webhook body: a private text message from chat.
func update(id, chat int64, msgID int, text string) []byte {
	t, _ := json.Marshal(text)
	c := strconv.FormatInt(chat, 10)
	b := make([]byte, 0, 256)
	b = append(b, `{"update_id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, int64(msgID), 10)
	b = append(b, `,"date":1700000000,"text":`...)
	b = append(b, t...)
	b = append(b, `,"from":{"id":`+c+`,"is_bot":false,"first_name":"u","language_code":"zh-hans"},"chat":{"id":`+c+`,"type":"private"}}}`...)
	return b
}

// fakeAPI answers the Bot API calls the bot makes; each sendMessage goes to
// its user's inbox, stamped with its arrival.
func fakeAPI(first int64, inbox []chan reply) http.Handler {
	okMessage := []byte(`{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private"}}}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		switch method {
		case "sendMessage":
			var m struct {
				ChatID int64  `json:"chat_id"`
				Text   string `json:"text"`
			}
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				http.Error(w, `{"ok":false,"error_code":400,"description":"bad request"}`, http.StatusBadRequest)
				return
			}
			if u := m.ChatID - first; u >= 0 && u < int64(len(inbox)) {
				select {
				case inbox[u] <- reply{m.Text, at}:
				default: // a user who stopped listening
				}
			}
			w.Write(okMessage)
		case "getMe":
			w.Write([]byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"load","username":"load_bot"}}`))
		default:
			io.Copy(io.Discard, r.Body)
			w.Write([]byte(`{"ok":true,"result":true}`))
		}
	})
}

// procCPU is a process's user+system CPU time so far (/proc/<pid>/stat).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): utime is the
	// 14th field, stime the 15th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// peakRSS is a process's peak resident set (VmHWM), in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the Redis server's CPU time so far (INFO cpu).
func redisCPU(rdb redis.UniversalClient) time.Duration {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for l := range strings.SplitSeq(info, "\r\n") {
		k, v, _ := strings.Cut(l, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// cleanup deletes the run's users from Redis (the run's chat ids share
// their leading digits).
func cleanup(rdb redis.UniversalClient, first int64) {
	if _, err := store.New(rdb).DeleteUsersWithPrefix(context.Background(), fmt.Sprintf("tg:%d", first/100_000)); err != nil {
		log.Printf("loadtg: cleanup: %v", err)
	}
}
