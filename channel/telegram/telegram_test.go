package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

// engine is the real engine on the test Redis, counting what it is given.
type engine struct {
	*bot.Engine
	n atomic.Int64
}

func (e *engine) Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result {
	e.n.Add(1)
	return e.Engine.Enqueue(ctx, in)
}

func newEngine(t testing.TB) *engine {
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
	return &engine{Engine: eng}
}

const secret = "0123456789abcdef-secret"

// newAdapter starts an adapter on the fake API with the real engine. Tests
// send many messages to one chat: the per-chat limit is off unless a test
// turns it on.
func newAdapter(t testing.TB, f *fakeAPI, eng Handler, opts ...Option) *Adapter {
	t.Helper()
	if eng == nil {
		eng = newEngine(t)
	}
	quiet := slog.New(slog.DiscardHandler)
	a, err := New("123:ABC", eng, append([]Option{WithAPIURL(f.URL), WithLimits(30, 0), WithLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// post delivers an update to a webhook handler as Telegram does.
func post(h http.Handler, secret string, u any) *httptest.ResponseRecorder {
	b, _ := json.Marshal(u)
	r := httptest.NewRequest(http.MethodPost, "/telegram", bytes.NewReader(b))
	if secret != "" {
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// transport delivers one update and returns once its replies are sent.
type transport func(t *testing.T, chat int64, u tgUpdate)

func byPolling(t *testing.T, f *fakeAPI, a *Adapter) transport {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return func(t *testing.T, chat int64, u tgUpdate) {
		t.Helper()
		n := len(f.sentTo(chat))
		f.push(u)
		f.waitSent(t, chat, n+1)
	}
}

func byWebhook(f *fakeAPI, a *Adapter) transport {
	h := a.WebhookHandler()
	var id atomic.Int64
	return func(t *testing.T, chat int64, u tgUpdate) {
		t.Helper()
		u["update_id"] = 10_000 + id.Add(1)
		if w := post(h, secret, u); w.Code != http.StatusOK {
			t.Fatalf("webhook: %d %s", w.Code, w.Body)
		}
	}
}

// step is one turn of a transcript: type text, or tap the button labelled.
type step struct{ say, tap string }

func (s step) update(t *testing.T, f *fakeAPI, user int64) tgUpdate {
	if s.tap != "" {
		data, msg := f.button(t, user, s.tap)
		return tapUpdate(user, data, msg)
	}
	return textUpdate(user, s.say)
}

// prep is the whole /prep dialog of the spec, by taps where it has buttons.
var prep = []step{{say: "/prep"}, {tap: "微粒贷"}, {say: "35000"}, {say: "60"}, {say: "8000"}, {say: "5000"},
	{tap: "跳过"}, {tap: "失业/收入下降"}, {tap: "分期"}, {tap: "确认，生成方案"}}

func TestPrepDialogWithTaps(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakeAPI(t)
			var a *Adapter
			var deliver transport
			if mode == "polling" {
				a = newAdapter(t, f, nil)
				deliver = byPolling(t, f, a)
			} else {
				a = newAdapter(t, f, nil, WithWebhook("https://example.invalid/telegram", secret))
				deliver = byWebhook(f, a)
			}
			user := newUser()
			taps := 0
			for _, s := range prep {
				if s.tap != "" {
					taps++
				}
				deliver(t, user, s.update(t, f, user))
			}
			plan := f.last(t, user).text()
			if !strings.Contains(plan, "2,100") || !strings.Contains(plan, "微粒贷") {
				t.Errorf("the plan:\n%s", plan)
			}
			if got := len(f.sentTo(user)); got != len(prep) {
				t.Errorf("%d messages for %d steps", got, len(prep))
			}
			if f.count("answerCallbackQuery") != taps || f.count("editMessageReplyMarkup") != taps {
				t.Errorf("%d taps: answerCallbackQuery %d, editMessageReplyMarkup %d", taps, f.count("answerCallbackQuery"), f.count("editMessageReplyMarkup"))
			}
			for _, c := range f.callsOf("editMessageReplyMarkup") {
				if c.f["reply_markup"] != `{"inline_keyboard":[]}` {
					t.Errorf("keyboard not removed: %v", c.f)
				}
			}
			if f.count("setMyCommands") != 3 || f.count("getMe") != 1 {
				t.Errorf("set-up: setMyCommands %d, getMe %d", f.count("setMyCommands"), f.count("getMe"))
			}
			if mode == "polling" && (f.count("deleteWebhook") != 1 || f.count("setWebhook") != 0) {
				t.Errorf("polling must delete the webhook: %d, %d", f.count("deleteWebhook"), f.count("setWebhook"))
			}
			if mode == "webhook" {
				c := f.callsOf("setWebhook")
				if len(c) != 1 || c[0].f["secret_token"] != secret || c[0].f["allowed_updates"] != `["message","callback_query"]` {
					t.Errorf("setWebhook: %+v", c)
				}
			}
			for _, c := range f.sentTo(user) {
				if c.f["parse_mode"] != "HTML" {
					t.Errorf("parse_mode %q", c.f["parse_mode"])
				}
			}
		})
	}
}

// Polling confirms a batch (asks for a later offset) only once its updates
// are handled and answered: a crash before that gets them again.
func TestPollingAdvancesTheOffsetOnlyPastAnsweredUpdates(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, &slowEngine{d: 300 * time.Millisecond})
	user := newUser()
	id := f.push(textUpdate(user, "hello"))
	byPolling(t, f, a)
	f.waitSent(t, user, 1)
	sentAt := f.last(t, user).at
	time.Sleep(50 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	confirmed := false
	for _, p := range f.polls {
		if p.offset > id {
			confirmed = true
			if p.at.Before(sentAt) {
				t.Errorf("offset %d asked for at %v, before the reply went at %v", p.offset, p.at, sentAt)
			}
		}
	}
	if !confirmed {
		t.Error("the update was never confirmed")
	}
}

// Updates of one user that arrive together (one polling batch) are handled
// and answered in arrival order.
func TestABatchOfOneUserIsAnsweredInOrder(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	users := []int64{newUser(), newUser(), newUser()}
	words := []string{"/prep", "微粒贷", "35000", "60", "8000"}
	want := []string{"是哪个平台", "现在一共欠多少", "逾期多久", "税后收入", "必要的生活开支"}
	for _, w := range words { // interleaved, as a batch from many users looks
		for _, u := range users {
			f.push(textUpdate(u, w))
		}
	}
	byPolling(t, f, a)
	for _, u := range users {
		f.waitSent(t, u, len(words))
		for i, c := range f.sentTo(u) {
			if !strings.Contains(c.text(), want[i]) {
				t.Errorf("user %d reply %d: %q, want %q", u, i, c.text(), want[i])
			}
		}
	}
	for deadline := time.Now().Add(time.Second); a.chats.Len() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) { // the last send returns just after the fake got it
			t.Errorf("%d chats left in the send queue", a.chats.Len())
			break
		}
	}
}

func TestWebhookRefusesAWrongOrMissingSecret(t *testing.T) {
	f := newFakeAPI(t)
	eng := newEngine(t)
	a := newAdapter(t, f, eng, WithWebhook("https://example.invalid/telegram", secret))
	h := a.WebhookHandler()
	user := newUser()
	u := textUpdate(user, "/start")
	u["update_id"] = 42
	for _, s := range []string{"", "wrong-secret-value-xx", secret + "x", secret[:len(secret)-1]} {
		if w := post(h, s, u); w.Code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", s, w.Code)
		}
	}
	if eng.n.Load() != 0 || len(f.sentTo(user)) != 0 {
		t.Fatalf("an unauthenticated update reached the engine (%d) or got an answer", eng.n.Load())
	}
	if w := post(h, secret, u); w.Code != http.StatusOK || eng.n.Load() != 1 {
		t.Errorf("the right secret: %d, engine called %d times", w.Code, eng.n.Load())
	}
}

func TestWebhookRefusesBadRequests(t *testing.T) {
	f := newFakeAPI(t)
	eng := newEngine(t)
	h := newAdapter(t, f, eng, WithWebhook("https://example.invalid/telegram", secret)).WebhookHandler()
	for _, c := range []struct {
		name, method, body string
		want               int
	}{
		{"over 1 MB", "POST", `{"update_id":1,"message":{"text":"` + strings.Repeat("x", 2<<20) + `"}}`, http.StatusRequestEntityTooLarge},
		{"not JSON", "POST", `{not json`, http.StatusBadRequest},
		{"not an update", "POST", `{"update_id":"x"}`, http.StatusBadRequest},
		{"GET", "GET", ``, http.StatusMethodNotAllowed},
	} {
		r := httptest.NewRequest(c.method, "/telegram", strings.NewReader(c.body))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
		}
	}
	if eng.n.Load() != 0 {
		t.Errorf("the engine got %d bad requests", eng.n.Load())
	}
}

// Telegram delivers an update again when it got no 200: the state moves
// once (the engine drops the update id it has seen) and the answer is given
// again (the first may never have arrived).
func TestWebhookUpdateDeliveredTwiceIsHandledOnce(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil, WithWebhook("https://example.invalid/telegram", secret))
	deliver := byWebhook(f, a)
	h := a.WebhookHandler()
	user := newUser()
	deliver(t, user, textUpdate(user, "/prep"))
	deliver(t, user, step{tap: "微粒贷"}.update(t, f, user))
	amount := textUpdate(user, "35000")
	amount["update_id"] = 777
	for range 2 {
		if w := post(h, secret, amount); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if got := f.last(t, user).text(); !strings.Contains(got, "逾期多久") {
			t.Fatalf("after 35000: %q", got)
		}
	}
	deliver(t, user, textUpdate(user, "60"))
	if got := f.last(t, user).text(); !strings.Contains(got, "税后收入") {
		t.Errorf("60 went to the wrong question (the repeat moved the dialog?): %q", got)
	}
}

// A double tap (two callback queries on one keyboard) moves the dialog once;
// both taps are answered, so neither spinner hangs.
func TestADoubleTapDoesNothingTwice(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakeAPI(t)
			eng := newEngine(t)
			user := newUser()
			a := newAdapter(t, f, eng, WithWebhook("https://example.invalid/telegram", secret))
			deliver := byWebhook(f, a)
			deliver(t, user, textUpdate(user, "/prep"))
			data, msg := f.button(t, user, "微粒贷")
			sent := len(f.sentTo(user))
			if mode == "polling" { // both taps in one batch
				p := newAdapter(t, f, eng)
				f.push(tapUpdate(user, data, msg))
				f.push(tapUpdate(user, data, msg))
				byPolling(t, f, p)
				f.waitSent(t, user, sent+1)
				time.Sleep(100 * time.Millisecond)
			} else {
				deliver(t, user, tapUpdate(user, data, msg))
				deliver(t, user, tapUpdate(user, data, msg))
			}
			if got := len(f.sentTo(user)) - sent; got != 1 {
				t.Errorf("%d replies to a double tap", got)
			}
			if f.count("answerCallbackQuery") != 2 || f.count("editMessageReplyMarkup") != 1 {
				t.Errorf("answerCallbackQuery %d (want 2), editMessageReplyMarkup %d (want 1)", f.count("answerCallbackQuery"), f.count("editMessageReplyMarkup"))
			}
			if eng.n.Load() != 2 {
				t.Errorf("the engine got %d updates, want 2 (/prep and one tap)", eng.n.Load())
			}
		})
	}
}

// Text the user typed is shown back escaped: a lender named "<b>x</b>"
// appears as text in the summary, not as bold.
func TestUserTextIsEscapedInHTML(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil, WithWebhook("https://example.invalid/telegram", secret))
	deliver := byWebhook(f, a)
	user := newUser()
	for _, s := range []step{{say: "/prep"}, {tap: "其他"}, {say: "<b>x</b> & Co"}, {say: "35000"}, {say: "60"}, {say: "8000"},
		{say: "5000"}, {tap: "跳过"}, {tap: "失业/收入下降"}, {tap: "分期"}} {
		deliver(t, user, s.update(t, f, user))
	}
	summary := f.last(t, user).text()
	if !strings.Contains(summary, "&lt;b&gt;x&lt;/b&gt; &amp; Co") || strings.Contains(summary, "<b>") {
		t.Errorf("user text not escaped:\n%s", summary)
	}
}

func TestTooManyRequestsWaitsRetryAfter(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	f.fail = []string{tooMany}
	if err := a.Send(context.Background(), "5", []bot.Reply{{Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	attempts := f.callsOf("sendMessage")
	if len(attempts) != 2 || len(f.sentTo(5)) != 1 {
		t.Fatalf("%d attempts, %d sent: want the second attempt to succeed", len(attempts), len(f.sentTo(5)))
	}
	if gap := attempts[1].at.Sub(attempts[0].at); gap < time.Second {
		t.Errorf("retried %v after a 429 with retry_after 1", gap)
	}
}

func TestServerErrorsAreRetriedAndBlockedUsersReported(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	f.fail = []string{serverError, serverError}
	if err := a.Send(context.Background(), "6", []bot.Reply{{Text: "hi"}}); err != nil || len(f.sentTo(6)) != 1 {
		t.Errorf("after two 5xx: %v, %d sent", err, len(f.sentTo(6)))
	}
	f.fail = []string{forbidden}
	if err := a.Send(context.Background(), "7", []bot.Reply{{Text: "hi"}}); !errors.Is(err, bot.ErrBlocked) {
		t.Errorf("403: %v, want bot.ErrBlocked", err)
	}
	if err := a.Send(context.Background(), "tg:7", nil); err == nil {
		t.Error("a user id that is not a chat id was accepted")
	}
}

func TestLongTextIsSplitAtParagraphsWithTheButtonsLast(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	para := strings.Repeat("逾期", 1000) // 2,000 characters
	text := para + "\n\n" + para + "\n\n" + para
	err := a.Send(context.Background(), "8", []bot.Reply{{Text: text, Buttons: [][]bot.Button{{{Label: "好", Payload: "cmd:/help"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := f.sentTo(8)
	if len(got) != 2 || got[0].text() != para+"\n\n"+para || got[1].text() != para {
		t.Fatalf("%d parts", len(got))
	}
	if len(got[0].keyboard().InlineKeyboard) != 0 || len(got[1].keyboard().InlineKeyboard) != 1 {
		t.Error("the buttons must go under the last part only")
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		name  string
		text  string
		parts int
	}{
		{"short", "short", 1},
		{"empty", "", 1},
		{"no breaks", strings.Repeat("a", 9000), 3},
		{"lines", strings.Repeat(strings.Repeat("b", 99)+"\n", 100), 3},
		{"emoji count twice", strings.Repeat("😀", 3000), 2},
	} {
		parts := split(c.text, maxText)
		if len(parts) != c.parts {
			t.Errorf("%s: %d parts, want %d", c.name, len(parts), c.parts)
		}
		for _, p := range parts {
			if utf16Len(p) > maxText {
				t.Errorf("%s: a part of %d UTF-16 units", c.name, utf16Len(p))
			}
		}
		if !strings.Contains(c.text, "\n") && strings.Join(parts, "") != c.text {
			t.Errorf("%s: text lost", c.name)
		}
	}
}

func TestImagesGoAsPhotosAndDocumentsAsDocuments(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	err := a.Send(context.Background(), "9", []bot.Reply{
		{Text: "还款图 <1>", Image: &bot.Attachment{Name: "plan.png", MIME: "image/png", Data: []byte("\x89PNG..."), Caption: "还款图 <1>"}},
		{Text: "方案全文", Document: &bot.Attachment{Name: "plan.txt", MIME: "text/plain", Data: []byte("plan"), Caption: "方案"},
			Buttons: [][]bot.Button{{{Label: "好", Payload: "cmd:/help"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := f.sentTo(9)
	if len(got) != 3 || got[0].method != "sendPhoto" || got[1].method != "sendDocument" || got[2].method != "sendMessage" {
		t.Fatalf("sent %v", got)
	}
	if got[0].f["photo"] != "<file plan.png>" || got[0].text() != "还款图 &lt;1&gt;" || got[1].f["document"] != "<file plan.txt>" {
		t.Errorf("photo %v, document %v", got[0].f, got[1].f)
	}
	if got[2].text() != "方案全文" || len(got[2].keyboard().InlineKeyboard) != 1 {
		t.Errorf("the text after the document: %v", got[2].f)
	}
}

func TestCallbackDataOver64BytesIsLeftOut(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil)
	err := a.Send(context.Background(), "10", []bot.Reply{{Text: "选一个", Buttons: [][]bot.Button{
		{{Label: "短", Payload: "c:weilidai"}, {Label: "长", Payload: "faq:" + strings.Repeat("x", 61)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := f.last(t, 10).keyboard().InlineKeyboard
	if len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].CallbackData != "c:weilidai" {
		t.Errorf("keyboard %+v", rows)
	}
}

// slowEngine answers after d, echoing the text.
type slowEngine struct{ d time.Duration }

func (*slowEngine) Commands(string) []bot.CommandInfo { return nil }

func (s *slowEngine) Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result {
	ch := make(chan bot.Result, 1)
	go func() { time.Sleep(s.d); ch <- bot.Result{Replies: []bot.Reply{{Text: "echo " + in.Text}}} }()
	return ch
}

func TestASlowReplyShowsTypingFirst(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, &slowEngine{d: 1300 * time.Millisecond}, WithWebhook("https://example.invalid/telegram", secret))
	user := newUser()
	byWebhook(f, a)(t, user, textUpdate(user, "slow"))
	actions := f.callsOf("sendChatAction")
	if len(actions) != 1 || actions[0].f["action"] != "typing" || !actions[0].at.Before(f.last(t, user).at) {
		t.Errorf("chat actions %v", actions)
	}
	a2 := newAdapter(t, f, &slowEngine{d: 0}, WithWebhook("https://example.invalid/telegram", secret))
	byWebhook(f, a2)(t, user, textUpdate(user, "fast"))
	if n := f.count("sendChatAction"); n != 1 {
		t.Errorf("a fast reply showed typing (%d actions)", n)
	}
}

// failing is an engine whose store is down: it gives its "please resend"
// reply and an error.
type failing struct{}

func (failing) Commands(string) []bot.CommandInfo { return nil }

func (failing) Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result {
	ch := make(chan bot.Result, 1)
	ch <- bot.Result{Replies: []bot.Reply{{Text: "服务暂时不可用，请稍后再发一次"}}, Err: errors.New("redis down")}
	return ch
}

// When the engine could not save an update, the webhook answers 503 and
// sends nothing: Telegram delivers it again and the user types nothing
// twice. Polling, which cannot ask for one update again, sends the
// engine's "please resend".
func TestWhenNothingWasSavedTheWebhookAsksForRedelivery(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, failing{}, WithWebhook("https://example.invalid/tg", secret))
	u := textUpdate(5, "35000")
	u["update_id"] = 9
	if w := post(a.WebhookHandler(), secret, u); w.Code != http.StatusServiceUnavailable || len(f.sentTo(5)) != 0 {
		t.Errorf("webhook: status %d, %d sent", w.Code, len(f.sentTo(5)))
	}
	p := newAdapter(t, f, failing{})
	byPolling(t, f, p)(t, 6, textUpdate(6, "35000"))
	if got := f.last(t, 6).text(); !strings.Contains(got, "再发一次") {
		t.Errorf("polling: %q", got)
	}
}

func TestGroupsGetCommandsAndMentionsOnlyAndPersonalMattersMoveToPrivate(t *testing.T) {
	f := newFakeAPI(t)
	eng := newEngine(t)
	a := newAdapter(t, f, eng, WithWebhook("https://example.invalid/telegram", secret))
	deliver := byWebhook(f, a)
	member, group := newUser(), -newUser()
	say := func(text string) string {
		t.Helper()
		n := len(f.sentTo(group))
		deliver(t, group, groupUpdate(member, group, text))
		if s := f.sentTo(group); len(s) > n {
			return s[len(s)-1].text()
		}
		return ""
	}
	link := "https://t.me/loanbot_test_bot?start="
	for _, c := range []struct{ say, want string }{
		{"大家好，今天天气不错", ""},            // chatter
		{"/start@some_other_bot", ""}, // another bot's command
		{"/prep", link + "prep"},      // personal: to the private chat
		{"/remind@loanbot_test_bot", link + "remind"},
		{"/start prep", link + "prep"},
		{"@loanbot_test_bot 我欠了35000怎么办", link + "start"}, // an amount
		{"@LoanBot_Test_Bot 逾期会坐牢吗", "法律依据"},              // a question: answered here
	} {
		got := say(c.say)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%q in a group: %q, want %q", c.say, got, c.want)
		}
	}
	// A dialog the member has open in private is not answered from the
	// group, and the group's messages do not move it.
	private := byWebhook(f, a)
	private(t, member, textUpdate(member, "/prep"))
	private(t, member, step{tap: "微粒贷"}.update(t, f, member))
	if got := say("@loanbot_test_bot 逾期会坐牢吗"); strings.Contains(got, "欠多少") {
		t.Errorf("the group saw the private dialog: %q", got)
	}
	private(t, member, textUpdate(member, "35000"))
	if got := f.last(t, member).text(); !strings.Contains(got, "逾期多久") {
		t.Errorf("the private dialog lost its place: %q", got)
	}
}

// fakeClock is a limiter's clock that waits on nothing: sleep records
// the wait, and passes it on the clock when advance is set (one sender
// sending in turn) or not (senders that all came at the same instant).
type fakeClock struct {
	mu      sync.Mutex
	t       time.Time
	advance bool
	slept   []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if c.advance && d > 0 {
		c.t = c.t.Add(d)
	}
}

// waited is how long the last wait slept.
func (c *fakeClock) waited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept[len(c.slept)-1]
}

func newFakeLimiter(advance bool) (*limiter, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), advance: advance}
	l := newLimiter()
	l.now, l.sleep = c.now, c.sleep
	return l, c
}

func TestLimiterSpacesChatsGroupsAndTheBot(t *testing.T) {
	ctx := context.Background()
	l, clk := newFakeLimiter(true)
	l.global.every = 0
	l.chat = rate{50 * time.Millisecond, 3}
	l.group = rate{200 * time.Millisecond, 1}
	for i := range 3 { // a burst of three goes at once
		l.wait(ctx, 5, false)
		if d := clk.waited(); d > 0 {
			t.Errorf("message %d of a burst of 3 to one chat waited %v", i+1, d)
		}
	}
	l.wait(ctx, 5, false)
	if d := clk.waited(); d != 50*time.Millisecond {
		t.Errorf("the 4th message to one chat waited %v, want 50ms", d)
	}
	l.wait(ctx, -100, false)
	l.wait(ctx, -100, false)
	if d := clk.waited(); d != 200*time.Millisecond {
		t.Errorf("two messages to one group %v apart, want 200ms", d)
	}
	l.wait(ctx, 6, false) // another chat is not held up
	if d := clk.waited(); d > 0 {
		t.Errorf("another chat waited %v", d)
	}

	// 20 messages to 20 chats at the same instant, 100/s for the bot: one
	// goes at once and each other one 10 ms after the one before.
	g, gclk := newFakeLimiter(false)
	g.global = rate{10 * time.Millisecond, 1}
	g.chat, g.group = rate{}, rate{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { g.wait(ctx, int64(i), false) })
	}
	wg.Wait()
	waits := slices.Clone(gclk.slept)
	slices.Sort(waits)
	for i, d := range waits {
		if want := time.Duration(i) * 10 * time.Millisecond; d != want {
			t.Errorf("20 messages at 100/s: waits %v, want 0, 10ms, 20ms … 190ms", waits)
			break
		}
	}
}

// A 429 with retry_after holds the chat's next message until then.
func TestLimiterPauseHoldsTheChat(t *testing.T) {
	l, clk := newFakeLimiter(true)
	l.global.every = 0
	l.pause(7, 2*time.Second)
	l.wait(context.Background(), 7, false)
	if d := clk.waited(); d != 2*time.Second {
		t.Errorf("the message after a 429 with retry_after 2s waited %v", d)
	}
}

// Many users at once over the webhook, each sending the next update as
// soon as the reply to the previous one arrives (before the webhook's
// answer): each one's replies come in order.
func TestConcurrentUsersEachInOrder(t *testing.T) {
	f := newFakeAPI(t)
	a := newAdapter(t, f, nil, WithWebhook("https://example.invalid/telegram", secret), WithLimits(0, 0))
	h := a.WebhookHandler()
	words := []string{"/prep", "微粒贷", "35000", "60", "8000"}
	want := []string{"是哪个平台", "现在一共欠多少", "逾期多久", "税后收入", "必要的生活开支"}
	users := make([]int64, 20)
	replied := map[string]chan struct{}{}
	for i := range users {
		users[i] = newUser()
		replied[fmt.Sprint(users[i])] = make(chan struct{}, len(words))
	}
	f.onSend = func(c call) { replied[c.chat()] <- struct{}{} }
	var id atomic.Int64
	var wg sync.WaitGroup
	for _, user := range users {
		wg.Go(func() {
			var posts sync.WaitGroup
			for _, w := range words {
				u := textUpdate(user, w)
				u["update_id"] = id.Add(1)
				posts.Go(func() {
					if r := post(h, secret, u); r.Code != http.StatusOK {
						t.Errorf("status %d", r.Code)
					}
				})
				select {
				case <-replied[fmt.Sprint(user)]:
				case <-time.After(10 * time.Second):
					t.Errorf("user %d: no reply to %q", user, w)
				}
			}
			posts.Wait()
		})
	}
	wg.Wait()
	for _, u := range users {
		got := f.sentTo(u)
		if len(got) != len(words) {
			t.Fatalf("user %d: %d replies", u, len(got))
		}
		for i, c := range got {
			if !strings.Contains(c.text(), want[i]) {
				t.Errorf("user %d reply %d: %q", u, i, c.text())
			}
		}
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
		`{"update_id":5,"message":{"message_id":1,"date":1,"text":"@loanbot_test_bot 35000","from":{"id":1},"chat":{"id":-5,"type":"group"}}}`,
		`{"update_id":4,"message":{"text":"hi"}}`, `{}`, `[]`, `null`, `{"update_id":"x"}`} {
		f.Add(s)
	}
	api := newFakeAPI(f)
	a := newAdapter(f, api, nil, WithWebhook("https://example.invalid/tg", secret), WithLimits(0, 0))
	h := a.WebhookHandler()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/tg", strings.NewReader(body))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		h.ServeHTTP(httptest.NewRecorder(), r)
	})
}

// Two replicas' limiters on one Redis keep one budget: 60 messages at 30 a
// second are scheduled over two seconds between them, not one each. With
// Redis out of reach a replica keeps to a third of the budget by itself.
func TestSharedLimitsAcrossReplicasAndWithoutRedis(t *testing.T) {
	st := storetest.Store(t)
	bot := fmt.Sprintf("%d", time.Now().UnixNano())
	var waits []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	for r := 0; r < 2; r++ {
		l, _ := newFakeLimiter(false)
		l.shared, l.bot = st, bot
		l.sleep = func(_ context.Context, d time.Duration) { mu.Lock(); waits = append(waits, d); mu.Unlock() }
		for i := 0; i < 30; i++ {
			wg.Go(func() { l.wait(context.Background(), int64(r*100+i), false) })
		}
	}
	wg.Wait()
	slices.Sort(waits)
	if len(waits) != 60 || waits[59] < 1900*time.Millisecond || waits[29] < 900*time.Millisecond {
		t.Errorf("60 messages from two replicas at 30/s: waits from %v to %v (30th %v)", waits[0], waits[len(waits)-1], waits[29])
	}

	l, clk := newFakeLimiter(false)
	l.shared, l.bot = downLimits{}, bot
	l.global, l.chat = rate{10 * time.Millisecond, 1}, rate{}
	for i := 0; i < 3; i++ {
		l.wait(context.Background(), int64(i), false)
	}
	if d := clk.waited(); d != 60*time.Millisecond {
		t.Errorf("the 3rd message with Redis down waited %v, want 60ms (a third of the budget)", d)
	}
}

// downLimits is a shared schedule whose Redis does not answer.
type downLimits struct{}

func (downLimits) ReserveSend(context.Context, string, string, string, store.SendLimit, store.SendLimit, bool) (store.Slot, error) {
	return store.Slot{}, errors.New("connection refused")
}
func (downLimits) PauseSend(context.Context, string, string, string, store.SendLimit, time.Duration) error {
	return errors.New("connection refused")
}
