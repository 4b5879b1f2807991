// Package wechat is the WeChat Official Account adapter: the server
// endpoint WeChat posts users' messages to (plaintext, compatible and safe
// mode), passive replies, and the customer-service message API for answers
// that come late and for reminders, within the account's small quota.
//
// The protocol, in short. WeChat signs every request (sha1 of the sorted
// token, timestamp and nonce; in the encrypted modes msg_signature covers
// the Encrypt field too) and gives up on a request after 5 s, then sends it
// again, up to three times. A passive reply (the HTTP answer) is free but
// must come within those 5 s; anything later goes through the
// customer-service API, which allows 5 messages in the 48 hours after the
// user's last message (3 in the minute after a menu click).
//
// So a message is handed to the engine in the background and answered
// passively when the answer is ready within about 4 s; otherwise the request
// is acknowledged ("success") and the answer sent through the API when it
// is ready. A retry of a message this process is still handling (or handled
// a moment ago) waits for the same answer instead of handling it again;
// the engine's own de-duplication (by MsgId, or sender + CreateTime for
// events) covers other replicas and restarts. What cannot be sent (quota
// spent, window closed) is kept and delivered, with an apology, in the
// reply to the user's next message.
package wechat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"loanbot/bot"
	"loanbot/channel/internal/await"
	"loanbot/msg"
	"loanbot/store"
)

// Channel is the engine's name of this channel: users are "wx:<openid>".
const Channel = "wx"

// handler is the engine (*bot.Engine).
type handler interface {
	Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error)
	// Commands lists the bot's commands (*bot.Engine): a menu CLICK's key
	// is one of them without its "/".
	Commands(lang string) []bot.CommandInfo
}

// storage is what the adapter keeps in Redis (*store.Store).
type storage interface {
	secretStore
	NoteInbound(ctx context.Context, user, kind string, now time.Time, q store.Quota) error
	ReserveQuota(ctx context.Context, user string, now time.Time, q store.Quota) error
	PushOutbox(ctx context.Context, user string, msgs []store.Message) error
	DrainOutbox(ctx context.Context, user string) ([]store.Message, error)
	ClaimOnce(ctx context.Context, channel, id, value string, ttl time.Duration) (bool, error)
}

// reminders pauses a user's reminders (*remind.Service).
type reminders interface {
	PauseAll(ctx context.Context, user string, now time.Time) error
}

// Config is the account's settings.
type Config struct {
	Token      string // WECHAT_TOKEN: signs every request
	AESKey     string // WECHAT_AES_KEY: 43 characters; needed for the safe modes
	AppID      string // WECHAT_APP_ID
	AppSecret  string // WECHAT_APP_SECRET: with AppID, the API (late answers, reminders)
	APIURL     string // WECHAT_API_URL
	TemplateID string // WECHAT_REMINDER_TEMPLATE_ID: reminders outside the 48-hour window
	// Mode is WECHAT_MODE: "safe" or "compatible" believe only encrypted
	// messages (msg_signature covers the ciphertext); "plain" only the
	// URL signature. Empty: safe with an AES key, plain without.
	Mode string
}

// The message modes of the account's server settings.
const (
	ModeSafe       = "safe"
	ModeCompatible = "compatible"
	ModePlain      = "plain"
)

// Adapter is the /wechat endpoint and the channel's bot.Sender.
type Adapter struct {
	cfg    Config
	cipher *Cipher // nil: plaintext mode only
	api    *API    // nil: no API credentials
	eng    handler
	st     storage
	rem    reminders
	log    *slog.Logger
	obs    msg.SendObserver

	now         func() time.Time
	replyWithin time.Duration // how long a request waits for the engine
	maxSkew     time.Duration // how far a request's timestamp may be from now
	keepDone    time.Duration // how long a handled message is remembered for retries
	prefix      func() [16]byte
	nonce       func() string

	// inflight holds the messages being handled (or just handled) in this
	// process, by user and message id: a retry of one waits for the same
	// answer. The result is the part of the answer for the passive reply.
	mu       sync.Mutex
	inflight map[string]*await.Result[string]
	work     sync.WaitGroup
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger (no message text, no openid).
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithObserver reports each message delivered to o: a passive reply or a
// customer-service, template or image message "ok"; one kept for the user's
// next message "deferred"; "blocked" or "failed".
func WithObserver(o msg.SendObserver) Option { return func(a *Adapter) { a.obs = o } }

// sent reports n messages of one outcome.
func (a *Adapter) sent(n int, outcome string) {
	if a.obs != nil {
		for range n {
			a.obs.Sent(Channel, outcome)
		}
	}
}

// WithReminders lets unsubscribe pause the user's reminders.
func WithReminders(r reminders) Option { return func(a *Adapter) { a.rem = r } }

// withHTTPClient sets the client for API calls.
func withHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.api.client = c } }

// withClock sets the clock (tests replaying the documentation's samples).
func withClock(now func() time.Time) Option {
	return func(a *Adapter) {
		a.now = now
		if a.api != nil {
			a.api.now = now
		}
	}
}

// withReplyWithin sets how long a request waits for the engine before it is
// acknowledged and the answer sent through the API (default 4 s: WeChat
// gives up after 5).
func withReplyWithin(d time.Duration) Option { return func(a *Adapter) { a.replyWithin = d } }

// withRandom fixes the encryption prefix and nonce of replies (tests).
func withRandom(prefix [16]byte, nonce string) Option {
	return func(a *Adapter) {
		a.prefix = func() [16]byte { return prefix }
		a.nonce = func() string { return nonce }
	}
}

// New makes the adapter. The AES key is checked here, so a wrong
// WECHAT_AES_KEY stops the binary at start-up.
func New(cfg Config, eng handler, st storage, opts ...Option) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("wechat: WECHAT_TOKEN is empty")
	}
	a := &Adapter{cfg: cfg, eng: eng, st: st, log: slog.Default(), now: time.Now,
		replyWithin: 4 * time.Second, maxSkew: 5 * time.Minute, keepDone: time.Minute,
		inflight: map[string]*await.Result[string]{}}
	if cfg.AESKey != "" {
		c, err := NewCipher(cfg.AESKey, cfg.AppID)
		if err != nil {
			return nil, errors.New("WECHAT_AES_KEY / WECHAT_APP_ID: " + err.Error())
		}
		a.cipher = c
	}
	switch {
	case cfg.Mode == "" && cfg.AESKey != "":
		a.cfg.Mode = ModeSafe
	case cfg.Mode == "":
		a.cfg.Mode = ModePlain
	case cfg.Mode == ModeSafe || cfg.Mode == ModeCompatible:
		if cfg.AESKey == "" {
			return nil, fmt.Errorf("WECHAT_MODE=%s: needs WECHAT_AES_KEY", cfg.Mode)
		}
	case cfg.Mode != ModePlain:
		return nil, fmt.Errorf("WECHAT_MODE=%q: want safe, compatible or plain", cfg.Mode)
	}
	if cfg.AppID != "" && cfg.AppSecret != "" {
		a.api = NewAPI(cfg.APIURL, cfg.AppID, cfg.AppSecret, st, nil)
	}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// API is the adapter's API client, nil without WECHAT_APP_ID and
// WECHAT_APP_SECRET.
func (a *Adapter) API() *API { return a.api }

// Close waits for messages still being handled and their late answers.
func (a *Adapter) Close() error {
	a.work.Wait()
	return nil
}

const maxBody = 1 << 20

// ServeHTTP answers WeChat at /wechat.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	switch r.Method {
	case http.MethodGet:
		if !a.fresh(ts) || !VerifySignature(q.Get("signature"), a.cfg.Token, ts, nonce) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, q.Get("echostr"))
	case http.MethodPost:
		a.post(w, r, ts, nonce)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// post answers a message WeChat posts: it is read and authenticated,
// admitted once, handed to the engine, and the answer awaited for the
// passive reply.
func (a *Adapter) post(w http.ResponseWriter, r *http.Request, ts, nonce string) {
	body, plain, encrypted, ok := a.decode(w, r, ts, nonce)
	if !ok {
		return
	}
	m, ok := a.admit(w, r, ts, nonce, body, plain)
	if !ok {
		return
	}
	a.reply(w, &m, encrypted, a.handle(r.Context(), &m))
}

// decode reads the request's body and returns the message's XML, checked
// against the signature and decrypted in the safe modes, or answers why
// not.
func (a *Adapter) decode(w http.ResponseWriter, r *http.Request, ts, nonce string) (body, plain []byte, encrypted, ok bool) {
	q := r.URL.Query()
	if r.ContentLength > maxBody {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return nil, nil, false, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return nil, nil, false, false
		}
		http.Error(w, "bad body", http.StatusBadRequest)
		return nil, nil, false, false
	}
	if !a.fresh(ts) {
		http.Error(w, "stale timestamp", http.StatusForbidden)
		return nil, nil, false, false
	}
	if q.Get("encrypt_type") != "aes" {
		if a.cfg.Mode != ModePlain {
			// With an AES key only what msg_signature covers is believed:
			// a safe-mode URL stripped of encrypt_type is not plaintext.
			http.Error(w, "plaintext messages are refused in "+a.cfg.Mode+" mode", http.StatusForbidden)
			return nil, nil, false, false
		}
		if !VerifySignature(q.Get("signature"), a.cfg.Token, ts, nonce) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return nil, nil, false, false
		}
		return body, body, false, true
	}
	if a.cipher == nil {
		http.Error(w, "encrypted mode is not configured (WECHAT_AES_KEY)", http.StatusForbidden)
		return nil, nil, true, false
	}
	var env envelope
	if err := xmlUnmarshal(body, &env); err != nil || env.Encrypt == "" {
		http.Error(w, "bad XML", http.StatusBadRequest)
		return nil, nil, true, false
	}
	// Only what msg_signature covers is trusted: the plaintext fields of
	// compatible mode are not.
	if !VerifySignature(q.Get("msg_signature"), a.cfg.Token, ts, nonce, env.Encrypt) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return nil, nil, true, false
	}
	if plain, err = a.cipher.Decrypt(env.Encrypt); err != nil {
		http.Error(w, "bad ciphertext", http.StatusBadRequest)
		return nil, nil, true, false
	}
	return body, plain, true, true
}

// admit takes a message once per signed (timestamp, nonce) and parses it,
// or answers why not.
func (a *Adapter) admit(w http.ResponseWriter, r *http.Request, ts, nonce string, body, plain []byte) (message, bool) {
	// A signed (timestamp, nonce) is used once: WeChat's retry of the
	// same message comes with the same body; any other body under it is a
	// replay of a leaked URL. Kept in Redis, shared by the replicas, for as
	// long as the timestamp is fresh.
	sum := sha256.Sum256(body)
	same, err := a.st.ClaimOnce(r.Context(), Channel, "nonce:"+ts+":"+nonce, hex.EncodeToString(sum[:16]), 2*a.maxSkew+time.Minute)
	if err != nil {
		a.log.Warn("wechat: nonce", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable) // WeChat retries
		return message{}, false
	}
	if !same {
		http.Error(w, "replayed request", http.StatusForbidden)
		return message{}, false
	}
	m, ok := parseMessage(plain)
	if !ok {
		http.Error(w, "bad XML", http.StatusBadRequest)
		return message{}, false
	}
	return m, true
}

// reply writes the passive reply text to m, encrypted when m was; with no
// text it acknowledges only ("success").
func (a *Adapter) reply(w http.ResponseWriter, m *message, encrypted bool, text string) {
	if text == "" {
		io.WriteString(w, "success")
		return
	}
	now := a.now().Unix()
	out := textReply(m.FromUserName, m.ToUserName, now, text)
	if encrypted {
		var enc string
		if a.prefix != nil {
			enc = a.cipher.encryptWithPrefix(a.prefix(), out)
		} else {
			var err error
			if enc, err = a.cipher.Encrypt(out); err != nil {
				io.WriteString(w, "success")
				return
			}
		}
		rts, rnonce := strconv.FormatInt(now, 10), a.newNonce()
		out = encryptedReply(enc, Signature(a.cfg.Token, rts, rnonce, enc), rts, rnonce)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, err := w.Write(out)
	a.sent(1, msg.Outcome(err))
}

// fresh: the request's timestamp is within maxSkew of now.
func (a *Adapter) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := a.now().Sub(time.Unix(sec, 0))
	return d <= a.maxSkew && d >= -a.maxSkew
}

func (a *Adapter) newNonce() string {
	if a.nonce != nil {
		return a.nonce()
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// handle hands a message to the engine and returns the passive reply (""
// to acknowledge only).
func (a *Adapter) handle(ctx context.Context, m *message) string {
	user := Channel + ":" + m.FromUserName
	in, reply, ok := a.inbound(ctx, m)
	if !ok {
		return reply
	}
	return a.await(ctx, user, in)
}

// inbound turns a message into the engine's input and notes it for the
// quota. Not ok: the message is not for the engine, and reply (perhaps "")
// is the whole answer.
func (a *Adapter) inbound(ctx context.Context, m *message) (in bot.Inbound, reply string, ok bool) {
	openid := m.FromUserName
	user := Channel + ":" + openid
	in = bot.Inbound{Channel: Channel, UserID: openid, ChatID: openid}
	kind := "text"
	switch m.MsgType {
	case "text":
		in.Text = m.Content
		in.MessageID = "m" + m.MsgID
		if m.MsgID == "" {
			in.MessageID = "t" + strconv.FormatInt(m.CreateTime, 10)
		}
	case "event":
		ev := strings.ToLower(m.Event)
		in.MessageID = "e" + strconv.FormatInt(m.CreateTime, 10) + "." + ev
		switch ev {
		case "subscribe":
			in.Text = "/start"
		case "unsubscribe":
			if a.rem != nil {
				if err := a.rem.PauseAll(context.WithoutCancel(ctx), user, a.now()); err != nil {
					a.log.Warn("wechat: pause reminders", "err", err)
				}
			}
			return in, "", false
		case "click":
			cmd, ok := a.menuCommand(m.EventKey)
			if !ok {
				return in, "", false
			}
			in.Text, kind = cmd, "click"
		default: // VIEW, LOCATION, TEMPLATESENDJOBFINISH …: nothing to say
			return in, "", false
		}
	case "voice":
		// WeChat's own speech recognition, when on, is the user's words:
		// answered as text, flows advanced. Without it, ask to type.
		text := strings.TrimSpace(m.Recognition)
		if text == "" {
			a.noteInbound(ctx, user, "text")
			return in, t(langOf(), "wechat.voice_unheard"), false
		}
		in.Text = strings.TrimRight(text, "。.!！")
		in.MessageID = "m" + m.MsgID
		if m.MsgID == "" {
			in.MessageID = "v" + strconv.FormatInt(m.CreateTime, 10)
		}
	default: // image, video, location, link …
		a.noteInbound(ctx, user, "text")
		return in, t(langOf(), "wechat.text_only"), false
	}
	a.noteInbound(ctx, user, kind)
	return in, "", true
}

// await starts the engine on in, unless this process is already handling
// that message (a retry of it), and waits up to replyWithin for the part
// of the answer for the passive reply. Past that, or when WeChat hangs
// up, the whole answer goes through the API and the request is only
// acknowledged.
func (a *Adapter) await(ctx context.Context, user string, in bot.Inbound) string {
	key := user + "|" + in.MessageID
	a.mu.Lock()
	res, retry := a.inflight[key]
	if !retry {
		res = new(await.Result[string])
		a.inflight[key] = res
		a.work.Add(1)
	}
	a.mu.Unlock()
	if !retry {
		go a.run(context.WithoutCancel(ctx), key, user, in, res)
	}
	passive, _ := res.Wait(ctx, a.replyWithin)
	return passive
}

// run handles one message in the background: the messages kept for the
// user first, then the engine's answer. Its first part goes in the passive
// reply if a request still waits for it; the rest, or all of it when no
// request waits any more, goes through the API.
func (a *Adapter) run(ctx context.Context, key, user string, in bot.Inbound, res *await.Result[string]) {
	defer a.work.Done()
	kept := a.drainKept(ctx, user)
	reps, err := a.eng.Handle(ctx, in)
	if err != nil {
		a.log.Warn("wechat: engine", "err", err)
	}
	var images []*bot.Attachment
	for _, r := range reps {
		if r.Image != nil {
			images = append(images, r.Image)
		}
	}
	text := render(reps, a.api != nil)
	if len(kept) > 0 {
		text = t(langOf(kept...), "wechat.kept") + "\n\n" + strings.Join(kept, "\n\n") + "\n\n" + text
	}
	chunks := split(text, maxBytes)

	var passive string
	if len(chunks) > 0 {
		passive = chunks[0]
	}
	rest := chunks
	if taken, _ := res.Put(passive); taken && len(chunks) > 0 {
		rest = chunks[1:]
	}

	if len(rest) > 0 {
		if err := a.sendLater(ctx, user, rest); err != nil && !errors.Is(err, msg.ErrDeferred) {
			a.log.Warn("wechat: late answer", "err", err)
		}
	}
	for _, img := range images { // the plan chart: a passive reply holds text only
		err := a.sendImage(ctx, user, img)
		if err != nil {
			a.log.Warn("wechat: image", "err", err)
		}
		a.sent(1, msg.Outcome(err))
	}
	time.AfterFunc(a.keepDone, func() {
		a.mu.Lock()
		delete(a.inflight, key)
		a.mu.Unlock()
	})
}
