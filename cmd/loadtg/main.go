// Command loadtg measures Telegram bots through their webhook, on 127.0.0.1
// only: N simulated users each walk the first steps of /prep (/prep, 微粒贷,
// 35000, 60, 8000) over and over in a closed loop, against Redis.
//
//	go run ./cmd/loadtg -users 1000 -duration 15s                   # loanbot serve
//	go run ./cmd/loadtg -bot serve,grammy -users 100 -rounds 3       # against grammY
//	go run ./cmd/loadtg -bot before,serve -before /tmp/loanbot-old   # A/B two builds
//
// The harness is a process of its own, outside every bot it measures. It is
// Telegram: a fake Bot API that takes the bot's sendMessage calls, and a
// webhook sender with at most -conns (≤ 100) connections, as Telegram
// allows. The bots, each started fresh for each round and measured the same
// way from outside (CPU and peak RSS from /proc/<pid>, Redis' CPU from INFO):
//
//   - serve: the loanbot binary as `loanbot serve`, configured by its
//     environment as an operator would, with TELEGRAM_SEND_RATE=off and
//     LOANBOT_USER_RATE=off (the fake API enforces no limit; every user
//     sends many messages a minute) and the web chat off;
//   - before: the same with an older loanbot binary (-before);
//   - grammy: bench/grammy, a grammY bot on Node.js doing the same steps with
//     Redis sessions (npm ci --prefix bench/grammy first);
//   - engine: this binary again as -child, the engine and the Telegram
//     adapter alone (no metrics, no reminders), which -cpuprofile and
//     -memprofile can profile.
//
// With several bots, rounds are interleaved (serve, grammy, serve, …) so
// that every bot meets the machine in the same state, and the medians are
// compared.
//
// A user's next update goes out when the reply to the previous one reached
// the fake API and (-mode answer, as Telegram does) the webhook answered it,
// or (-mode reply, the strict test of per-chat order) as soon as the reply
// arrives, with the previous POST possibly still open. It reports
// updates/s, p50/p99 from the POST to its reply reaching the fake API,
// replies lost (none within 5 s), and replies out of order (a reply that
// belongs to another step). Runs are bounded: at most 10,000 users, 5
// minutes, 10 rounds; the run's users are deleted from Redis afterwards.
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
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf16"

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
	prof := flag.String("cpuprofile", "", "write the engine bot's CPU profile to this file (-bot engine)")
	memprof := flag.String("memprofile", "", "write the engine bot's heap profile to this file when it ends (-bot engine)")
	echo := flag.Bool("echo", false, "with -bot engine: an echo engine instead of the real one (the adapter's own cost; no Redis)")
	which := flag.String("bot", "serve", "the bots measured, interleaved (a list): serve, before (-before), grammy (bench/grammy, on Node.js), engine; both is serve,grammy")
	serveBin := flag.String("serve", "", "the loanbot binary run as `loanbot serve` (default: built from ./cmd/loanbot)")
	before := flag.String("before", "", "an older loanbot binary, run as serve and reported as \"before\" (go build -o it at an older commit)")
	rounds := flag.Int("rounds", 1, "rounds of each bot (≤ 10)")
	grammyDir := flag.String("grammy", "bench/grammy", "the grammY bot's folder (npm ci --prefix it first)")
	flag.Parse()
	if err := loopback(*redisURL); err != nil {
		log.Fatal(err)
	}
	if *child {
		if err := runBot(*redisURL, *api, *prof, *memprof, *echo); err != nil {
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
	case *rounds < 1 || *rounds > 10:
		log.Fatal("loadtg: -rounds must be 1…10")
	}
	bots := strings.Split(*which, ",")
	if *which == "both" {
		bots = []string{"serve", "grammy"}
	}
	for _, b := range bots {
		if b != "serve" && b != "engine" && b != "grammy" && b != "before" || b == "before" && *before == "" {
			log.Fatalf("loadtg: -bot %q: a list of serve, before (with -before), grammy and engine, or both", *which)
		}
		if b == "serve" && *serveBin == "" {
			dir, err := os.MkdirTemp("", "loadtg")
			if err != nil {
				log.Fatal(err)
			}
			defer os.RemoveAll(dir)
			*serveBin = filepath.Join(dir, "loanbot")
			if out, err := exec.Command("go", "build", "-o", *serveBin, "./cmd/loanbot").CombinedOutput(); err != nil {
				log.Fatalf("loadtg: go build ./cmd/loanbot (run from the repository, or give -serve): %v\n%s", err, out)
			}
		}
	}
	// The harness stands in for Telegram, which is not on this machine: it
	// collects garbage less often, to leave the cores to the bot and Redis.
	debug.SetGCPercent(400)
	o := options{users: *users, conns: *conns, rounds: *rounds, mode: *mode, redisURL: *redisURL, dur: *dur,
		prof: *prof, memprof: *memprof, echo: *echo, grammyDir: *grammyDir, before: *before, serveBin: *serveBin}
	if err := compare(bots, o); err != nil {
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
func runBot(redisURL, apiURL, prof, memprof string, echo bool) error {
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
	if memprof != "" {
		f, err := os.Create(memprof)
		if err != nil {
			return err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
	}
	return srv.Close()
}

// reply is a sendMessage as the fake API got it.
type reply struct {
	text string
	at   time.Time
}

// options are one run's settings, the same for every bot measured.
type options struct {
	users, conns, rounds int
	mode, redisURL       string
	dur                  time.Duration
	prof, memprof        string // loanbot's profiles (the first round's)
	echo                 bool
	grammyDir, before    string
	serveBin             string
}

// result is one round of one bot, as the harness measured it from outside.
type result struct {
	bot                       string
	updates                   int64
	elapsed                   time.Duration
	p50, p99                  time.Duration
	lost, disorder, failed    int64
	botCPU, redisCPU, selfCPU time.Duration
	rss, startRSS             int64
}

func (r result) rate() float64 { return float64(r.updates) / r.elapsed.Seconds() }
func (r result) cpuPer() float64 {
	return float64(r.botCPU.Microseconds()) / float64(max(r.updates, 1))
}
func (r result) core(d time.Duration) float64 { return 100 * d.Seconds() / r.elapsed.Seconds() }

// compare runs the bots' rounds interleaved (loanbot, grammY, loanbot, …),
// so that both meet the machine in the same state, and prints each round and
// the medians.
func compare(bots []string, o options) error {
	var all []result
	for i := range o.rounds {
		for _, b := range bots {
			oo := o
			if i > 0 { // profiles of the first round only
				oo.prof, oo.memprof = "", ""
			}
			r, err := round(b, oo)
			if err != nil {
				return err
			}
			all = append(all, r)
			fmt.Printf("%-7s mode=%s users=%d conns=%d: %d updates in %s = %.0f/s; p50 %s p99 %s; lost %d; out of order %d; failed POSTs %d\n",
				r.bot, o.mode, o.users, o.conns, r.updates, r.elapsed.Round(time.Millisecond), r.rate(), r.p50, r.p99, r.lost, r.disorder, r.failed)
			fmt.Printf("        bot: peak RSS %d MB (%d MB before the load), CPU %.0f%% of a core (%.0f µs an update); Redis CPU %.0f%%; harness CPU %.0f%%\n",
				r.rss>>20, r.startRSS>>20, r.core(r.botCPU), r.cpuPer(), r.core(r.redisCPU), r.core(r.selfCPU))
		}
	}
	if len(bots) < 2 {
		return nil
	}
	med := map[string][2]float64{}
	for _, b := range bots {
		var rates, cpus []float64
		var rss int64
		for _, r := range all {
			if r.bot == b {
				rates, cpus, rss = append(rates, r.rate()), append(cpus, r.cpuPer()), max(rss, r.rss)
			}
		}
		med[b] = [2]float64{median(rates), median(cpus)}
		fmt.Printf("median of %d: %-7s %.0f updates/s, %.0f µs of CPU an update, peak RSS %d MB\n", o.rounds, b, med[b][0], med[b][1], rss>>20)
	}
	if g, ok := med["grammy"]; ok {
		for _, b := range bots {
			if b != "grammy" {
				fmt.Printf("%s ÷ grammY: %.2f× the updates a second, %.2f× less CPU an update\n", b, med[b][0]/g[0], g[1]/med[b][1])
			}
		}
	}
	return nil
}

func median(v []float64) float64 {
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// round starts one bot against a fresh fake API, runs the users for the
// duration, measures, stops the bot and deletes its users from Redis.
func round(bot string, o options) (result, error) {
	res := result{bot: bot}
	run := time.Now().UnixNano() % 100_000_000
	first := chatBase + run*100_000
	inbox := make([]chan reply, o.users) // by user; read-only once the run starts
	for u := range inbox {
		inbox[u] = make(chan reply, 8)
	}
	api := &http.Server{Handler: fakeAPI(first, inbox)}
	apiL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	go api.Serve(apiL)
	defer api.Close()

	p, err := startBot(bot, "http://"+apiL.Addr().String(), o)
	if err != nil {
		return res, err
	}
	defer p.stop()

	rdb, err := store.Open(o.redisURL)
	if err != nil {
		return res, err
	}
	defer rdb.Close()
	defer cleanup(rdb, bot, first)

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: o.conns, MaxIdleConnsPerHost: o.conns}}
	defer client.CloseIdleConnections()
	var updateID atomic.Int64
	var done, lost, disorder, failed atomic.Int64
	lat := make([][]time.Duration, o.users)
	ctx, cancel := context.WithTimeout(context.Background(), o.dur)
	defer cancel()

	pid := p.cmd.Process.Pid
	res.startRSS = procStatus(pid, "VmHWM:")
	botCPU0, redisCPU0, selfCPU0 := procCPU(pid), redisCPU(rdb), selfCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for u := range o.users {
		chat := first + int64(u)
		wg.Go(func() {
			var open sync.WaitGroup // POSTs not answered yet (mode reply)
			defer open.Wait()
			for i := 0; ctx.Err() == nil; i++ {
				s := steps[i%len(steps)]
				body := update(updateID.Add(1), chat, i+1, s.say)
				t0 := time.Now()
				post := func() {
					req, _ := http.NewRequest(http.MethodPost, p.hook, bytes.NewReader(body))
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
				if o.mode == "answer" {
					post() // the bot answers after it sent the reply
				} else {
					open.Go(post)
				}
				select {
				case r := <-inbox[u]:
					lat[u] = append(lat[u], r.at.Sub(t0))
					done.Add(1)
					if want := s.want; !strings.Contains(r.text, want) && !(o.echo && r.text == s.say) {
						disorder.Add(1)
					}
				case <-time.After(lostAfter):
					lost.Add(1)
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.botCPU, res.redisCPU, res.selfCPU = procCPU(pid)-botCPU0, redisCPU(rdb)-redisCPU0, selfCPU()-selfCPU0
	res.rss = procStatus(pid, "VmHWM:")
	res.updates, res.lost, res.disorder, res.failed = done.Load(), lost.Load(), disorder.Load(), failed.Load()

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
	res.p50, res.p99 = pct(50), pct(99)
	return res, nil
}

// botProc is a bot under test: a child process with its webhook's address.
type botProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	hook  string
	term  bool // stopped by SIGTERM (serve), not by closing its stdin
}

// startBot starts a bot and waits until its webhook answers: serve (the
// loanbot binary as `loanbot serve`, configured as an operator would, with
// TELEGRAM_SEND_RATE=off and LOANBOT_USER_RATE=off since the fake API
// enforces nothing), before (the same with an older binary), engine (this
// binary again as -child: the engine and the adapter alone) or grammy (node,
// in o.grammyDir).
func startBot(bot, apiURL string, o options) (*botProc, error) {
	var cmd *exec.Cmd
	p := &botProc{}
	switch bot {
	case "serve", "before":
		bin := o.serveBin
		if bot == "before" {
			bin = o.before
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := l.Addr().String()
		l.Close()
		cmd = exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "REDIS_URL="+o.redisURL, "LISTEN_ADDR="+addr, "TELEGRAM_BOT_TOKEN=1:LOAD",
			"TELEGRAM_API_URL="+apiURL, "TELEGRAM_WEBHOOK_URL=https://load.invalid/tg", "TELEGRAM_WEBHOOK_SECRET="+secret,
			"TELEGRAM_SEND_RATE=off", "LOANBOT_USER_RATE=off", "LOANBOT_WEB=off", "LOANBOT_METRICS_ADDR=")
		p.hook, p.term = "http://"+addr+"/tg", true
	case "engine":
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		args := []string{"-child", "-redis", o.redisURL, "-api", apiURL}
		if o.memprof != "" {
			args = append(args, "-memprofile", o.memprof)
		}
		if o.prof != "" {
			args = append(args, "-cpuprofile", o.prof)
		}
		if o.echo {
			args = append(args, "-echo")
		}
		cmd = exec.Command(self, args...)
	case "grammy":
		node, err := exec.LookPath("node")
		if err != nil {
			return nil, fmt.Errorf("loadtg: -bot grammy needs Node.js: %w", err)
		}
		if _, err := os.Stat(filepath.Join(o.grammyDir, "node_modules", "grammy")); err != nil {
			return nil, fmt.Errorf("loadtg: the grammY bot is not installed; run: npm ci --prefix %s", o.grammyDir)
		}
		cmd = exec.Command(node, filepath.Join(o.grammyDir, "bot.js"))
		cmd.Env = append(os.Environ(), "LOADTG_API="+apiURL, "LOADTG_REDIS="+o.redisURL, "LOADTG_SECRET="+secret)
	default:
		return nil, fmt.Errorf("loadtg: -bot %q: serve, before, grammy or engine", bot)
	}
	var logs bytes.Buffer
	if p.term {
		cmd.Stderr = &logs // serve logs in JSON; shown when it does not start
	} else {
		cmd.Stderr = os.Stderr
	}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.cmd, p.stdin = cmd, stdin
	if p.term {
		if err := healthy(strings.TrimSuffix(p.hook, "/tg")+"/healthz", 30*time.Second); err != nil {
			p.stop()
			return nil, fmt.Errorf("loadtg: %s did not start: %v\n%s", bot, err, logs.Bytes())
		}
		return p, nil
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ADDR ")
	if err != nil || !ok {
		p.stop()
		return nil, fmt.Errorf("loadtg: the %s bot did not start: %q %v", bot, line, err)
	}
	p.hook = "http://" + addr + "/tg"
	return p, nil
}

// healthy waits for url to answer 200.
func healthy(url string, within time.Duration) error {
	var err error
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var res *http.Response
		if res, err = http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, res.Status)
		}
	}
	return err
}

// stop ends the bot: its stdin closes and it is given 10 s to end (and
// write its profiles), then SIGTERM, then SIGKILL.
func (p *botProc) stop() {
	p.stdin.Close()
	exited := make(chan struct{})
	go func() { p.cmd.Wait(); close(exited) }()
	sigs := []os.Signal{nil, syscall.SIGTERM, os.Kill}
	if p.term {
		sigs = sigs[1:]
	}
	for _, sig := range sigs {
		if sig != nil {
			p.cmd.Process.Signal(sig)
		}
		select {
		case <-exited:
			return
		case <-time.After(10 * time.Second):
		}
	}
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
	if strings.HasPrefix(text, "/") { // as Telegram marks a command
		b = append(b, `,"entities":[{"offset":0,"length":`...)
		b = strconv.AppendInt(b, int64(len(utf16.Encode([]rune(text)))), 10)
		b = append(b, `,"type":"bot_command"}]`...)
	}
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

// procStatus is a size from /proc/<pid>/status (VmHWM: the peak resident
// set), in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
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
// their leading digits): loanbot's through the store, grammY's sessions by
// their key.
func cleanup(rdb redis.UniversalClient, bot string, first int64) {
	prefix := strconv.FormatInt(first/100_000, 10)
	ctx := context.Background()
	if bot == "grammy" {
		iter := rdb.Scan(ctx, 0, "grammy:"+prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for c := range slices.Chunk(keys, 1000) {
			rdb.Del(ctx, c...)
		}
		return
	}
	if _, err := store.New(rdb).DeleteUsersWithPrefix(ctx, "tg:"+prefix); err != nil {
		log.Printf("loadtg: cleanup: %v", err)
	}
}
