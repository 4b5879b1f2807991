package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/msg"
	"loanbot/msg/msgtest"
	"loanbot/store"
	"loanbot/store/storetest"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestPageSetsSignedHttpOnlyLaxCookie(t *testing.T) {
	c := newChat(t, WithSecret([]byte("0123456789abcdef0123456789abcdef")))
	tests := []struct {
		name       string
		hdr        map[string]string
		wantSecure bool
	}{
		{"plain http", nil, false},
		{"https at the proxy", map[string]string{"X-Forwarded-Proto": "https"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.client(t).do("GET", "/", nil, tt.hdr)
			res.Body.Close()
			var ck *http.Cookie
			for _, k := range res.Cookies() {
				if k.Name == cookieName {
					ck = k
				}
			}
			if ck == nil {
				t.Fatal("no cookie")
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tt.wantSecure || ck.Path != "/" {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Secure=%v, Path=/", ck, tt.wantSecure)
			}
			if c.srv.verify(ck.Value) == "" {
				t.Errorf("cookie %q does not verify", ck.Value)
			}
		})
	}
}

func TestVerifyRefusesForgedAndAlteredCookies(t *testing.T) {
	c := newChat(t, WithSecret([]byte("0123456789abcdef0123456789abcdef")))
	other := newChat(t, WithSecret([]byte("another secret, another server!!")))
	good := c.srv.sign("AAAAAAAAAAAAAAAAAAAAAA")
	if c.srv.verify(good) != "AAAAAAAAAAAAAAAAAAAAAA" {
		t.Fatal("a cookie we signed does not verify")
	}
	id, sig, _ := strings.Cut(good, ".")
	flip := func(s string) string {
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	for name, v := range map[string]string{
		"other id, same signature": "BAAAAAAAAAAAAAAAAAAAAA." + sig,
		"altered signature":        id + "." + flip(sig),
		"signed by another secret": other.srv.sign(id),
		"no signature":             id,
		"empty signature":          id + ".",
		"short id":                 "AAAA." + sig,
		"garbage":                  "%%%.%%%",
	} {
		if got := c.srv.verify(v); got != "" {
			t.Errorf("%s: verified as %q", name, got)
		}
	}
}

// A cookie that does not verify makes a new anonymous user, who sees
// nothing of the user whose id it carries.
func TestForgedCookieGetsANewUserWhoSeesNothingOfTheOther(t *testing.T) {
	c := newChat(t)
	alice := c.client(t)
	alice.say("微粒贷逾期会被起诉吗")
	if n := len(alice.history().Messages); n < 2 {
		t.Fatalf("alice's history has %d messages", n)
	}
	real := alice.cookie()
	id, sig, _ := strings.Cut(real.Value, ".")
	forged := []string{
		id + "." + strings.Repeat("A", len(sig)), // her id, a made-up signature
		id + "." + sig[:len(sig)-2] + "AA",       // her cookie with the signature altered
		strings.Repeat("B", len(id)) + "." + sig, // another id with her signature
		id,                                       // her id alone
		newChatSigner(t, "not the server's secret!").sign(id), // signed with another key
	}
	for _, v := range forged {
		mallory := c.bare(t)
		mallory.hc.Jar.SetCookies(mustURL(c.http.URL), []*http.Cookie{{Name: cookieName, Value: v}})
		h := mallory.history()
		if len(h.Messages) != 0 {
			t.Errorf("forged cookie %q sees %d messages", v, len(h.Messages))
		}
		if code, _ := mallory.post(request{Text: "我的计划"}); code != http.StatusUnauthorized {
			t.Errorf("forged cookie %q posts: %d, want 401", v, code)
		}
		// The page gives the forger an identity of their own.
		mallory.do("GET", "/", nil, nil).Body.Close()
		got := mallory.cookie()
		if got == nil || got.Value == v || c.srv.verify(got.Value) == "" || c.srv.verify(got.Value) == id {
			t.Errorf("forged cookie %q: want a new signed id, got %+v", v, got)
		}
		// Nor can the forger read her chart or anything else by id.
		res := mallory.do("GET", "/api/file/"+h2id(alice)+"/image", nil, nil)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("forged cookie reads alice's file: %d", res.StatusCode)
		}
	}
	// Alice still has hers.
	if n := len(alice.history().Messages); n < 2 {
		t.Errorf("alice's history lost: %d", n)
	}
}

func newChatSigner(t *testing.T, secret string) *Server {
	return &Server{secret: []byte(secret)}
}

func h2id(c *client) string {
	h := c.history()
	if len(h.Messages) == 0 {
		return "none"
	}
	return h.Messages[len(h.Messages)-1].ID
}

func TestPostRefusedFromAnotherOrigin(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	body := []byte(`{"id":"abcdefgh-1","text":"你好"}`)
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"another site's Origin", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}, http.StatusForbidden},
		{"Sec-Fetch-Site cross-site", map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"Sec-Fetch-Site same-site (a sibling subdomain)", map[string]string{"Origin": "", "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"Origin null (sandboxed frame)", map[string]string{"Origin": "null", "Sec-Fetch-Site": ""}, http.StatusForbidden},
		{"a form post (text/plain)", map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"a form post (urlencoded)", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"the site's http page, the request over https", map[string]string{"X-Forwarded-Proto": "https"}, http.StatusForbidden},
		{"another scheme", map[string]string{"Origin": strings.Replace(c.http.URL, "http:", "ftp:", 1)}, http.StatusForbidden},
		{"same origin", nil, http.StatusOK},
		{"the https page through a proxy that ends TLS", map[string]string{"Origin": strings.Replace(c.http.URL, "http:", "https:", 1)}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := u.do("POST", "/api/message", body, tt.hdr)
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Errorf("status %d, want %d", res.StatusCode, tt.want)
			}
		})
	}
	// A cross-site page cannot read the history or open the stream either.
	for _, p := range []string{"/api/history", "/api/events"} {
		res := u.do("GET", p, nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site GET %s: %d", p, res.StatusCode)
		}
	}
}

func TestOversizeBodyRefused(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	big, _ := json.Marshal(request{ID: "abcdefgh-big", Text: strings.Repeat("逾", 22000)}) // 66 KB
	res := u.do("POST", "/api/message", big, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("declared length: status %d, want 413", res.StatusCode)
	}
	// Without a declared length (chunked), the reader stops at 64 KB.
	req, _ := http.NewRequest("POST", c.http.URL+"/api/message", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.http.URL)
	res, err := u.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", res.StatusCode)
	}
	// Just under the limit is fine (the engine shortens the text).
	ok, _ := json.Marshal(request{ID: "abcdefgh-ok", Text: strings.Repeat("逾", 20000)})
	res = u.do("POST", "/api/message", ok, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("60 KB: status %d", res.StatusCode)
	}
}

func TestBadMessagesRefused(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	for name, body := range map[string]string{
		"no id":            `{"text":"hi"}`,
		"short id":         `{"id":"abc","text":"hi"}`,
		"id with a space":  `{"id":"abc defgh","text":"hi"}`,
		"nothing to say":   `{"id":"abcdefgh-2","text":"  "}`,
		"not JSON":         `id=1`,
		"silent not start": `{"id":"abcdefgh-3","text":"/forget","silent":true}`,
	} {
		res := u.do("POST", "/api/message", []byte(body), nil)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, res.StatusCode)
		}
	}
}

func TestAddressLimitCountsEachClientAddress(t *testing.T) {
	c := newChat(t, WithAddrLimit(3, time.Minute), WithTrustedProxies("127.0.0.1/32", "::1"))
	// A documentation address in a /64 of its own (IPv6 clients count per
	// /64), fresh per run on a shared Redis.
	r := randomID()
	addr := "2001:db8:" + r[:4] + ":" + r[4:8] + "::1"
	send := func(u *client, from string) int {
		code, _ := func() (int, answer) {
			body, _ := json.Marshal(request{ID: u.id(), Text: "你好"})
			res := u.do("POST", "/api/message", body, map[string]string{"X-Forwarded-For": from})
			defer res.Body.Close()
			return res.StatusCode, answer{}
		}()
		return code
	}
	a, b := c.client(t), c.client(t)
	for i := 0; i < 3; i++ {
		if got := send(a, addr+", 127.0.0.1"); got != http.StatusOK {
			t.Fatalf("message %d: status %d", i+1, got)
		}
	}
	if got := send(b, addr); got != http.StatusTooManyRequests { // another user, same address
		t.Errorf("4th message from one address: %d, want 429", got)
	}
	if got := send(b, "2001:db8:"+r[8:12]+":"+r[12:16]+"::1"); got != http.StatusOK {
		t.Errorf("another address: %d", got)
	}
}

func TestClientAddressBehindTrustedProxiesOnly(t *testing.T) {
	s := &Server{}
	WithTrustedProxies("10.0.0.0/8")(s)
	tests := []struct{ remote, xff, want string }{
		{"203.0.113.7:5000", "1.2.3.4", "203.0.113.7"},             // not a proxy: its header is ignored
		{"10.1.2.3:5000", "1.2.3.4", "1.2.3.4"},                    // our proxy tells
		{"10.1.2.3:5000", "6.6.6.6, 1.2.3.4, 10.9.9.9", "1.2.3.4"}, // the client forged the first hop
		{"[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::/64"},    // IPv6 per /64
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.clientAddr(r); got != tt.want {
			t.Errorf("%s via %q: %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}

func TestHistoryKeepsBothSidesAndSurvivesANewServer(t *testing.T) {
	st := storetest.Store(t)
	c := newChatOn(t, st, newEngine(t, st), WithHistory(50))
	u := c.client(t)
	u.say("/prep")
	u.tap("c:weilidai", "微粒贷")
	u.say("35000")
	// A new process (another replica, a restart) with the same Redis.
	c2 := newChatOn(t, st, newEngine(t, st))
	u.base = c2.http.URL
	h := u.history()
	var froms, texts []string
	for _, m := range h.Messages {
		froms = append(froms, m.From)
		texts = append(texts, m.Text)
	}
	if got := strings.Join(froms, ","); got != "user,bot,user,bot,user,bot" {
		t.Fatalf("history: %s\n%s", got, strings.Join(texts, "\n---\n"))
	}
	if texts[2] != "微粒贷" || texts[4] != "35000" || !strings.Contains(texts[5], "逾期多久") {
		t.Errorf("history texts: %q", texts)
	}
	if h.Lang != "zh-Hans" {
		t.Errorf("lang %q", h.Lang)
	}
	// The flow goes on where it was.
	if got := u.say("60"); !strings.Contains(got, "税后收入") {
		t.Errorf("after reload: %s", got)
	}
}

func TestHistoryIsCapped(t *testing.T) {
	c := newChat(t, WithHistory(6))
	u := c.client(t)
	for i := 0; i < 5; i++ {
		u.say("/help")
	}
	h := u.history()
	if len(h.Messages) != 6 {
		t.Fatalf("%d messages kept, want 6", len(h.Messages))
	}
	if h.Messages[5].From != "bot" {
		t.Errorf("the newest is not last: %+v", h.Messages[5])
	}
}

func TestRetriedMessageIsHandledAndKeptOnce(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	u.say("/prep")
	m := request{ID: "retry-0123456789", Payload: "c:weilidai", Label: "微粒贷"}
	_, a1 := u.post(m)
	_, a2 := u.post(m) // the page retries after a lost connection
	if !strings.Contains(joined(a1.Messages), "欠多少") {
		t.Fatalf("first: %s", joined(a1.Messages))
	}
	if len(a2.Messages) > 0 && !strings.Contains(joined(a2.Messages), "欠多少") {
		t.Errorf("retry moved the flow: %s", joined(a2.Messages))
	}
	n := 0
	for _, v := range u.history().Messages {
		if v.ID == m.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the message is %d times in the history", n)
	}
	if got := u.say("35000"); !strings.Contains(got, "逾期多久") {
		t.Errorf("next step: %s", got)
	}
}

func TestForgetDeletesTheHistory(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	u.say("微粒贷逾期会被起诉吗")
	id := c.srv.verify(u.cookie().Value)
	u.say("/forget")
	if got := u.tap("forget:yes", "确认删除"); !strings.Contains(got, "已删除") {
		t.Fatalf("forget: %s", got)
	}
	if h := u.history(); len(h.Messages) != 0 {
		t.Errorf("after /forget the history has %d messages: %s", len(h.Messages), joined(h.Messages))
	}
	if n, _ := c.st.UserKeyCount(context.Background(), "web:"+id); n != 0 {
		t.Errorf("%d keys of the user left", n)
	}
	// The cookie now names someone new: nothing links the page to the
	// deleted id.
	if now := c.srv.verify(u.cookie().Value); now == "" || now == id {
		t.Errorf("the cookie id after /forget is %q, before %q: want a new one", now, id)
	}
}

func TestPlanChartServedAsImageToItsOwnerOnly(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	for _, s := range []string{"/prep", "微粒贷", "35000", "60", "8000", "5000", "跳过", "失业/收入下降", "分期"} {
		u.say(s)
	}
	if got := u.say("确认，生成方案"); !strings.Contains(got, "2,100") {
		t.Fatalf("plan: %s", got)
	}
	_, a := u.post(request{Payload: "cmd:/plan chart", Label: "看还款图"})
	var img view
	for _, v := range a.Messages {
		if v.Image != "" {
			img = v
		}
	}
	if !regexp.MustCompile(`^/api/file/[\w.-]+/image$`).MatchString(img.Image) || img.Alt == "" {
		t.Fatalf("no chart in %+v", a.Messages)
	}
	res := u.do("GET", img.Image, nil, nil)
	body := readAll(t, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("chart: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the user's chart may be cached: Cache-Control %q", cc)
	}
	stranger := c.client(t)
	res = stranger.do("GET", img.Image, nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger gets the chart: %d", res.StatusCode)
	}
}

func TestReminderReachesTheOpenPage(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	u.say("你好")
	id := c.srv.verify(u.cookie().Value)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := u.events(ctx)
	rem := []bot.Reply{{Text: "还款提醒：微粒贷 明天到期", Buttons: [][]msg.Button{{{Label: "已还", Payload: "rm:paid:r1:2026-01-01"}}}}}
	if err := c.srv.Send(context.Background(), id, rem); err != nil {
		t.Fatalf("send to an open page: %v", err)
	}
	v := next(t, ev)
	if v.Text != rem[0].Text || !v.Push || v.Away || len(v.Buttons) != 1 {
		t.Errorf("event %+v", v)
	}
	// It is in the history too, so a reload shows it.
	h := u.history()
	if last := h.Messages[len(h.Messages)-1]; last.Text != rem[0].Text || last.Away {
		t.Errorf("history ends with %+v", last)
	}
}

func TestReminderWhileAwayShownAtTheNextVisit(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	u.say("你好")
	id := c.srv.verify(u.cookie().Value)
	err := c.srv.Send(context.Background(), id, []bot.Reply{{Text: "还款提醒：借呗 今天到期"}})
	if !errors.Is(err, msg.ErrDeferred) {
		t.Fatalf("send with no page open: %v, want ErrDeferred", err)
	}
	h := u.history()
	last := h.Messages[len(h.Messages)-1]
	if last.Text != "还款提醒：借呗 今天到期" || !last.Away || !last.Push {
		t.Errorf("next visit: %+v", last)
	}
	if h2 := u.history(); h2.Messages[len(h2.Messages)-1].Away {
		t.Error("still 'away' on the visit after")
	}
}

// Two replicas: the page's stream is open on one, the dispatcher sends on
// the other; the outbox and a Pub/Sub notice carry it across.
func TestReminderCrossesReplicas(t *testing.T) {
	st := storetest.Store(t)
	eng := newEngine(t, st)
	a, b := newChatOn(t, st, eng), newChatOn(t, st, eng)
	u := a.client(t)
	u.say("你好")
	id := a.srv.verify(u.cookie().Value)
	u.base = b.http.URL // the page reconnects to replica b
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Once the stream's preamble arrived, b's subscription is up: the
	// stream subscribes before it writes the preamble, and the store has
	// sent SUBSCRIBE on its connection before it returns, ahead of the
	// round trips of the Send below.
	ev := u.events(ctx)
	err := a.srv.Send(context.Background(), id, []bot.Reply{{Text: "跨副本的提醒"}})
	if !errors.Is(err, msg.ErrDeferred) {
		t.Fatalf("send on a replica without the page: %v", err)
	}
	if v := next(t, ev); v.Text != "跨副本的提醒" {
		t.Errorf("event %+v", v)
	}
}

// slow is an engine that answers only when the test lets it (closes
// release), or at once when release is nil; it records what it was given.
type slow struct {
	release chan struct{}
	mu      sync.Mutex
	in      []bot.Inbound
}

func (s *slow) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	s.mu.Lock()
	s.in = append(s.in, in)
	s.mu.Unlock()
	if s.release != nil {
		<-s.release
	}
	return []bot.Reply{{Text: "慢慢来的回答：" + in.Text}}, nil
}

func TestSlowAnswerComesThroughTheStream(t *testing.T) {
	eng := &slow{release: make(chan struct{})}
	c := newChatOn(t, storetest.Store(t), eng, WithReplyTimeout(50*time.Millisecond))
	var once sync.Once
	answer := func() { once.Do(func() { close(eng.release) }) }
	t.Cleanup(answer) // before the server closes, which waits for the engine
	u := c.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code, a := u.post(request{Text: "在吗"})
	if code != http.StatusAccepted || !a.Pending {
		t.Fatalf("status %d %+v, want 202 pending", code, a)
	}
	ev := u.events(ctx) // as the page does after a message
	answer()            // the engine answers only now, with the stream open
	if v := next(t, ev); v.Text != "慢慢来的回答：在吗" || v.Push {
		t.Errorf("event %+v", v)
	}
}

func TestInboundCarriesUserLanguageAndMessageID(t *testing.T) {
	eng := &slow{}
	c := newChatOn(t, storetest.Store(t), eng)
	u := c.client(t)
	u.post(request{ID: "lang-test-0001", Text: "hello"})
	u.post(request{ID: "lang-test-0002", Payload: "cmd:/prep", Label: "准备协商"})
	if len(eng.in) != 2 {
		t.Fatalf("%d messages", len(eng.in))
	}
	id := c.srv.verify(u.cookie().Value)
	want := []bot.Inbound{
		{Channel: "web", UserID: id, ChatID: id, Text: "hello", LangHint: "zh-CN", MessageID: "lang-test-0001"},
		{Channel: "web", UserID: id, ChatID: id, Payload: "cmd:/prep", LangHint: "zh-CN", MessageID: "lang-test-0002"},
	}
	for i := range want {
		if eng.in[i] != want[i] {
			t.Errorf("inbound %d: %+v, want %+v", i, eng.in[i], want[i])
		}
	}
}

func TestSecretIsSharedByEveryReplica(t *testing.T) {
	st := storetest.Store(t)
	eng := newEngine(t, st)
	a, b := newChatOn(t, st, eng), newChatOn(t, st, eng)
	if !bytes.Equal(a.srv.secret, b.srv.secret) || len(a.srv.secret) < 32 {
		t.Fatal("replicas disagree on the cookie secret")
	}
	u := a.client(t)
	u.say("/prep")
	u.base = b.http.URL
	if h := u.history(); len(h.Messages) != 2 {
		t.Errorf("replica b sees %d messages of the user", len(h.Messages))
	}
}

func TestPageIsSelfContained(t *testing.T) {
	c := newChat(t)
	u := c.client(t)
	res := u.do("GET", "/", nil, nil)
	html := readAll(t, res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if !strings.Contains(html, `<script src="/assets/app.js"`) {
		t.Error("page has no script")
	}
	for name, a := range assets {
		if regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).Match(a.body) && !strings.HasSuffix(name, ".svg") {
			t.Errorf("%s refers to another host", name)
		}
		if name == "app.js" && bytes.Contains(a.body, []byte("innerHTML")) {
			t.Error("app.js uses innerHTML")
		}
	}
	for _, p := range []string{"/assets/app.js", "/assets/app.css", "/assets/icon.svg"} {
		res := u.do("GET", p, nil, nil)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("ETag") == "" {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
		res = u.do("GET", p, nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("%s revalidated: %d", p, res.StatusCode)
		}
	}
	res = u.do("GET", "/api/nothing", nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API path: %d", res.StatusCode)
	}
}

func TestLangOf(t *testing.T) {
	tests := []struct{ text, want string }{
		{"你现在每月税后收入大约多少？", "zh-Hans"},
		{"你現在每月稅後收入大約多少？", "zh-Hant"},
		{"How much do you owe now? (WeBank 微粒贷)", "en"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := langOf([]entry{{From: "bot", Text: tt.text}}); got != tt.want {
			t.Errorf("langOf(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestRedisDownTheUserIsAskedToResendAndNothingBreaks(t *testing.T) {
	rs := storetest.NewServer(t)
	st := store.New(rs.Client())
	c := newChatOn(t, st, newEngine(t, st))
	u := c.client(t)
	u.say("/prep")
	u.tap("c:weilidai", "微粒贷")
	rs.Stop()
	code, a := u.post(request{Text: "35000"})
	if code != http.StatusOK || !strings.Contains(joined(a.Messages), "重新发送") {
		t.Errorf("Redis down: %d %s", code, joined(a.Messages))
	}
	res := u.do("GET", "/api/history", nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("history with Redis down: %d", res.StatusCode)
	}
	rs.Start()
	if got := u.say("35000"); !strings.Contains(got, "逾期多久") {
		t.Errorf("after Redis is back: %s", got)
	}
}

// Every word of the page exists in every language it speaks.
func TestPageWordsExistInEveryLanguage(t *testing.T) {
	js := string(assets["app.js"].body)
	ui := js[strings.Index(js, "const UI = {"):strings.Index(js, "function fromHint")]
	blocks := regexp.MustCompile(`(?m)^    ("zh-Hans"|"zh-Hant"|en): \{$`).Split(ui, -1)[1:]
	if len(blocks) != 3 {
		t.Fatalf("%d language blocks in app.js", len(blocks))
	}
	key := regexp.MustCompile(`(?m)^      (\w+): "`)
	keys := make([]map[string]bool, 3)
	for i, b := range blocks {
		keys[i] = map[string]bool{}
		for _, m := range key.FindAllStringSubmatch(b, -1) {
			keys[i][m[1]] = true
		}
	}
	for k := range keys[0] {
		if !keys[1][k] || !keys[2][k] {
			t.Errorf("%q is missing in zh-Hant or en", k)
		}
	}
	used := regexp.MustCompile(`data-t(?:-label|-placeholder)?="(\w+)"|\bt\("(\w+)"\)`)
	for _, src := range []string{string(assets["index.html"].body), js} {
		for _, m := range used.FindAllStringSubmatch(src, -1) {
			if k := m[1] + m[2]; !keys[0][k] {
				t.Errorf("the page uses %q, which zh-Hans lacks", k)
			}
		}
	}
}

// The observer sees every bot message: an answer in the response and a
// reminder to an open page as ok, a reminder while away as deferred.
func TestSendsAreReportedByOutcome(t *testing.T) {
	obs := &msgtest.Sends{}
	c := newChat(t, WithObserver(obs))
	u := c.client(t)
	_, ans := u.post(request{ID: u.id(), Text: "/help"})
	if len(ans.Messages) == 0 || obs.Count(Channel, "ok") != len(ans.Messages) {
		t.Fatalf("answer of %d messages, reported ok %d", len(ans.Messages), obs.Count(Channel, "ok"))
	}
	before := obs.Count(Channel, "ok")
	id := c.srv.verify(u.cookie().Value)
	ctx, cancel := context.WithCancel(context.Background())
	ev := u.events(ctx)
	if err := c.srv.Send(context.Background(), id, []bot.Reply{{Text: "还款提醒：花呗 明天到期"}}); err != nil {
		t.Fatal(err)
	}
	next(t, ev)
	cancel()
	if got := obs.Count(Channel, "ok"); got != before+1 {
		t.Errorf("reminder to the open page: ok %d, want %d", got, before+1)
	}
	// The page is closed: wait until the stream is gone from the hub.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := c.srv.Send(context.Background(), id, []bot.Reply{{Text: "还款提醒：借呗 今天到期"}, {Text: "第二条"}})
		if errors.Is(err, msg.ErrDeferred) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed page still takes reminders: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := obs.Count(Channel, "deferred"); got != 2 {
		t.Errorf("two messages while away: deferred %d", got)
	}
}
