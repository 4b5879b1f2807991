package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

// strictBotAPI is a fake Bot API that keeps Telegram's limits the hard way:
// a sendMessage past 30 in any second, or past a chat's burst of 3 refilled
// at one a second, gets 429 and is not delivered.
type strictBotAPI struct {
	mu      sync.Mutex
	sends   []time.Time          // delivered, in order
	byChat  map[string][]string  // texts delivered per chat, in order
	tokens  map[string]float64   // per-chat bucket
	last    map[string]time.Time // per-chat refill time
	tooMany int
}

func (f *strictBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch method {
	case "getMe":
		w.Write([]byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"b","username":"replica_bot"}}`))
		return
	case "sendMessage":
	default:
		w.Write([]byte(`{"ok":true,"result":true}`))
		return
	}
	var m struct {
		ChatID json.Number `json:"chat_id"`
		Text   string      `json:"text"`
	}
	json.NewDecoder(r.Body).Decode(&m)
	chat := m.ChatID.String()
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	inSecond := 0
	for i := len(f.sends) - 1; i >= 0 && now.Sub(f.sends[i]) < time.Second; i-- {
		inSecond++
	}
	tok, ok := f.tokens[chat]
	if !ok {
		tok = 3
	} else {
		tok = min(3, tok+now.Sub(f.last[chat]).Seconds())
	}
	f.last[chat] = now
	if inSecond >= 30 || tok < 1 {
		f.tokens[chat] = tok
		f.tooMany++
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
		return
	}
	f.tokens[chat] = tok - 1
	f.sends = append(f.sends, now)
	f.byChat[chat] = append(f.byChat[chat], m.Text)
	w.Write([]byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`))
}

// TestReplicasShareOneBudget runs three `loanbot serve` on one Redis behind
// one bot token and a fake Bot API that refuses anything past Telegram's
// limits. 300 reminders fall due in the same minute while users chat through
// the webhook of every replica; one replica is killed mid-burst. No 429, the
// backlog goes out at 30 a second, each chat's replies in order, every
// reminder exactly once (the killed replica's share after its lease).
func TestReplicasShareOneBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three servers for two to three minutes")
	}
	// LOANBOT_REPLICA_REMINDERS=3000 makes it the long run of the README.
	users, talkers := 300, 12
	if n, err := strconv.Atoi(os.Getenv("LOANBOT_REPLICA_REMINDERS")); err == nil && n > 0 {
		users = n
	}
	redis := storetest.NewServer(t)
	bin := filepath.Join(t.TempDir(), "loanbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	api := &strictBotAPI{byChat: map[string][]string{}, tokens: map[string]float64{}, last: map[string]time.Time{}}
	hs := httptest.NewServer(api)
	defer hs.Close()

	const secret = "replica-test-secret-0123456789"
	var addrs []string
	var cmds []*exec.Cmd
	for i := 0; i < 3; i++ {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "REDIS_URL=redis://"+redis.Addr(), "LISTEN_ADDR="+addr, "TELEGRAM_BOT_TOKEN=42:REPLICAS",
			"TELEGRAM_API_URL="+hs.URL, "TELEGRAM_WEBHOOK_URL=https://replicas.invalid/tg", "TELEGRAM_WEBHOOK_SECRET="+secret, "LOANBOT_WEB=off")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addrs, cmds = append(addrs, addr), append(cmds, cmd)
	}
	for _, addr := range addrs {
		if !healthy("http://"+addr, 20*time.Second) {
			t.Fatal("a replica did not start")
		}
	}

	// The reminders: all at the first whole minute at least 15 s away, in
	// a zone where it is midday (no quiet hours).
	run := time.Now().UnixNano() % 100_000
	chatOf := func(u int) int64 { return 8_000_000_000 + run*10_000 + int64(u) }
	zone, loc := middayZone(time.Now())
	due := wholeMinuteAfter(15 * time.Second)
	rem := remind.NewService(store.New(redis.Client()), "Asia/Shanghai")
	for u := 0; u < users; u++ {
		d := due.In(loc)
		r := &remind.Reminder{Lender: "weilidai", AmountFen: 210000, Schedule: remind.Schedule{
			Date: d.Format("2006-01-02"), Offsets: []int{0}, Hour: d.Hour(), Minute: d.Minute(), TZ: zone}}
		if err := rem.Save(context.Background(), fmt.Sprintf("tg:%d", chatOf(u)), r, time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	// Users chatting through every replica during the burst: three
	// messages each, one at a time, each to the next replica.
	update := func(n int, chat int64, text string) error {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"u","language_code":"zh-hans"},"text":%q}}`,
			n, n, time.Now().Unix(), chat, chat, text)
		for attempt := 0; attempt < 20; attempt++ {
			req, _ := http.NewRequest("POST", "http://"+addrs[(n+attempt)%2]+"/tg", bytes.NewReader([]byte(body)))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return nil
				}
			}
			time.Sleep(200 * time.Millisecond) // Telegram delivers again
		}
		return fmt.Errorf("update %d not taken", n)
	}
	time.Sleep(time.Until(due) + time.Second)
	var wg sync.WaitGroup
	talker := func(i int) int64 { return 9_000_000_000 + run*100 + int64(i) }
	for i := 0; i < talkers; i++ {
		wg.Go(func() {
			for k, text := range []string{"/start", "微粒贷逾期会被起诉吗", "/help"} {
				if err := update(int(run)*1000+i*10+k, talker(i), text); err != nil {
					t.Error(err)
				}
			}
		})
	}
	time.Sleep(4 * time.Second)
	cmds[2].Process.Kill() // mid-burst; the talkers use the other two
	cmds[2].Wait()
	wg.Wait()

	// Every reminder arrives, the killed replica's share after its lease.
	reminded := func() (n int, twice []string) {
		api.mu.Lock()
		defer api.mu.Unlock()
		for u := 0; u < users; u++ {
			got := 0
			for _, text := range api.byChat[fmt.Sprint(chatOf(u))] {
				if strings.Contains(text, "微粒贷") {
					got++
				}
			}
			if got > 0 {
				n++
			}
			if got > 1 {
				twice = append(twice, fmt.Sprint(chatOf(u)))
			}
		}
		return n, twice
	}
	for deadline := time.Now().Add(150*time.Second + time.Duration(users)*time.Second/25); time.Now().Before(deadline); time.Sleep(time.Second) {
		if n, _ := reminded(); n == users {
			break
		}
	}
	n, twice := reminded()
	api.mu.Lock()
	defer api.mu.Unlock()
	if n != users || len(twice) > 0 {
		t.Errorf("%d of %d reminders arrived; %d twice", n, users, len(twice))
	}
	if api.tooMany > 0 {
		t.Errorf("%d sends got 429", api.tooMany)
	}
	// The backlog's pace: the busiest stretch of 3 seconds after the due
	// time carries 30 a second, within 5 %.
	sends := append([]time.Time(nil), api.sends...)
	sort.Slice(sends, func(i, j int) bool { return sends[i].Before(sends[j]) })
	best := 0
	for i := range sends {
		j := i
		for j < len(sends) && sends[j].Sub(sends[i]) < 3*time.Second {
			j++
		}
		best = max(best, j-i)
	}
	if rate := float64(best) / 3; rate < 28.5 || rate > 31.5 {
		t.Errorf("the busiest 3 s carried %.1f sends a second, want 30 within 5 %%", rate)
	}
	nine := len(sends) * 9 / 10
	t.Logf("%d reminders, %d sends in all, busiest 3 s at %.1f a second, the first 90 %% at %.1f a second, %d 429s",
		n, len(sends), float64(best)/3, float64(nine)/sends[nine].Sub(sends[0]).Seconds(), api.tooMany)
	// Each talker's replies in the order of its messages.
	for i := 0; i < talkers; i++ {
		texts := strings.Join(api.byChat[fmt.Sprint(talker(i))], "\n---\n")
		a, b, c := strings.Index(texts, "loanbot"), strings.Index(texts, "法律依据"), strings.LastIndex(texts, "/faq")
		if a < 0 || b < a || c < b {
			t.Errorf("talker %d got its replies out of order:\n%.600s", i, texts)
		}
	}
}

// middayZone is a fixed-offset zone (Etc/GMT±N) where it is about noon now:
// reminders due now fall outside quiet hours (the fault test uses it too).
// wholeMinuteAfter is the first whole minute at least lead from now.
func wholeMinuteAfter(lead time.Duration) time.Time {
	t := time.Now().Add(lead).Truncate(time.Minute).Add(time.Minute)
	if time.Until(t) > lead+time.Minute {
		t = t.Add(-time.Minute)
	}
	return t
}

func middayZone(now time.Time) (string, *time.Location) {
	off := 12 - now.UTC().Hour()
	name := "Etc/GMT"
	switch {
	case off > 0:
		name = fmt.Sprintf("Etc/GMT-%d", off)
	case off < 0:
		name = fmt.Sprintf("Etc/GMT+%d", -off)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return name, loc
}
