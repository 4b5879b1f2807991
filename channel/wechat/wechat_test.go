package wechat

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/msg"
	"loanbot/msg/msgtest"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

const (
	testToken = "loanbot-test-token"
	testKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// env is an adapter on the real engine and Redis, and a fake WeChat API.
type env struct {
	a      *Adapter
	api    *fakeAPI
	st     *store.Store
	rem    *remind.Service
	cipher *Cipher
	appID  string
	now    atomic.Int64 // unix ms; 0: the real clock
}

func (e *env) clock() time.Time {
	if ms := e.now.Load(); ms != 0 {
		return time.UnixMilli(ms)
	}
	return time.Now()
}

func newEnv(t *testing.T, eng handler, opts ...Option) *env {
	t.Helper()
	e := &env{api: newFakeAPI(t), st: storetest.Store(t), appID: fmt.Sprintf("wx%016x", rand.Uint64())}
	e.rem = remind.NewService(e.st, "Asia/Shanghai")
	if eng == nil {
		kb, err := faq.Load()
		if err != nil {
			t.Fatal(err)
		}
		b, err := bot.New(e.st, kb, bot.WithReminders(e.rem))
		if err != nil {
			t.Fatal(err)
		}
		eng = b
	}
	cfg := Config{Token: testToken, AESKey: testKey, AppID: e.appID, AppSecret: "app-secret", APIURL: e.api.URL}
	a, err := New(cfg, eng, e.st, append([]Option{WithLogger(slog.New(slog.DiscardHandler)), WithReminders(e.rem), withClock(e.clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e.a = a
	e.cipher = a.cipher
	return e
}

func newOpenID() string { return fmt.Sprintf("o%016x", rand.Uint64()) }

var msgIDs atomic.Int64

func init() { msgIDs.Store(int64(rand.Uint32()) << 20) }

// textXML is a user's text message as WeChat sends it.
func textXML(openid, text string, msgID int64, at time.Time) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_loanbot]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`,
		openid, at.Unix(), escapeCDATA(text), msgID)
}

func eventXML(openid, event, key string, at time.Time) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_loanbot]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey></xml>`,
		openid, at.Unix(), event, key)
}

// request builds WeChat's POST of plain in mode "plain" or "aes".
func (e *env) request(t testing.TB, mode, plain string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(e.clock().Unix(), 10)
	nonce := strconv.FormatUint(rand.Uint64()%1e9, 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {Signature(testToken, ts, nonce)}, "openid": {"x"}}
	body := plain
	if mode == "aes" {
		enc, err := e.cipher.Encrypt([]byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", Signature(testToken, ts, nonce, enc))
		body = "<xml><ToUserName><![CDATA[gh_loanbot]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	}
	return httptest.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), strings.NewReader(body))
}

// reply is a passive reply as the user sees it: "" for "success".
func (e *env) reply(t testing.TB, mode string, w *httptest.ResponseRecorder) string {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	b := w.Body.Bytes()
	if string(b) == "success" {
		return ""
	}
	if mode == "aes" {
		var r struct {
			Encrypt, MsgSignature, TimeStamp, Nonce string
		}
		if err := xml.Unmarshal(b, &r); err != nil {
			t.Fatalf("reply envelope: %v: %s", err, b)
		}
		if !VerifySignature(r.MsgSignature, testToken, r.TimeStamp, r.Nonce, r.Encrypt) {
			t.Fatalf("reply's MsgSignature does not verify: %s", b)
		}
		var err error
		if b, err = e.cipher.Decrypt(r.Encrypt); err != nil {
			t.Fatal(err)
		}
	}
	var m struct {
		ToUserName, FromUserName, MsgType, Content string
	}
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("reply: %v: %s", err, b)
	}
	if m.MsgType != "text" || m.FromUserName != "gh_loanbot" {
		t.Errorf("reply header: %+v", m)
	}
	if len(m.Content) > maxBytes {
		t.Errorf("reply of %d bytes", len(m.Content))
	}
	return m.Content
}

// say sends text from openid and returns the passive reply.
func (e *env) say(t testing.TB, mode, openid, text string) string {
	t.Helper()
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, e.request(t, mode, textXML(openid, text, msgIDs.Add(1), e.clock())))
	return e.reply(t, mode, w)
}

// numberOf finds "回复 N：label" in a reply.
func numberOf(t testing.TB, reply, label string) string {
	t.Helper()
	m := regexp.MustCompile(`回复 (\d+)：` + regexp.QuoteMeta(label)).FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no numbered %q in:\n%s", label, reply)
	}
	return m[1]
}

func TestPrepDialogInSafeMode(t *testing.T) {
	for _, mode := range []string{"aes", "plain"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, nil)
			if mode == "plain" {
				e.a.cfg.Mode = ModePlain // an account without encryption
			}
			u := newOpenID()
			r := e.say(t, mode, u, "/prep")
			r = e.say(t, mode, u, numberOf(t, r, "微粒贷")) // a number for a button
			for _, s := range []string{"35000", "60", "8000", "5000", "跳过", "失业/收入下降"} {
				r = e.say(t, mode, u, s)
			}
			r = e.say(t, mode, u, numberOf(t, r, "分期"))
			r = e.say(t, mode, u, "确认，生成方案")
			if !strings.Contains(r, "2,100") || !strings.Contains(r, "微粒贷") {
				t.Errorf("the plan:\n%s", r)
			}
			if _, sent, _ := e.api.counts(); sent != 0 {
				t.Errorf("%d customer-service messages for a dialog answered in time", sent)
			}
		})
	}
}

// The documentation's safe-mode sample (the Python sample of
// WXBizMsgCrypt): a text message "abcdteT" from oyORnuP8…, taken as is.
func TestOfficialSafeModeSampleReachesTheEngine(t *testing.T) {
	eng := &recorder{reply: "收到 ]]> 了"}
	st := storetest.Store(t)
	at := time.Unix(1409735669, 0)
	a, err := New(Config{Token: pyToken, AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppID: pyAppID}, eng, st,
		withClock(func() time.Time { return at }), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"timestamp": {pyTimestamp}, "nonce": {pyNonce}, "msg_signature": {pyMsgSignature}, "encrypt_type": {"aes"}}
	body := "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" + pyEncrypt + "]]></Encrypt></xml>"
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(body)))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	in := eng.only(t)
	if in.Text != "abcdteT" || in.UserID != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || in.MessageID != "m6054768590064713728" || in.Channel != "wx" {
		t.Errorf("inbound %+v", in)
	}
	var r struct{ Encrypt, MsgSignature, TimeStamp, Nonce string }
	if err := xml.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !VerifySignature(r.MsgSignature, pyToken, r.TimeStamp, r.Nonce, r.Encrypt) {
		t.Error("reply signature")
	}
	plain, err := a.cipher.Decrypt(r.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	want := "<xml><ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName><FromUserName><![CDATA[gh_10f6c3c3ac5a]]></FromUserName>" +
		"<CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到 ]]]]><![CDATA[> 了]]></Content></xml>"
	if string(plain) != want {
		t.Errorf("reply\n got %s\nwant %s", plain, want)
	}
}

// The encrypted reply envelope is reproduced byte for byte from the Java
// sample's published ciphertext (prefix aaaabbbbccccdddd, replyMsg2).
func TestEncryptedReplyEnvelopeByteForByte(t *testing.T) {
	c := mustCipher(t, javaKey, javaAppID)
	enc := c.encryptWithPrefix(prefix16(t, javaPrefix), []byte(javaMsg2))
	got := encryptedReply(enc, Signature(javaToken, javaTimestamp, javaNonce, enc), javaTimestamp, javaNonce)
	want := "<xml><Encrypt><![CDATA[" + javaEncrypt2 + "]]></Encrypt><MsgSignature><![CDATA[" + javaMsgSignature2 +
		"]]></MsgSignature><TimeStamp>1409304348</TimeStamp><Nonce><![CDATA[xxxxxx]]></Nonce></xml>"
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestURLVerificationWithTheDocumentationSample(t *testing.T) {
	at, _ := strconv.ParseInt(docURLTimestamp, 10, 64)
	a, err := New(Config{Token: docToken}, &recorder{}, storetest.Store(t), withClock(func() time.Time { return time.Unix(at, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	get := func(sig, ts string) *httptest.ResponseRecorder {
		q := url.Values{"signature": {sig}, "timestamp": {ts}, "nonce": {docURLNonce}, "echostr": {"4375120948345356249"}}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("GET", "/wechat?"+q.Encode(), nil))
		return w
	}
	if w := get(docURLSignature, docURLTimestamp); w.Code != 200 || w.Body.String() != "4375120948345356249" {
		t.Errorf("good signature: %d %q", w.Code, w.Body)
	}
	if w := get(strings.Replace(docURLSignature, "f", "e", 1), docURLTimestamp); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "4375") {
		t.Errorf("bad signature: %d %q", w.Code, w.Body)
	}
}

func TestRefusedRequestsNeverReachTheEngine(t *testing.T) {
	eng := &recorder{reply: "hi"}
	e := newEnv(t, eng)
	u := newOpenID()
	msg := textXML(u, "你好", 1, time.Now())

	forged := e.request(t, "aes", msg)
	q := forged.URL.Query()
	q.Set("msg_signature", Signature(testToken, "1", "2", "3"))
	forged.URL.RawQuery = q.Encode()

	plainBad := e.request(t, "plain", msg)
	q = plainBad.URL.Query()
	q.Set("signature", strings.Repeat("0", 40))
	plainBad.URL.RawQuery = q.Encode()

	e.now.Store(time.Now().Add(-10 * time.Minute).UnixMilli())
	old := e.request(t, "aes", msg) // signed, but ten minutes old
	e.now.Store(0)

	// Compatible mode: signed Encrypt says "你好"; the unsigned plaintext
	// fields beside it say something else, and are not believed.
	compat := e.request(t, "aes", msg)
	b := new(bytes.Buffer)
	b.ReadFrom(compat.Body)
	compatBody := strings.Replace(b.String(), "<xml>", "<xml><FromUserName><![CDATA[attacker]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/forget]]></Content>", 1)
	compat = httptest.NewRequest("POST", compat.URL.String(), strings.NewReader(compatBody))

	e.a.cfg.Mode = ModeCompatible // WeChat sends both; only the encrypted part is believed
	plainInSafe := e.request(t, "plain", "<xml><FromUserName><![CDATA[x]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/forget]]></Content></xml>")
	badXML := e.request(t, "plain", "<xml><FromUserName>")
	huge := e.request(t, "plain", "<xml>"+strings.Repeat("a", 1<<20+10)+"</xml>")

	for _, c := range []struct {
		name string
		r    *http.Request
		code int
	}{
		{"forged msg_signature", forged, 403}, {"bad plaintext signature", plainBad, 403},
		{"old timestamp", old, 403}, {"plaintext with an AES key", plainInSafe, 403}, {"over 1 MB", huge, 413},
	} {
		w := httptest.NewRecorder()
		e.a.ServeHTTP(w, c.r)
		if w.Code != c.code {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.code)
		}
	}
	e.a.cfg.Mode = ModePlain
	if w := httptest.NewRecorder(); func() int { e.a.ServeHTTP(w, badXML); return w.Code }() != 400 {
		t.Errorf("bad XML in plain mode: %d, want 400", w.Code)
	}
	e.a.cfg.Mode = ModeCompatible
	if n := eng.count(); n != 0 {
		t.Errorf("the engine saw %d refused requests", n)
	}
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, compat)
	if e.reply(t, "aes", w) != "hi" {
		t.Error("compatible mode: no reply")
	}
	if in := eng.only(t); in.Text != "你好" || in.UserID != u {
		t.Errorf("compatible mode believed the unsigned fields: %+v", in)
	}
}

// A retry of a message (WeChat gives up after 5 s and sends it again) is
// handled once, also when it arrives while the first is being handled.
func TestRetryIsHandledOnceAlsoWhenItOverlaps(t *testing.T) {
	release := make(chan struct{})
	eng := &recorder{reply: "答复", block: release}
	e := newEnv(t, eng)
	u := newOpenID()
	body := textXML(u, "微粒贷逾期会被起诉吗", 7001, time.Now())
	var wg sync.WaitGroup
	replies := make([]string, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			e.a.ServeHTTP(w, e.request(t, "aes", body))
			replies[i] = e.reply(t, "aes", w)
		}()
		time.Sleep(30 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	w := httptest.NewRecorder() // and once more after it is done
	e.a.ServeHTTP(w, e.request(t, "aes", body))
	after := e.reply(t, "aes", w)
	if eng.count() != 1 {
		t.Errorf("handled %d times", eng.count())
	}
	for i, r := range append(replies, after) {
		if r != "答复" {
			t.Errorf("delivery %d got %q", i, r)
		}
	}
}

// With the real engine, a retry that reaches another replica (a new
// adapter on the same Redis) changes nothing twice.
func TestRetryOnAnotherReplicaChangesStateOnce(t *testing.T) {
	e := newEnv(t, nil)
	u := newOpenID()
	e.say(t, "aes", u, "/prep")
	body := textXML(u, "微粒贷", 8001, time.Now())
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, e.request(t, "aes", body))
	first := e.reply(t, "aes", w)
	other, err := New(e.a.cfg, e.a.eng, e.st, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	w = httptest.NewRecorder()
	other.ServeHTTP(w, e.request(t, "aes", body))
	if again := e.reply(t, "aes", w); again != first {
		t.Errorf("the retry on another replica answered\n%s\nnot\n%s", again, first)
	}
	// The dialog moved one step: the next answer is taken as the amount.
	if r := e.say(t, "aes", u, "35000"); !strings.Contains(r, "逾期") {
		t.Errorf("after the amount: %s", r)
	}
}

func TestSlowAnswerGoesThroughTheCustomerServiceAPI(t *testing.T) {
	release := make(chan struct{})
	eng := &recorder{reply: "迟到的答复", block: release}
	e := newEnv(t, eng, withReplyWithin(50*time.Millisecond))
	u := newOpenID()
	if r := e.say(t, "aes", u, "问题"); r != "" {
		t.Fatalf("a slow answer must be acknowledged with success, got %q", r)
	}
	close(release)
	e.a.Close()
	if got := e.api.sentTo(u); len(got) != 1 || got[0] != "迟到的答复" {
		t.Errorf("sent by the API: %q", got)
	}
}

func TestRemindersWithinTheQuotaThenKeptForTheNextMessage(t *testing.T) {
	e := newEnv(t, &recorder{reply: "好的"})
	u := newOpenID()
	ctx := context.Background()
	start := time.Now()
	e.now.Store(start.UnixMilli())
	e.say(t, "aes", u, "你好") // opens the 48-hour window
	remind := []bot.Reply{{Text: "提醒：今天还微粒贷 2,100 元。"}}
	for i := range 5 {
		e.now.Add(int64(time.Hour / time.Millisecond))
		if err := e.a.Send(ctx, u, remind); err != nil {
			t.Fatalf("reminder %d: %v", i+1, err)
		}
	}
	if err := e.a.Send(ctx, u, remind); !errors.Is(err, msg.ErrDeferred) {
		t.Errorf("6th message in 48 h: %v, want kept", err)
	}
	if _, sent, _ := e.api.counts(); sent != 5 {
		t.Errorf("%d sent, want 5", sent)
	}
	// Over WeChat's own count too (45047): kept, not retried.
	e.now.Store(start.Add(50 * time.Hour).UnixMilli())
	if r := e.say(t, "aes", u, "在吗"); strings.Count(r, "提醒：今天还微粒贷") != 1 || !strings.Contains(r, "抱歉") {
		t.Errorf("the next message's reply must carry the kept reminder:\n%s", r)
	}
	e.api.failNext(codeOverQuota)
	if err := e.a.Send(ctx, u, remind); !errors.Is(err, msg.ErrDeferred) {
		t.Errorf("45047: %v", err)
	}
	// Outside the window (the user last wrote 49 h ago): kept.
	e.now.Store(start.Add(99 * time.Hour).UnixMilli())
	if err := e.a.Send(ctx, u, remind); !errors.Is(err, msg.ErrDeferred) {
		t.Errorf("outside the window: %v", err)
	}
	if _, sent, _ := e.api.counts(); sent != 5 {
		t.Errorf("%d sent, want still 5", sent)
	}
	// The next message's reply carries what was kept, with an apology.
	r := e.say(t, "aes", u, "我回来了")
	if !strings.Contains(r, "抱歉") || strings.Count(r, "提醒：今天还微粒贷") != 2 || !strings.HasSuffix(r, "好的") {
		t.Errorf("reply with the kept messages:\n%s", r)
	}
	if r := e.say(t, "aes", u, "再问"); strings.Contains(r, "提醒") {
		t.Errorf("kept messages delivered twice:\n%s", r)
	}
}

func TestReminderOutsideTheWindowGoesAsATemplateWhenOneIsSet(t *testing.T) {
	e := newEnv(t, &recorder{reply: "好"})
	e.a.cfg.TemplateID = "tpl-1"
	u := newOpenID()
	if err := e.a.Send(context.Background(), u, []bot.Reply{{Text: "提醒：明天还借呗"}}); err != nil {
		t.Fatal(err)
	}
	if _, sent, templates := e.api.counts(); sent != 0 || templates != 1 {
		t.Errorf("sent %d, templates %d", sent, templates)
	}
}

func TestUnfollowedUserIsBlockedAndUnsubscribePausesReminders(t *testing.T) {
	e := newEnv(t, nil)
	e.a.cfg.Mode = ModePlain
	u := newOpenID()
	ctx := context.Background()
	e.say(t, "plain", u, "你好")
	e.api.failNext(codeUnfollowed)
	if err := e.a.Send(ctx, u, []bot.Reply{{Text: "提醒"}}); !errors.Is(err, msg.ErrBlocked) {
		t.Errorf("43004: %v", err)
	}
	r := &remind.Reminder{Lender: "weilidai", AmountFen: 210000, Schedule: remind.Schedule{Monthly: true, Day: 20, Offsets: []int{0}, Hour: 9}}
	if err := e.rem.Save(ctx, "wx:"+u, r, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, e.request(t, "aes", eventXML(u, "unsubscribe", "", time.Now())))
	if w.Body.String() != "success" {
		t.Errorf("unsubscribe: %q", w.Body)
	}
	list, _ := e.rem.List(ctx, "wx:"+u)
	if len(list) != 1 || !list[0].Paused {
		t.Errorf("reminders after unsubscribe: %+v", list)
	}
}

func TestEventsAndOtherMessageTypes(t *testing.T) {
	e := newEnv(t, nil)
	u := newOpenID()
	post := func(x string) string {
		w := httptest.NewRecorder()
		e.a.ServeHTTP(w, e.request(t, "aes", x))
		return e.reply(t, "aes", w)
	}
	if r := post(eventXML(u, "subscribe", "", time.Now())); !strings.Contains(r, "loanbot") || !strings.Contains(r, "回复 1：") {
		t.Errorf("subscribe: %s", r)
	}
	if r := post(eventXML(u, "CLICK", "prep", time.Now().Add(time.Second))); !strings.Contains(r, "微粒贷") {
		t.Errorf("menu click prep: %s", r)
	}
	img := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_loanbot]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/y.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>99</MsgId></xml>`, u, time.Now().Unix())
	if r := post(img); !strings.Contains(r, "文字") {
		t.Errorf("image: %s", r)
	}
	if r := post(eventXML(u, "VIEW", "https://example.org", time.Now())); r != "" {
		t.Errorf("VIEW: %q", r)
	}
}

// A token revoked by another replica's refresh: the call fails with 40001,
// the token is replaced (not fetched again: the other replica's is in
// Redis) and the call made once more.
func TestTokenRevokedByAnotherReplicasRefresh(t *testing.T) {
	e := newEnv(t, &recorder{reply: "x"})
	ctx := context.Background()
	api := e.a.API()
	if err := api.sendText(ctx, "o1", "one"); err != nil { // fetches TOKEN-1
		t.Fatal(err)
	}
	other := NewAPI(e.api.URL, e.appID, "app-secret", e.st, nil)
	var once sync.Once
	e.api.setOnSend(func(tok string) {
		if tok == "TOKEN-1" {
			// Another replica refreshes while this call is on its way.
			once.Do(func() {
				if err := e.st.DeleteSecretIf(ctx, "wx", other.tokenName(), mustSecret(t, e.st, other.tokenName())); err != nil {
					t.Error(err)
				}
				if _, err := other.token(ctx); err != nil {
					t.Error(err)
				}
			})
		}
	})
	if err := api.sendText(ctx, "o1", "two"); err != nil {
		t.Fatalf("after the revocation: %v", err)
	}
	fetches, sent, _ := e.api.counts()
	if fetches != 2 || sent != 2 {
		t.Errorf("fetches %d (want 2: one each), sent %d", fetches, sent)
	}
	if e.api.sent[1].token != "TOKEN-2" {
		t.Errorf("second send with %s", e.api.sent[1].token)
	}
	// An expired token (42001): one refresh, one retry.
	e.api.setOnSend(nil)
	e.api.failNext(codeTokenExpired)
	if err := api.sendText(ctx, "o1", "three"); err != nil {
		t.Fatal(err)
	}
	if fetches, sent, _ := e.api.counts(); fetches != 3 || sent != 3 {
		t.Errorf("after 42001: fetches %d, sent %d", fetches, sent)
	}
}

func mustSecret(t *testing.T, st *store.Store, name string) store.Secret {
	sec, ok, err := st.ChannelSecret(context.Background(), "wx", name)
	if err != nil || !ok {
		t.Fatalf("no token: %v", err)
	}
	return sec
}

func TestConcurrentReplicasFetchOneToken(t *testing.T) {
	e := newEnv(t, &recorder{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			api := NewAPI(e.api.URL, e.appID, "app-secret", e.st, nil)
			if err := api.sendText(context.Background(), "o", "hi"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if fetches, sent, _ := e.api.counts(); fetches != 1 || sent != 8 {
		t.Errorf("fetches %d, sent %d", fetches, sent)
	}
}

func TestCreateMenu(t *testing.T) {
	r := &recorder{}
	e := newEnv(t, r)
	if err := e.a.API().CreateMenu(context.Background(), r.Commands("zh-Hans")); err != nil {
		t.Fatal(err)
	}
	if len(e.api.menus) != 1 || !strings.Contains(e.api.menus[0], `"key":"prep"`) || !strings.Contains(e.api.menus[0], "协商还款") ||
		strings.Contains(e.api.menus[0], `"key":"start"`) {
		t.Errorf("menu: %q", e.api.menus)
	}
	for _, g := range menuOf(r.Commands("zh-Hans"))["button"].([]map[string]any) {
		for _, b := range g["sub_button"].([]map[string]string) {
			if cmd, ok := e.a.menuCommand(b["key"]); !ok || cmd != "/"+b["key"] {
				t.Errorf("menu key %q runs no command", b["key"])
			}
		}
	}
	if _, ok := e.a.menuCommand("nosuch"); ok {
		t.Error("an unknown key runs a command")
	}
}

func TestRenderNumbersButtonsAndSplitsByBytes(t *testing.T) {
	reps := []bot.Reply{{Text: "第一段", Buttons: [][]msg.Button{{{Label: "甲", Payload: "a"}, {Label: "乙", Payload: "b"}}}},
		{Text: "第二段", Buttons: [][]msg.Button{{{Label: "丙", Payload: "c"}}}}}
	got := render(reps, true)
	want := "第一段\n回复 1：甲\n回复 2：乙\n\n第二段\n回复 3：丙"
	if got != want {
		t.Errorf("render:\n%s\nwant\n%s", got, want)
	}
	reps[0].NumberIsAnswer = true
	if got := render(reps, true); strings.Contains(got, "回复 1") || !strings.Contains(got, "· 甲") {
		t.Errorf("a number is the answer: %s", got)
	}
	para := strings.Repeat("欠款协商", 100) // 1,200 bytes
	long := para + "\n\n" + para + "\n\n" + para
	parts := split(long, maxBytes)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if len(p) > maxBytes || p != para {
			t.Errorf("part of %d bytes", len(p))
		}
	}
	one := strings.Repeat("债", 1000) // 3,000 bytes, no break: cut between characters
	for _, p := range split(one, maxBytes) {
		if len(p) > maxBytes || !strings.HasPrefix(p, "债") || strings.ContainsRune(p, '\uFFFD') {
			t.Errorf("cut inside a character: %d bytes", len(p))
		}
	}
}

// recorder is an engine that records what it is given and answers reply,
// after block is closed when set.
type recorder struct {
	mu    sync.Mutex
	ins   []bot.Inbound
	reply string
	block chan struct{}
}

// Commands are a few of the bot's, as the engine lists them.
func (r *recorder) Commands(string) []bot.CommandInfo {
	return []bot.CommandInfo{
		{Name: "/faq", Description: "按类别浏览常见法律问题", Menu: "问问题"},
		{Name: "/prep", Description: "准备协商还款", Menu: "协商还款", Personal: true},
		{Name: "/plan", Description: "查看上次的协商方案", Menu: "协商还款", Personal: true},
		{Name: "/remind", Description: "设置还款提醒", Menu: "我的", Personal: true},
		{Name: "/reminders", Description: "查看我的提醒", Menu: "我的", Personal: true},
		{Name: "/start", Description: "开始"},
	}
}

func (r *recorder) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	r.mu.Lock()
	r.ins = append(r.ins, in)
	r.mu.Unlock()
	if r.block != nil {
		<-r.block
	}
	return []bot.Reply{{Text: r.reply}}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ins)
}

func (r *recorder) only(t *testing.T) bot.Inbound {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ins) != 1 {
		t.Fatalf("the engine got %d messages", len(r.ins))
	}
	return r.ins[0]
}

// FuzzHandler: any body, signed or not, in any mode, never panics and
// gets 200, 400, 403 or 413.
func FuzzHandler(f *testing.F) {
	f.Add(textXML("o1", "你好", 1, time.Unix(0, 0)), false)
	f.Add(eventXML("o1", "subscribe", "", time.Unix(0, 0)), false)
	f.Add("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>", true)
	f.Add("<xml><MsgId>99999999999999999999999</MsgId>", false)
	f.Add("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><xml>&a;</xml>", false)
	eng := &recorder{reply: "ok"}
	a, err := New(Config{Token: testToken, AESKey: testKey, AppID: "wxfuzz"}, eng, storetest.Store(f),
		WithLogger(slog.New(slog.DiscardHandler)), withReplyWithin(time.Second))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string, aes bool) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		q := url.Values{"timestamp": {ts}, "nonce": {"n"}, "signature": {Signature(testToken, ts, "n")}}
		if aes {
			var env envelope
			xml.Unmarshal([]byte(body), &env)
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", Signature(testToken, ts, "n", env.Encrypt))
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(body)))
		switch w.Code {
		case 200, 400, 403, 413:
		default:
			t.Errorf("status %d", w.Code)
		}
	})
}

// After a menu click alone, 3 customer-service messages within the minute.
func TestMenuClickOpensThreeMessagesForAMinute(t *testing.T) {
	e := newEnv(t, &recorder{reply: "菜单"})
	u := newOpenID()
	ctx := context.Background()
	start := time.Now()
	e.now.Store(start.UnixMilli())
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, e.request(t, "aes", eventXML(u, "CLICK", "faq", start)))
	if e.reply(t, "aes", w) != "菜单" {
		t.Fatal("click not answered")
	}
	for i := range 3 {
		if err := e.a.Send(ctx, u, []bot.Reply{{Text: "提醒"}}); err != nil {
			t.Fatalf("message %d after the click: %v", i+1, err)
		}
	}
	if err := e.a.Send(ctx, u, []bot.Reply{{Text: "提醒"}}); !errors.Is(err, msg.ErrDeferred) {
		t.Errorf("4th message after a click: %v", err)
	}
	if _, sent, _ := e.api.counts(); sent != 3 {
		t.Errorf("sent %d", sent)
	}
}

// A customer-service call that times out may have been delivered: it is
// neither repeated nor kept (either could show the message twice).
func TestTimedOutMessageIsNotRepeated(t *testing.T) {
	e := newEnv(t, &recorder{reply: "好"})
	e.a.API().client = &http.Client{Timeout: 200 * time.Millisecond}
	u := newOpenID()
	e.say(t, "aes", u, "你好")
	var calls atomic.Int32
	e.api.setOnSend(func(string) { calls.Add(1); time.Sleep(400 * time.Millisecond) })
	if err := e.a.Send(context.Background(), u, []bot.Reply{{Text: "提醒一次"}}); err != nil {
		t.Errorf("send: %v", err)
	}
	e.api.setOnSend(nil)
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	if r := e.say(t, "aes", u, "在吗"); strings.Contains(r, "提醒一次") {
		t.Errorf("the uncertain message was kept and shown again:\n%s", r)
	}
}

// The plan chart: the text goes as the passive reply, the image after it
// as an uploaded image message.
func TestPlanChartIsSentAsAnImage(t *testing.T) {
	e := newEnv(t, nil)
	u := newOpenID()
	for _, s := range []string{"/prep", "微粒贷", "35000", "60", "8000", "5000", "跳过", "失业/收入下降", "分期", "确认，生成方案"} {
		e.say(t, "aes", u, s)
	}
	r := e.say(t, "aes", u, "/plan chart")
	e.a.Close()
	if !strings.Contains(r, "2,100") || strings.Contains(r, "网页版") {
		t.Errorf("the chart's text:\n%s", r)
	}
	got := e.api.sentTo(u)
	if len(got) != 1 || got[0] != "[image MEDIA-1]" || len(e.api.uploads) != 1 || !strings.HasSuffix(e.api.uploads[0], ".png:"+strings.Split(e.api.uploads[0], ":")[1]) {
		t.Errorf("sent %q, uploads %q", got, e.api.uploads)
	}
}

// A signed URL (timestamp, nonce, signature) taken from a proxy log cannot
// carry another body: the pair is used once, shared through Redis. WeChat's
// retry of the same message (same body) still goes through, handled once.
func TestSignedURLReusedWithAnotherBodyIsRefused(t *testing.T) {
	eng := &recorder{reply: "ok"}
	e := newEnv(t, eng)
	e.a.cfg.Mode = ModePlain
	u := newOpenID()
	first := textXML(u, "你好", msgIDs.Add(1), e.clock())
	r := e.request(t, "plain", first)
	url := r.URL.String()
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	evil := textXML("victim-openid", "/forget", msgIDs.Add(1), e.clock())
	w = httptest.NewRecorder()
	e.a.ServeHTTP(w, httptest.NewRequest("POST", url, strings.NewReader(evil)))
	if w.Code != 403 {
		t.Errorf("the same signed URL with another body: %d, want 403", w.Code)
	}
	w = httptest.NewRecorder()
	e.a.ServeHTTP(w, httptest.NewRequest("POST", url, strings.NewReader(first)))
	if w.Code != 200 {
		t.Errorf("WeChat's retry (same URL, same body): %d, want 200", w.Code)
	}
	if n := eng.count(); n != 1 {
		t.Errorf("the engine saw %d messages, want 1", n)
	}
}

// With an AES key the default is safe mode: a safe-mode URL stripped of
// encrypt_type and msg_signature is not taken as plaintext.
func TestSafeModeIsTheDefaultWithAKey(t *testing.T) {
	eng := &recorder{reply: "ok"}
	e := newEnv(t, eng)
	if e.a.cfg.Mode != ModeSafe {
		t.Fatalf("mode %q, want safe", e.a.cfg.Mode)
	}
	w := httptest.NewRecorder()
	e.a.ServeHTTP(w, e.request(t, "plain", textXML(newOpenID(), "/forget", msgIDs.Add(1), e.clock())))
	if w.Code != 403 || eng.count() != 0 {
		t.Errorf("plaintext in safe mode: %d, engine saw %d", w.Code, eng.count())
	}
	for _, c := range []Config{{Token: "t", Mode: "bogus"}, {Token: "t", Mode: ModeSafe}} {
		if _, err := New(c, eng, e.st); err == nil || !strings.Contains(err.Error(), "WECHAT_MODE") {
			t.Errorf("New(%+v): %v, want an error naming WECHAT_MODE", c, err)
		}
	}
}

// The WeChat menu lists the commands /help lists, and every key runs one.
func TestMenusListTheSameCommands(t *testing.T) {
	e := newEnv(t, nil)
	eng := e.a.eng.(*bot.Engine)
	reps, err := eng.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: "help-wx", Text: "/help"})
	if err != nil || len(reps) == 0 {
		t.Fatalf("/help: %v", err)
	}
	var help []string
	for _, m := range regexp.MustCompile(`(?m)^· (/[a-z_]+) `).FindAllStringSubmatch(reps[0].Text, -1) {
		help = append(help, m[1])
	}
	var menu []string
	buttons := menuOf(eng.Commands("zh-Hans"))["button"].([]map[string]any)
	if len(buttons) > 3 {
		t.Errorf("%d menu buttons; WeChat shows 3", len(buttons))
	}
	for _, g := range buttons {
		subs := g["sub_button"].([]map[string]string)
		if len(subs) > 5 || len([]byte(g["name"].(string))) > 16 {
			t.Errorf("menu button %v: WeChat takes a 16-byte name and 5 entries", g["name"])
		}
		for _, b := range subs {
			if len([]byte(b["name"])) > 60 {
				t.Errorf("menu entry %q over 60 bytes", b["name"])
			}
			cmd, ok := e.a.menuCommand(b["key"])
			if !ok {
				t.Errorf("menu key %q runs no command", b["key"])
			}
			menu = append(menu, cmd)
		}
	}
	if len(menu) < 8 || !slices.Equal(menu, help) {
		t.Errorf("WeChat's menu %v, /help %v", menu, help)
	}
}

// A voice message in safe mode: WeChat's recognised text is the user's
// words (a question answered, a flow advanced); without it, a word to type.
func TestVoiceWithRecognitionIsAnsweredAsText(t *testing.T) {
	e := newEnv(t, nil)
	if e.a.cfg.Mode != ModeSafe {
		t.Fatalf("mode %q", e.a.cfg.Mode)
	}
	u := newOpenID()
	voice := func(recognition string) string {
		x := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_loanbot]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
			`<CreateTime>%d</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media1]]></MediaId>`+
			`<Format><![CDATA[amr]]></Format><Recognition><![CDATA[%s]]></Recognition><MsgId>%d</MsgId></xml>`,
			u, e.clock().Unix(), escapeCDATA(recognition), msgIDs.Add(1))
		w := httptest.NewRecorder()
		e.a.ServeHTTP(w, e.request(t, "aes", x))
		return e.reply(t, "aes", w)
	}
	if r := voice("微粒贷逾期会被起诉吗。"); !strings.Contains(r, "起诉") || !strings.Contains(r, "法律依据") {
		t.Errorf("a spoken question: %s", r)
	}
	r := voice("准备协商")
	if r2 := e.say(t, "aes", u, "/prep"); !strings.Contains(r2, "微粒贷") {
		t.Fatalf("/prep: %s (voice gave %s)", r2, r)
	}
	if r := voice("微粒贷"); !strings.Contains(r, "欠多少") {
		t.Errorf("a spoken answer does not advance the flow: %s", r)
	}
	if r := voice(""); !strings.Contains(r, "打字") {
		t.Errorf("a voice message without text: %s", r)
	}
}

// The observer sees every message: the passive reply and customer-service
// messages as ok, what is kept for the next message as deferred, an
// unfollowed user's as blocked.
func TestSendsAreReportedByOutcome(t *testing.T) {
	obs := &msgtest.Sends{}
	e := newEnv(t, &recorder{reply: "好的"}, WithObserver(obs))
	u := newOpenID()
	ctx := context.Background()
	start := time.Now()
	e.now.Store(start.UnixMilli())
	if r := e.say(t, "aes", u, "你好"); r == "" {
		t.Fatal("no passive reply")
	}
	if got := obs.Count(Channel, "ok"); got != 1 {
		t.Errorf("passive reply: ok %d", got)
	}
	remind := []bot.Reply{{Text: "提醒：今天还微粒贷 2,100 元。"}}
	if err := e.a.Send(ctx, u, remind); err != nil {
		t.Fatal(err)
	}
	if got := obs.Count(Channel, "ok"); got != 2 {
		t.Errorf("customer-service message: ok %d, want 2", got)
	}
	e.now.Store(start.Add(99 * time.Hour).UnixMilli()) // outside the window
	if err := e.a.Send(ctx, u, remind); !errors.Is(err, msg.ErrDeferred) {
		t.Fatalf("outside the window: %v", err)
	}
	if got := obs.Count(Channel, "deferred"); got != 1 {
		t.Errorf("kept: deferred %d", got)
	}
	v := newOpenID()
	e.now.Store(0)
	e.say(t, "aes", v, "你好")
	e.api.failNext(codeUnfollowed)
	if err := e.a.Send(ctx, v, remind); !errors.Is(err, msg.ErrBlocked) {
		t.Fatalf("unfollowed: %v", err)
	}
	if got := obs.Count(Channel, "blocked"); got != 1 {
		t.Errorf("unfollowed: blocked %d", got)
	}
}
