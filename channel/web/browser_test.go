package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"loanbot/bot"
	"loanbot/internal/browsertest"
	"loanbot/msg"
)

// These tests drive the page in headless Chromium (Debian's chromium
// package) as a user on a phone would: they are skipped only where no
// Chromium is installed.

func openChat(t *testing.T) (*chat, *browsertest.Browser) {
	t.Helper()
	c := newChat(t)
	b := browsertest.Open(t, "zh-CN")
	if err := b.Open(c.http.URL); err != nil {
		t.Fatalf("open: %v", err)
	}
	return c, b
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantIn(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("want %q in:\n%s", w, got)
		}
	}
}

func eval[T any](t *testing.T, b *browsertest.Browser, expr string) T {
	t.Helper()
	v, err := browsertest.Eval[T](b, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func TestBrowserAnswersALegalQuestionWithChipsAndATapSendsOnce(t *testing.T) {
	_, b := openChat(t)
	s := must[string](t)
	wantIn(t, s(b.LogText()), "loanbot", "准备协商") // the welcome and its chips

	got := s(b.Say("微粒贷逾期会被起诉吗"))
	wantIn(t, got, "有可能", "法律依据")
	if n := eval[int](t, b, `document.querySelector("#log .msg.bot:last-of-type .chips") ? document.querySelectorAll("#log .msg.bot:last-of-type .chip:not(:disabled)").length : 0`); n < 3 {
		t.Fatalf("the answer has %d live chips", n)
	}
	if lang := eval[string](t, b, `document.documentElement.lang`); lang != "zh-Hans" {
		t.Errorf("page language %q", lang)
	}

	// A double tap on a chip sends it once, and spends the set.
	users := eval[int](t, b, `document.querySelectorAll("#log .msg.user").length`)
	got = s(b.Tap("怎么跟平台协商还款"))
	wantIn(t, got, "协商")
	eval[bool](t, b, `(() => { const c = Array.from(document.querySelectorAll(".chip")).find(c => c.textContent === "怎么跟平台协商还款"); c.click(); c.click(); return true })()`)
	if err := b.Idle(); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, b, `document.querySelectorAll("#log .msg.user").length`); n != users+1 {
		t.Errorf("%d user messages after one tap and a double tap on the spent chip, want %d", n, users+1)
	}
	if !eval[bool](t, b, `Array.from(document.querySelectorAll(".chip")).find(c => c.textContent === "怎么跟平台协商还款").disabled`) {
		t.Error("the tapped chip is still live")
	}
	if d := b.Dialogs(); len(d) > 0 {
		t.Errorf("dialogs opened: %q", d)
	}
}

func TestBrowserRunsThePrepFlowToThePlanAndChartAndSurvivesReloads(t *testing.T) {
	c, b := openChat(t)
	s := must[string](t)
	wantIn(t, s(b.Say("/prep")), "是哪个平台的欠款")
	wantIn(t, s(b.Tap("微粒贷")), "一共欠多少")
	wantIn(t, s(b.Say("35000")), "逾期多久")
	wantIn(t, s(b.Say("60")), "税后收入")
	wantIn(t, s(b.Say("8000")), "必要的生活开支")

	// A reload in the middle: the conversation is there, and so is the flow.
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	wantIn(t, s(b.LogText()), "微粒贷", "35000", "60", "8000", "必要的生活开支")
	last := eval[string](t, b, `Array.from(document.querySelectorAll("#log .msg")).pop().innerText`)
	wantIn(t, last, "必要的生活开支")
	if eval[int](t, b, `document.querySelectorAll(".chip:not(:disabled)").length`) == 0 {
		t.Error("the current question's chips are dead after the reload")
	}
	if n := eval[int](t, b, `Array.from(document.querySelectorAll(".chip:not(:disabled)")).filter(c => c.textContent === "微粒贷").length`); n != 0 {
		t.Error("an old question's chips are live after the reload")
	}

	wantIn(t, s(b.Say("5000")), "其他欠款")
	wantIn(t, s(b.Tap("跳过")), "主要原因")
	wantIn(t, s(b.Tap("失业/收入下降")), "谈成什么")
	wantIn(t, s(b.Tap("分期")), "请核对", "35,000")
	plan := s(b.Tap("确认，生成方案"))
	wantIn(t, plan, "2,100", "95384", "【通话话术】")
	// The plan is read from its top: its first line is in view.
	inView := `(() => { const m = Array.from(document.querySelectorAll("#log .msg.bot")).pop(); const r = m.getBoundingClientRect(), l = document.getElementById("log").getBoundingClientRect(); return r.top >= l.top - 2 && r.top < l.top + l.height / 3 })()`
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Error("the plan's top is not near the top of the view")
	}

	wantIn(t, s(b.Tap("看还款图")), "2,100")
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector("#log .msg.bot:last-of-type img"); return !!i && i.complete && i.naturalWidth > 300 })()`)); err != nil {
		t.Fatalf("no chart image: %v", err)
	}
	if alt := eval[string](t, b, `document.querySelector("#log img").alt`); !strings.Contains(alt, "2,100") {
		t.Errorf("chart alt %q", alt)
	}

	// After a reload the plan and the chart are still there.
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	wantIn(t, s(b.LogText()), "【通话话术】", "2,100")
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector("#log img"); return !!i && i.complete && i.naturalWidth > 300 })()`)); err != nil {
		t.Errorf("no chart after reload: %v", err)
	}
	_ = c
}

func TestBrowserForgetLeavesNothingAfterAReload(t *testing.T) {
	c, b := openChat(t)
	s := must[string](t)
	s(b.Say("催收打电话给我家人怎么办"))
	s(b.Say("/prep"))
	s(b.Tap("借呗"))
	wantIn(t, s(b.Say("/forget")), "删除")
	wantIn(t, s(b.Say("确认")), "已删除")
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	got := s(b.LogText())
	for _, old := range []string{"打电话给我家人", "借呗", "/forget", "确认", "已删除"} {
		if strings.Contains(got, old) {
			t.Errorf("after /forget and a reload the page shows %q:\n%s", old, got)
		}
	}
	// What is there is a fresh start: the welcome, not the old flow.
	wantIn(t, got, "loanbot")
	if n := eval[int](t, b, `document.querySelectorAll("#log .msg").length`); n != 1 {
		t.Errorf("%d messages on the page, want the welcome alone", n)
	}
	_ = c
}

func TestBrowserShowsTypedHTMLAsTextAndRunsNothing(t *testing.T) {
	c, b := openChat(t)
	const evil = `<img src=x onerror=alert(1)>`
	if _, err := b.Say(evil); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if got := eval[string](t, b, `Array.from(document.querySelectorAll("#log .msg.user .bubble")).map(e => e.lastChild.textContent).pop()`); got != evil {
			t.Errorf("%s: the user's message reads %q", when, got)
		}
		if n := eval[int](t, b, `document.querySelectorAll('#log img[src="x"], #log [onerror]').length`); n != 0 {
			t.Errorf("%s: %d elements made of the user's text", when, n)
		}
		if d := b.Dialogs(); len(d) > 0 {
			t.Errorf("%s: dialogs opened: %q", when, d)
		}
	}
	check("as sent")
	// From the history after a reload, and in a message from the server.
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	check("after a reload")
	id := cookieUser(t, c, b)
	waitStream(t, c, id)
	if err := c.srv.Send(context.Background(), id, []bot.Reply{{Text: "· " + evil + "\n\n<script>alert(2)</script>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`document.getElementById("log").innerText.includes("<script>alert(2)</script>")`)); err != nil {
		t.Fatalf("the pushed message did not arrive: %v", err)
	}
	check("after a pushed message")
	if n := eval[int](t, b, `document.querySelectorAll("#log script").length`); n != 0 {
		t.Error("a script element in the log")
	}
}

// waitStream waits until the page's event stream reached the server (a
// page just opened or reloaded connects it a moment later).
func waitStream(t *testing.T, c *chat, id string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !c.srv.hub.has("web:" + id); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the page's event stream did not connect")
		}
	}
}

// cookieUser reads the page's anonymous user id from its (HttpOnly) cookie.
func cookieUser(t *testing.T, c *chat, b *browsertest.Browser) string {
	t.Helper()
	res, err := chromedp.Call(b.Ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{c.http.URL}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range res.Cookies {
		if k.Name == cookieName {
			if !k.HTTPOnly {
				t.Error("the cookie is readable by script")
			}
			return c.srv.verify(k.Value)
		}
	}
	t.Fatal("no cookie")
	return ""
}

func TestBrowserGetsRemindersLiveWithANotificationAndWhileAway(t *testing.T) {
	c := newChat(t)
	b := browsertest.Open(t, "zh-CN")
	// A browser where the user allowed notifications and looks elsewhere.
	fake := `window.__notes = [];
window.Notification = function (title, o) { window.__notes.push(title + "|" + o.body); };
window.Notification.permission = "granted";
window.Notification.requestPermission = () => Promise.resolve("granted");
document.hasFocus = () => false;`
	err := chromedp.Do(b.Ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fake})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Open(c.http.URL); err != nil {
		t.Fatal(err)
	}
	id := cookieUser(t, c, b)
	waitStream(t, c, id)
	rem := []bot.Reply{{Text: "还款提醒：微粒贷 3月15日 应还2,100元", Buttons: [][]msg.Button{{{Label: "已还", Payload: "rm:paid:x:2026-03-15"}, {Label: "明天再提醒", Payload: "rm:snooze:x"}}}}}
	if err := c.srv.Send(context.Background(), id, rem); err != nil {
		t.Fatalf("send to the open page: %v", err)
	}
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`!!document.querySelector("#log .msg.push .chip")`)); err != nil {
		t.Fatalf("the reminder did not reach the page: %v", err)
	}
	if notes := eval[[]string](t, b, `window.__notes`); len(notes) != 1 || !strings.Contains(notes[0], "应还2,100元") {
		t.Errorf("notifications %q", notes)
	}

	// The page is closed; a reminder comes; the next visit shows it.
	if err := chromedp.Do(b.Ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	for i := 0; c.srv.hub.has("web:" + id); i++ { // the server notices the closed stream
		if i > 100 {
			t.Fatal("the stream of the closed page stays open")
		}
		chromedp.Do(b.Ctx, chromedp.Sleep(50*time.Millisecond))
	}
	if err := c.srv.Send(context.Background(), id, []bot.Reply{{Text: "还款提醒：借呗 今天到期"}}); !errors.Is(err, msg.ErrDeferred) {
		t.Fatalf("send with the page closed: %v", err)
	}
	if err := b.Open(c.http.URL); err != nil {
		t.Fatal(err)
	}
	got := must[string](t)(b.LogText())
	i, j := strings.Index(got, "你不在的时候收到的消息"), strings.Index(got, "借呗 今天到期")
	if i < 0 || j < i {
		t.Errorf("no 'while you were away' before the reminder:\n%s", got)
	}
}

// A browser whose cookie is gone mid-chat gets a new identity from the page
// and its message answered; when its network has used its budget of new
// identities, the page says so instead of failing silently.
func TestBrowserRecoversALostCookieAndExplainsACrowdedNetwork(t *testing.T) {
	c := newChat(t, WithNewUsers(2, time.Hour), WithTrustedProxies("127.0.0.1/32", "::1"))
	b := browsertest.Open(t, "zh-CN")
	// The browser speaks from an address of its own (the budget's counter
	// lives in a Redis shared by runs).
	if _, err := chromedp.Call(b.Ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	hdr := network.Headers{"X-Forwarded-For": freshAddr()}
	if _, err := chromedp.Call(b.Ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: hdr}); err != nil {
		t.Fatal(err)
	}
	if err := b.Open(c.http.URL); err != nil { // the first identity
		t.Fatal(err)
	}
	clear := func() {
		t.Helper()
		if _, err := chromedp.Call(b.Ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	}
	clear()
	got, err := b.Say("微粒贷逾期会被起诉吗") // 401, the page again (the second), the message again
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, got, "法律依据")
	clear()
	eval[bool](t, b, `(() => { const i = document.getElementById("input"); i.value = "还在吗"; i.form.requestSubmit(); return true })()`)
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`Array.from(document.querySelectorAll("#log .note")).some(n => n.textContent.includes("请过一小时再来"))`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("no word about the crowded network: %v\n%s", err, must[string](t)(b.LogText()))
	}
}

// The debt map by taps on a 360×740 phone: three debts, the budget, the
// plan in order, and its chart.
func TestBrowserDebtsByTapsToThePlanAndChart(t *testing.T) {
	_, b := openChat(t)
	steps := []struct{ tap, say, want string }{
		{say: "/debts", want: "还没有记录欠款"},
		{tap: "记一笔", want: "哪个平台或银行"},
		{tap: "信用卡", want: "一共还欠多少"},
		{say: "60000", want: "每个月应还多少"},
		{tap: "不知道", want: "逾期多少天"},
		{say: "100", want: "有没有被起诉"},
		{tap: "没有", want: "实际成本"},
		{tap: "不知道", want: "请核对这笔欠款"},
		{tap: "保存", want: "共1笔"},
		{tap: "记一笔", want: "哪个平台或银行"},
		{tap: "微粒贷", want: "一共还欠多少"},
		{say: "35000", want: "每个月应还多少"},
		{say: "2000", want: "逾期多少天"},
		{say: "20", want: "有没有被起诉"},
		{tap: "没有", want: "实际成本"},
		{tap: "跳过", want: "请核对这笔欠款"},
		{tap: "保存", want: "共2笔"},
		{tap: "记一笔", want: "哪个平台或银行"},
		{say: "美团 欠8000 每月还1000 逾期10天", want: "有没有被起诉"},
		{tap: "没有", want: "实际成本"},
		{say: "到手9000，每月还1000，还12期", want: "56.75%"},
		{tap: "保存", want: "共3笔"},
		{tap: "还款顺序和计划", want: "税后收入"},
		{say: "9000", want: "必要的生活开支"},
		{say: "5000", want: "信用卡（欠60,000元）：每月1,970元"},
	}
	for i, s := range steps {
		var got string
		var err error
		if s.tap != "" {
			got, err = b.Tap(s.tap)
		} else {
			got, err = b.Say(s.say)
		}
		if err != nil {
			t.Fatalf("step %d (%s%s): %v", i, s.tap, s.say, err)
		}
		if !strings.Contains(got, s.want) {
			t.Fatalf("step %d (%s%s): want %q in:\n%s", i, s.tap, s.say, s.want, got)
		}
	}
	if _, err := b.Tap("看还款图"); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`(() => { const i = Array.from(document.querySelectorAll("#log img")).pop(); return !!i && i.complete && i.naturalWidth === 600 })()`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the chart did not load: %v", err)
	}
	// Nothing is wider than the phone.
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the page is %d px wide on a 360 px screen", w)
	}
}
