// Package bot is loanbot's engine: an Inbound message in, replies out. It
// routes (crisis first, then commands, the active dialog, the FAQ), keeps
// each user's messages in arrival order, drops messages it has already
// handled, and renders replies in the user's language. It knows no channel
// and no Redis type.
package bot

import (
	"context"
	"log/slog"
	"time"

	"loanbot/dialogs"
	"loanbot/faq"
	"loanbot/internal/keyq"
	"loanbot/msg"
	"loanbot/store"
)

// Reply, Button and Attachment are what the engine returns (see package msg).
type (
	Reply      = msg.Reply
	Button     = msg.Button
	Attachment = msg.Attachment
)

// Inbound is one message from a channel, already verified and parsed.
type Inbound struct {
	Channel   string // "tg", "wx", "web", "cli"
	UserID    string
	ChatID    string
	Text      string
	Payload   string // the data of a tapped button
	LangHint  string // the client's language code, if it tells one
	MessageID string // unique per channel and user; "" disables de-duplication
}

// User is the store's id of the sender: "channel:id".
func (in Inbound) User() string { return in.Channel + ":" + in.UserID }

// Store is the state the engine needs (implemented by *store.Store).
type Store interface {
	Load(ctx context.Context, user, msgID string) (*store.Session, bool, error)
	Save(ctx context.Context, user string, s *store.Session, msgID string, now time.Time) error
	Replay(ctx context.Context, user, msgID string) ([]byte, error)
	WarnOnce(ctx context.Context, user string) (bool, error)
	DeleteUser(ctx context.Context, user string) error
}

// FAQ is the knowledge base the engine answers free text from (*faq.KB).
type FAQ interface {
	Answer(question string) faq.Result
	Topic(id string) *faq.Topic
	Categories() []string
	InCategory(cat string) []*faq.Topic
}

// Engine handles messages. It is safe for concurrent use.
type Engine struct {
	store  Store
	faq    FAQ
	flows  *dialogs.Registry
	locks  *keyq.Queue[string]
	now    func() time.Time
	log    *slog.Logger
	maxLen int
	// rateLimit is the number of messages a user may send in the store's
	// rate window (0: no limit).
	rateLimit int64
	obs       Observer
	logKey    []byte // keys the user ids in logs (LogID)
	// reminders is nil when the engine runs without reminders.
	reminders dialogs.Reminders
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock injects the clock (tests).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithLogger sets the logger (default slog.Default()). Log lines carry no
// message text, amount or name, and user ids only as LogID(key, user).
func WithLogger(l *slog.Logger, key []byte) Option {
	return func(e *Engine) { e.log, e.logKey = l, key }
}

// WithReminders gives the flows the reminder service (*remind.Service).
func WithReminders(r dialogs.Reminders) Option { return func(e *Engine) { e.reminders = r } }

// WithRateLimit allows n messages a user in the store's rate window (see
// store.WithRateWindow): the next one gets one polite warning, the rest
// silence until the window passes.
func WithRateLimit(n int) Option { return func(e *Engine) { e.rateLimit = int64(n) } }

// Observer is told what the engine does, for metrics. It must be fast.
type Observer interface {
	// Handled: one message of a channel handled in d; err is a store error.
	Handled(channel string, d time.Duration, err error)
	// FAQ: a question answered with topic, or "" when none matched.
	FAQ(topic string)
}

type nopObserver struct{}

func (nopObserver) Handled(string, time.Duration, error) {}
func (nopObserver) FAQ(string)                           {}

// WithObserver reports what the engine does (metrics).
func WithObserver(o Observer) Option { return func(e *Engine) { e.obs = o } }

// WithFlows replaces the flows (tests add test-only flows).
func WithFlows(r *dialogs.Registry) Option { return func(e *Engine) { e.flows = r } }

// New makes an engine on a store and a knowledge base (kb may be nil: free
// text then gets the topic menu).
func New(st Store, kb FAQ, opts ...Option) (*Engine, error) {
	e := &Engine{store: st, faq: kb, locks: keyq.New[string](), now: time.Now, log: slog.Default(), maxLen: 4096, obs: nopObserver{}}
	for _, o := range opts {
		o(e)
	}
	if e.flows == nil {
		r, err := dialogs.NewRegistry(dialogs.All()...)
		if err != nil {
			return nil, err
		}
		e.flows = r
	}
	for _, c := range e.ownCommands() {
		if e.flows.Command(c.Name) == nil { // a registry shared by two engines (tests) has them
			if err := e.flows.AddCommand(c); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range e.faqActions() {
		if _, _, ok := e.flows.Action(a.Prefix + ":x"); !ok {
			if err := e.flows.AddAction(a); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// Flows returns the engine's flows.
func (e *Engine) Flows() *dialogs.Registry { return e.flows }

// Queued is how many users have messages waiting for their turn in this
// process (metrics: the queue depth of a replica).
func (e *Engine) Queued() int { return e.locks.Len() }
