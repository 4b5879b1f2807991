// Package web is loanbot's web chat: a one-page chat embedded in the binary
// (served at "/"), a JSON API for messages and button taps, a Server-Sent
// Events stream for reminders and late replies, and an anonymous user per
// signed cookie. The page works in any phone browser, WeChat's included, and
// loads nothing from another host.
//
// Routes (all under the handler New returns; mount it at "/"):
//
//	GET  /                 the page
//	GET  /assets/…         its script, style and icon
//	POST /api/message      {"id", "text"} or {"id", "payload", "label"} → {"messages": […], "lang"}
//	GET  /api/history      the last messages, and those kept while the page was closed
//	GET  /api/events       text/event-stream of messages the user did not ask for just now
//	GET  /api/file/{id}/{kind}  a message's image (the plan chart) or document
package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"loanbot/bot"
	"loanbot/msg"
	"loanbot/store"
)

// Handler is the engine (*bot.Engine).
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error)
}

// Store is the web chat's state in Redis (*store.Store; see store/history.go,
// outbox.go, channelstate.go and notify.go).
type Store interface {
	SharedSecret(ctx context.Context, channel, name string, fresh []byte) ([]byte, error)
	AppendHistory(ctx context.Context, user, after string, msgs []store.Message, max, maxBytes int) (int, error)
	History(ctx context.Context, user string) ([]store.Message, error)
	HasHistory(ctx context.Context, user string) (bool, error)
	KeepBriefly(ctx context.Context, user string, ttl time.Duration) error
	PushOutbox(ctx context.Context, user string, msgs []store.Message) error
	DrainOutbox(ctx context.Context, user string) ([]store.Message, error)
	Count(ctx context.Context, channel, name string, window time.Duration) (int64, error)
	Notify(ctx context.Context, channel, user string) error
	Notices(ctx context.Context, channel string) <-chan string
}

// Channel is the engine's name of this channel: users are "web:<id>".
const Channel = "web"

// Server is the web chat. It is an http.Handler and the channel's
// bot.Sender (reminders).
type Server struct {
	eng    Handler
	st     Store
	log    *slog.Logger
	obs    msg.SendObserver
	secret []byte
	mux    *http.ServeMux

	historyMax   int
	historyBytes int
	newUsers     budget        // new identities per client address
	briefly      time.Duration // life of an identity that has not gone past its first message
	replyTimeout time.Duration
	messages     budget // messages per client address
	maxStreams   int
	addrStreams  int
	heartbeat    time.Duration
	proxies      []netip.Prefix

	hub    *hub
	ctx    context.Context // ends at Close: streams and the notice subscription
	cancel context.CancelFunc
	subOne sync.Once

	mu     sync.RWMutex // orders begin against Close
	closed bool
	work   sync.WaitGroup // messages the engine is still handling
}

// Option configures a Server.
type Option func(*Server) error

// WithSecret signs cookies with secret (LOANBOT_WEB_SECRET, at least 16
// bytes). Without it the secret is the one kept in Redis, made on first use.
func WithSecret(secret []byte) Option {
	return func(s *Server) error {
		if len(secret) < 16 {
			return errors.New("web: the cookie secret needs at least 16 bytes")
		}
		s.secret = secret
		return nil
	}
}

// WithLogger sets the logger. Log lines carry no message text and no user id.
func WithLogger(l *slog.Logger) Option { return func(s *Server) error { s.log = l; return nil } }

// WithObserver reports each bot message delivered to o: "ok" when it went
// in the answer or to an open page, "deferred" when it was kept for the
// user's next visit, "failed" when it could not be kept either.
func WithObserver(o msg.SendObserver) Option { return func(s *Server) error { s.obs = o; return nil } }

// sent reports n messages of one outcome.
func (s *Server) sent(n int, outcome string) {
	if s.obs != nil {
		for range n {
			s.obs.Sent(Channel, outcome)
		}
	}
}

// WithHistory keeps the last n messages of each user (default 50).
func WithHistory(n int) Option {
	return func(s *Server) error {
		if n < 2 {
			return fmt.Errorf("web: history of %d messages", n)
		}
		s.historyMax = n
		return nil
	}
}

// WithHistoryBytes caps each user's history at n bytes as kept in Redis
// (default 128 KiB: some fifty answers, or a conversation and four plan
// charts of ~20 KB), on top of the
// count of WithHistory; the oldest entries go first.
func WithHistoryBytes(n int) Option {
	return func(s *Server) error {
		if n < 16<<10 {
			return fmt.Errorf("web: history of %d bytes (at least 16 KiB)", n)
		}
		s.historyBytes = n
		return nil
	}
}

// WithNewUsers allows n new identities (cookies given by the page to a
// browser that has none) per client address (IPv6: per /64) in each window
// (default 20 an hour). Past it the page still loads but says to come back
// later. n = 0 turns it off.
func WithNewUsers(n int, window time.Duration) Option {
	return func(s *Server) (err error) {
		s.newUsers, err = newBudget("addr:new:", n, window)
		return err
	}
}

// WithBriefLife sets how long Redis keeps what an identity left when it has
// not gone past its first message (default 1 h; then it lives as long as any
// conversation).
func WithBriefLife(d time.Duration) Option {
	return func(s *Server) error {
		if d < time.Minute {
			return fmt.Errorf("web: brief life of %v (at least a minute)", d)
		}
		s.briefly = d
		return nil
	}
}

// WithReplyTimeout bounds how long a request waits for the engine; a reply
// that takes longer arrives through the event stream (default 20 s).
func WithReplyTimeout(d time.Duration) Option {
	return func(s *Server) error { s.replyTimeout = d; return nil }
}

// WithAddrLimit allows n messages per client address in each window, on top
// of the engine's per-user limit (default 300 a minute: many phones share
// one carrier address). n = 0 turns it off.
func WithAddrLimit(n int, window time.Duration) Option {
	return func(s *Server) (err error) {
		s.messages, err = newBudget("addr:", n, window)
		return err
	}
}

// WithTrustedProxies names the reverse proxies (CIDRs such as "10.0.0.0/8")
// whose X-Forwarded-For tells the client's address. Without it the address
// is the connection's.
func WithTrustedProxies(cidrs ...string) Option {
	return func(s *Server) error {
		for _, c := range cidrs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				a, aerr := netip.ParseAddr(c)
				if aerr != nil {
					return fmt.Errorf("web: trusted proxy %q: %w", c, err)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			s.proxies = append(s.proxies, p.Masked())
		}
		return nil
	}
}

// WithStreamsPerAddr bounds the open event streams of one client address
// (IPv6: one /64) in this process (default 64: carriers put many phones
// behind one IPv4 address). 0: no bound.
func WithStreamsPerAddr(n int) Option { return func(s *Server) error { s.addrStreams = n; return nil } }

// WithMaxStreams bounds the open event streams of this process (default
// 10,000: about 300 MB at the ~31 KB a stream that TestStreamMemory measures).
func WithMaxStreams(n int) Option { return func(s *Server) error { s.maxStreams = n; return nil } }

// withHeartbeat sets the stream's keep-alive interval (tests).
func withHeartbeat(d time.Duration) Option {
	return func(s *Server) error { s.heartbeat = d; return nil }
}

// New makes the web chat on the engine and the store. Without WithSecret it
// reads (or creates) the cookie secret in Redis, so Redis must answer.
func New(eng Handler, st Store, opts ...Option) (*Server, error) {
	s := &Server{eng: eng, st: st, log: slog.Default(), historyMax: 50, historyBytes: 128 << 10,
		newUsers: budget{20, time.Hour, "addr:new:"}, messages: budget{300, time.Minute, "addr:"},
		briefly: time.Hour, replyTimeout: 20 * time.Second, maxStreams: 10000, addrStreams: 64, heartbeat: 25 * time.Second}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.secret == nil {
		fresh := make([]byte, 32)
		rand.Read(fresh)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sec, err := st.SharedSecret(ctx, Channel, "secret", fresh)
		if err != nil {
			return nil, fmt.Errorf("web: cookie secret (set LOANBOT_WEB_SECRET or make Redis reachable): %w", err)
		}
		s.secret = sec
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.hub = newHub(s.maxStreams, s.addrStreams)
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.page)
	m.HandleFunc("GET /assets/{name}", s.asset)
	m.HandleFunc("POST /api/message", s.message)
	m.HandleFunc("GET /api/history", s.history)
	m.HandleFunc("GET /api/events", s.events)
	m.HandleFunc("GET /api/file/{id}/{kind}", s.file)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { apiError(w, http.StatusNotFound, "not_found") })
	s.mux = m
}

// ServeHTTP serves the page and the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	s.mux.ServeHTTP(w, r)
}

// Close ends the open event streams and the notice subscription, and waits
// for replies still being handled. Call it before http.Server.Shutdown (or
// register it with RegisterOnShutdown): an open stream never goes idle.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.hub.closeAll()
	s.work.Wait()
	return nil
}

// begin counts a message the engine is to handle; false once closed.
func (s *Server) begin() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	s.work.Add(1)
	return true
}
