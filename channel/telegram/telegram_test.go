package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/remind"
	"loanbot/store/storetest"
)

func newAdapter(t testing.TB, f *fakeAPI, opts ...Option) *Adapter {
	t.Helper()
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Store(t)
	eng, err := bot.New(st, kb, bot.WithReminders(remind.NewService(st, "Asia/Shanghai")))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New("123:ABC", eng, append([]Option{WithAPIURL(f.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	a.limit.perChat = 0 // tests send many messages to one chat
	return a
}

// prepSteps runs /prep by taps and typing; tap(label) or say(text).
type stepFn func(f *fakeAPI, user int64) *models.Update

func say(s string) stepFn {
	return func(f *fakeAPI, u int64) *models.Update { return textUpdate(u, s) }
}

func tap(label string, t *testing.T) stepFn {
	return func(f *fakeAPI, u int64) *models.Update { return tapUpdate(u, f.button(t, label)) }
}

func TestPrepDialogByPolling(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go a.Run(ctx)
	user := time.Now().UnixNano() % 1e9
	steps := []stepFn{say("/prep"), tap("微粒贷", t), say("35000"), say("60"), say("8000"), say("5000"),
		tap("跳过", t), tap("失业/收入下降", t), tap("分期", t), tap("确认，生成方案", t)}
	for _, s := range steps {
		n := f.sentCount()
		f.push(s(f, user))
		f.waitSent(t, n+1)
	}
	if got := f.last().text; !strings.Contains(got, "2,100") {
		t.Errorf("plan: %s", got)
	}
	if f.calls["answerCallbackQuery"] < 5 || f.calls["editMessageReplyMarkup"] < 5 || f.calls["deleteWebhook"] != 1 || f.calls["setMyCommands"] != 3 {
		t.Errorf("calls: %v", f.calls)
	}
}

func post(h http.Handler, secret string, u *models.Update) *httptest.ResponseRecorder {
	b, _ := json.Marshal(u)
	r := httptest.NewRequest(http.MethodPost, "/telegram", bytes.NewReader(b))
	if secret != "" {
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const secret = "0123456789abcdef-secret"

func TestWebhookChecksTheSecretAndARetryChangesNothing(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, WithWebhook("https://example.invalid/telegram", secret))
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.calls["setWebhook"] != 1 {
		t.Fatalf("setWebhook: %v", f.calls)
	}
	h := a.WebhookHandler()
	user := time.Now().UnixNano()%1e9 + 1
	u := textUpdate(user, "/start")
	u.ID = 42
	for _, s := range []string{"", "wrong-secret-value-xx"} {
		if w := post(h, s, u); w.Code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d", s, w.Code)
		}
	}
	if f.sentCount() != 0 {
		t.Fatal("the engine answered an unauthenticated update")
	}
	if w := post(h, secret, u); w.Code != 200 || f.sentCount() != 1 {
		t.Fatalf("first delivery: %d, %d sent", w.Code, f.sentCount())
	}
	first := f.last().text
	// Telegram retries only an update it got no 200 for (our 200 comes after
	// the reply is sent): the retry changes nothing and the answer goes again.
	if w := post(h, secret, u); w.Code != 200 || f.sentCount() != 2 || f.last().text != first {
		t.Errorf("the retried update: %d sent", f.sentCount())
	}
	big := httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader(`{"update_id":1,"message":{"text":"`+strings.Repeat("x", 2<<20)+`"}}`))
	big.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, big)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB body: %d", w.Code)
	}
	bad := httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader(`{not json`))
	bad.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, bad)
	if w.Code != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", w.Code)
	}
}

func TestWebhookPrepWithTapsAndEscapedHTML(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, WithWebhook("https://example.invalid/telegram", secret))
	h := a.WebhookHandler()
	user := time.Now().UnixNano()%1e9 + 2
	id := int64(100)
	run := func(u *models.Update) {
		id++
		u.ID = id
		if w := post(h, secret, u); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	run(textUpdate(user, "/prep"))
	run(tapUpdate(user, f.button(t, "其他")))
	run(textUpdate(user, "<b>x</b>"))
	for _, s := range []string{"35000", "60", "8000", "5000"} {
		run(textUpdate(user, s))
	}
	run(tapUpdate(user, f.button(t, "跳过")))
	run(tapUpdate(user, f.button(t, "失业/收入下降")))
	run(tapUpdate(user, f.button(t, "分期")))
	summary := f.last().text
	if !strings.Contains(summary, "&lt;b&gt;x&lt;/b&gt;") || strings.Contains(summary, "<b>x</b>") {
		t.Errorf("user text not escaped: %s", summary)
	}
	run(tapUpdate(user, f.button(t, "确认，生成方案")))
	if !strings.Contains(f.last().text, "2,100") {
		t.Errorf("plan: %s", f.last().text)
	}
}

func TestTooManyRequestsIsHonoured(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f)
	f.tooMany = 1
	start := time.Now()
	if err := a.Send(context.Background(), "5", []bot.Reply{{Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	if f.sentCount() != 1 || time.Since(start) < 900*time.Millisecond {
		t.Errorf("sent %d after %v: want one send after retry_after (1 s)", f.sentCount(), time.Since(start))
	}
}

func TestSplitAtParagraphs(t *testing.T) {
	p := strings.Repeat("段", 3000)
	parts := split(p+"\n\n"+p, 4096)
	if len(parts) != 2 || parts[0] != p || parts[1] != p {
		t.Errorf("split into %d parts", len(parts))
	}
	if got := split("short", 4096); len(got) != 1 || got[0] != "short" {
		t.Errorf("%q", got)
	}
	long := strings.Repeat("a", 9000)
	for _, part := range split(long, 4096) {
		if len([]rune(part)) > 4096 {
			t.Errorf("part of %d characters", len(part))
		}
	}
}

func TestGroupsGetCommandsAndMentionsOnlyAndPersonalMovesToPrivate(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	member := time.Now().UnixNano() % 1e9 // unique: the real Redis outlives test runs
	a.limit.perGroup = 0
	group := func(text string, id int64) *models.Update {
		return &models.Update{ID: member*10 + id, Message: &models.Message{ID: 1, Text: text, From: &models.User{ID: member},
			Chat: models.Chat{ID: -100, Type: models.ChatTypeSupergroup}}}
	}
	a.handleBatch(context.Background(), []*models.Update{group("大家好，今天天气不错", 1)})
	if f.sentCount() != 0 {
		t.Fatal("answered group chatter")
	}
	a.handleBatch(context.Background(), []*models.Update{group("/prep@loanbot_test_bot", 2)})
	if got := f.last().text; !strings.Contains(got, "https://t.me/loanbot_test_bot?start=prep") || f.last().chat != "-100" {
		t.Errorf("personal command in a group: %+v", f.last())
	}
	a.handleBatch(context.Background(), []*models.Update{group("@loanbot_test_bot 逾期会坐牢吗", 3)})
	if got := f.last().text; !strings.Contains(got, "法律依据") {
		t.Errorf("a mention with a question: %s", got)
	}
}

// FuzzWebhook: whatever arrives at the webhook with the right secret, the
// handler answers without panicking.
//
//	go test ./channel/telegram -run '^$' -fuzz FuzzWebhook -fuzztime 1m
func FuzzWebhook(f *testing.F) {
	for _, s := range []string{`{"update_id":1,"message":{"message_id":1,"date":1,"text":"/start","from":{"id":1},"chat":{"id":1,"type":"private"}}}`,
		`{"update_id":2,"callback_query":{"id":"x","data":"c:weilidai","from":{"id":1},"message":{"message_id":3,"date":1,"chat":{"id":1,"type":"private"}}}}`,
		`{"update_id":3,"callback_query":{"id":"x","data":"c:weilidai","from":{"id":1},"message":{"message_id":3,"date":0,"chat":{"id":1,"type":"private"}}}}`,
		`{"update_id":4,"message":{"text":"hi"}}`, `{}`, `[]`, `null`, `{"update_id":"x"}`} {
		f.Add(s)
	}
	api := newFakeAPI(f)
	a := newAdapter(f, api, WithWebhook("https://example.invalid/tg", secret))
	h := a.WebhookHandler()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/tg", strings.NewReader(body))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		h.ServeHTTP(httptest.NewRecorder(), r)
	})
}

func TestLimiterSpacesChatsAndGroups(t *testing.T) {
	l := newLimiter()
	l.global = 0
	l.perChat, l.perGroup = 50*time.Millisecond, 200*time.Millisecond
	ctx := context.Background()
	l.wait(ctx, 5)
	start := time.Now()
	l.wait(ctx, 5)
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("two messages to one chat %v apart", d)
	}
	l.wait(ctx, -100)
	start = time.Now()
	l.wait(ctx, -100)
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Errorf("two messages to one group %v apart", d)
	}
	start = time.Now()
	l.wait(ctx, 6) // another chat is not held up
	if d := time.Since(start); d > 30*time.Millisecond {
		t.Errorf("another chat waited %v", d)
	}
}

func TestImagesGoAsPhotosAndBlockedUsersAreReported(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f)
	err := a.Send(context.Background(), "9", []bot.Reply{{Text: "chart", Image: &bot.Attachment{Name: "plan.png", MIME: "image/png", Data: []byte("\x89PNG...")}},
		{Text: "doc", Document: &bot.Attachment{Name: "plan.txt", Data: []byte("plan")}}})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls["sendPhoto"] != 1 || f.calls["sendDocument"] != 1 {
		t.Errorf("calls: %v", f.calls)
	}
	blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`))
	}))
	defer blocked.Close()
	b, _ := New("123:ABC", nil, WithAPIURL(blocked.URL))
	if err := b.Send(context.Background(), "9", []bot.Reply{{Text: "hi"}}); !errors.Is(err, bot.ErrBlocked) {
		t.Errorf("403: %v, want bot.ErrBlocked", err)
	}
}

type failing struct{}

func (failing) Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result {
	ch := make(chan bot.Result, 1)
	ch <- bot.Result{Replies: []bot.Reply{{Text: "服务暂时不可用"}}, Err: errors.New("redis down")}
	return ch
}

// When the engine could not save an update, the webhook answers 503 and
// sends nothing: Telegram delivers it again, the user types nothing twice.
func TestWebhookAsksForRedeliveryWhenNothingWasSaved(t *testing.T) {
	f := newFakeAPI(t)
	a, err := New("123:ABC", failing{}, WithAPIURL(f.URL), WithWebhook("https://example.invalid/tg", secret))
	if err != nil {
		t.Fatal(err)
	}
	u := textUpdate(5, "35000")
	u.ID = 9
	if w := post(a.WebhookHandler(), secret, u); w.Code != http.StatusServiceUnavailable || f.sentCount() != 0 {
		t.Errorf("status %d, %d sent", w.Code, f.sentCount())
	}
}
