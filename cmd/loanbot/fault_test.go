//go:build fault

// The fault test: 1,000 simulated Telegram users walk /prep through the
// webhook of the real binary while it is killed with SIGKILL 20 times and
// Redis (AOF) is restarted once. Like Telegram, the sender re-sends an update
// until it gets a 200. Every user also has a reminder that falls due while
// the kills go on. Afterwards every conversation must have reached its plan,
// every step's answer must have reached the user, and every reminder must
// have arrived exactly once; it prints how many answers were lost and sent
// twice, and how many reminders were missing and sent twice.
//
//	go test -tags fault -run Fault -v -timeout 10m ./cmd/loanbot
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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

var faultSteps = []struct{ say, want string }{
	{"/prep", "是哪个平台"}, {"微粒贷", "现在一共欠多少"}, {"35000", "逾期多久"}, {"60", "税后收入"},
	{"8000", "必要的生活开支"}, {"5000", "其他欠款"}, {"skip", "主要原因"}, {"失业", "希望和平台谈成什么"},
	{"分期", "请核对一下"}, {"确认", "2,100"},
}

func TestFault(t *testing.T) {
	const users, workers, kills = 1000, 100, 20
	redis := storetest.NewServer(t)
	bin := filepath.Join(t.TempDir(), "loanbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var mu sync.Mutex
	got := map[string][]string{} // chat → texts received, in order
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		switch method {
		case "sendMessage":
			var m struct {
				ChatID json.Number `json:"chat_id"`
				Text   string      `json:"text"`
			}
			json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			got[m.ChatID.String()] = append(got[m.ChatID.String()], m.Text)
			mu.Unlock()
			w.Write([]byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`))
		case "getMe":
			w.Write([]byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"b","username":"fault_bot"}}`))
		default:
			w.Write([]byte(`{"ok":true,"result":true}`))
		}
	}))
	defer api.Close()

	addr := freeAddr(t)
	const secret = "fault-test-secret-0123456789"
	var cmd *exec.Cmd
	start := func() {
		cmd = exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "REDIS_URL=redis://"+redisAddr(redis), "LISTEN_ADDR="+addr, "TELEGRAM_BOT_TOKEN=1:FAULT",
			"TELEGRAM_API_URL="+api.URL, "TELEGRAM_WEBHOOK_URL=https://fault.invalid/tg", "TELEGRAM_WEBHOOK_SECRET="+secret)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !healthy("http://"+addr, 4*time.Second) {
			t.Fatal("serve did not start")
		}
	}
	run := time.Now().UnixNano() % 100_000
	chatOf := func(u int) int64 { return 7_000_000_000 + run*10_000 + int64(u) }

	// Reminders: half the users at the first whole minute at least 25 s
	// away, half a minute later, in a zone where it is midday (no quiet hours).
	zone, loc := middayZone(time.Now())
	first := wholeMinuteAfter(25 * time.Second)
	second := first.Add(time.Minute)
	rem := remind.NewService(store.New(redis.Client()), "Asia/Shanghai")
	for u := 0; u < users; u++ {
		due := first
		if u%2 == 1 {
			due = second
		}
		d := due.In(loc)
		r := &remind.Reminder{Lender: "weilidai", AmountFen: 210000, Schedule: remind.Schedule{
			Date: d.Format("2006-01-02"), Offsets: []int{0}, Hour: d.Hour(), Minute: d.Minute(), TZ: zone}}
		if err := rem.Save(context.Background(), fmt.Sprintf("tg:%d", chatOf(u)), r, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The kills are spread so that both minutes fall among them.
	killEvery := max(300*time.Millisecond, time.Until(second.Add(30*time.Second))/kills)
	start()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: workers, MaxIdleConnsPerHost: workers}}
	var acked, retries atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int, users)
	for u := 0; u < users; u++ {
		next <- u
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range next {
				chat := chatOf(u)
				for i, s := range faultSteps {
					body, _ := json.Marshal(map[string]any{"update_id": chat*100 + int64(i), "message": map[string]any{
						"message_id": i + 1, "date": 1, "text": s.say,
						"from": map[string]any{"id": chat, "is_bot": false, "first_name": "u"},
						"chat": map[string]any{"id": chat, "type": "private"}}})
					for { // as Telegram does: until a 200
						req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/tg", bytes.NewReader(body))
						req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
						resp, err := client.Do(req)
						if err == nil {
							resp.Body.Close()
							if resp.StatusCode == 200 {
								acked.Add(1)
								break
							}
						}
						retries.Add(1)
						time.Sleep(50 * time.Millisecond)
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	killed := 0
	for ; killed < kills; killed++ {
		select {
		case <-done:
		case <-time.After(killEvery):
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if killed == kills/2 {
			redis.Stop()
			redis.Start()
		}
		start()
	}
	<-done
	// Every reminder has time to arrive (the bot sends 30 messages a second).
	isReminder := func(s string) bool {
		return strings.HasPrefix(s, "还款提醒") || strings.HasPrefix(s, "我不在的时候")
	}
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		n := 0
		mu.Lock()
		for _, texts := range got {
			for _, s := range texts {
				if isReminder(s) {
					n++
				}
			}
		}
		mu.Unlock()
		if n >= users && time.Now().After(second.Add(10*time.Second)) {
			time.Sleep(3 * time.Second) // any duplicate has a moment to show
			break
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	var lost, twice, unfinished, remMissing, remTwice int
	mu.Lock()
	for u := 0; u < users; u++ {
		var texts []string
		reminders := 0
		for _, s := range got[fmt.Sprint(chatOf(u))] {
			if isReminder(s) {
				reminders++
			} else {
				texts = append(texts, s)
			}
		}
		if reminders == 0 {
			remMissing++
		}
		if reminders > 1 {
			remTwice += reminders - 1
		}
		k := 0
		for _, s := range faultSteps { // each step's answer, in order
			n := 0
			for k < len(texts) && strings.Contains(texts[k], s.want) {
				n++
				k++
			}
			if n == 0 {
				lost++
				// skip an unexpected text to keep going
				for k < len(texts) && !strings.Contains(texts[k], s.want) {
					k++
				}
			}
			if n > 1 {
				twice += n - 1
			}
		}
		if len(texts) == 0 || !strings.Contains(texts[len(texts)-1], "2,100") {
			unfinished++
		}
	}
	mu.Unlock()
	t.Logf("users %d, updates acknowledged %d, re-sent after failures %d, bot killed %d times, Redis restarted once", users, acked.Load(), retries.Load(), killed)
	t.Logf("conversations not at their plan: %d; answers lost: %d; answers sent twice: %d", unfinished, lost, twice)
	t.Logf("reminders due during the kills: %d; missing: %d; sent twice: %d", users, remMissing, remTwice)
	if unfinished != 0 || lost != 0 || remMissing != 0 || remTwice != 0 {
		t.Fail()
	}
}

func redisAddr(s *storetest.Server) string { return s.Addr() }
