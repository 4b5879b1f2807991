// Package telegram is the Telegram adapter: updates in by long polling or a
// webhook, handed to the engine in order, and replies out as HTML messages
// with inline keyboards, photos and documents, within Telegram's limits.
//
// It owns what is Telegram's and nothing else: the Bot API calls, the update
// format, the inline keyboards and callback queries, group etiquette and the
// outbound limits. The engine (package bot) owns state, order per user and
// de-duplication.
//
// go-telegram/bot makes the API calls that upload files and set the bot up
// (sendPhoto, sendDocument, setMyCommands, setWebhook, …). Its update loop,
// its dispatch and its webhook handler are not used (design.md, "Known
// traps"): its polling loop moves the offset as soon as an update is queued,
// so a crash loses updates fetched but not handled; it runs every handler in
// a goroutine of its own, so two updates of one user race; its webhook
// handler answers 200 to a wrong secret and before the update is handled.
//
// Order. Every update takes, at once and in arrival order, its user's place
// in the engine's queue (Engine.Enqueue) and its chat's place in the send
// queue (a keyq.Queue); the engine handles it in the background and its replies
// go out when every earlier update of that chat has sent its own. So one
// chat's replies leave in the order its updates came, in both modes, while
// other chats run in parallel.
//
// Offset and de-duplication. Polling fetches a batch, handles every update
// of it to the end (replies sent) and only then asks for the next offset,
// which is what confirms the batch to Telegram: a crash re-delivers the
// whole batch. Re-delivery is harmless because the engine drops a MessageID
// it has seen in the last 24 h: a message is "u<update_id>"; a button tap is
// "k<chat>.<message_id>", the keyboard it came from, so a second tap on the
// same keyboard is a duplicate too, even when it reaches another replica or
// comes after a restart. In this process, a second tap is not even handed to
// the engine (see taps). The webhook answers after the replies are sent, so
// Telegram re-delivers (and the engine drops) only what was not finished.
//
// Groups. The bot answers commands, mentions and replies to its messages
// only, as the member-in-that-group ("<user>@<chat>", a session apart from
// the member's private one), and answers a personal matter (/prep, /log,
// /remind …, a sum of money) with a deep link to the private chat instead.
//
// Outbound, one limiter for the process (limit.go) keeps Telegram's limits;
// a 429 waits its retry_after, 5xx and network errors back off, and a 403
// is bot.ErrBlocked for the reminder dispatcher.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"loanbot/bot"
	"loanbot/i18n"
	"loanbot/internal/keyq"
)

// Handler is the engine as the adapter sees it (*bot.Engine).
type Handler interface {
	Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result
	// Commands lists the bot's commands with descriptions in a language
	// (*bot.Engine): the menus and what is personal come from it.
	Commands(lang string) []bot.CommandInfo
}

// Adapter connects one bot token to the engine. Start it, then either Run it
// (long polling) or serve WebhookHandler.
type Adapter struct {
	eng        Handler
	api        *tg.Bot // uploads and set-up calls
	token      string
	apiURL     string
	client     *http.Client
	webhookURL string
	secret     string
	log        *slog.Logger
	limit      *limiter
	obs        Observer
	chats      *keyq.Queue[int64] // send order per chat
	taps       *taps

	startOnce sync.Once
	startErr  error
	botID     int64
	username  string // the bot's @username, for mentions and deep links
}

// Channel is the engine's name of this channel: users are "tg:<id>".
const Channel = "tg"

// Option configures an Adapter.
type Option func(*Adapter)

// WithAPIURL points the adapter at another Bot API server (TELEGRAM_API_URL:
// tests, or a local telegram-bot-api).
func WithAPIURL(u string) Option {
	return func(a *Adapter) {
		if u != "" {
			a.apiURL = strings.TrimRight(u, "/")
		}
	}
}

// WithWebhook switches to webhook mode: Start registers url with setWebhook,
// and WebhookHandler refuses any request without secret.
func WithWebhook(url, secret string) Option {
	return func(a *Adapter) { a.webhookURL, a.secret = url, secret }
}

// WithHTTPClient sets the client for every Bot API call. Its Timeout, if
// any, must exceed the long-polling wait (25 s); its transport should keep
// many idle connections to one host (see New).
func WithHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.client = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithLimits sets the outbound limits: messages a second for the whole bot
// and the gap between two messages to one chat (Telegram's: 30 and 1 s, the
// default; groups keep 20 a minute). 0 turns a limit off, the per-group one
// with perChat (load tests against a fake API).
func WithLimits(perSecond int, perChat time.Duration) Option {
	return func(a *Adapter) {
		a.limit.global.every = 0
		if perSecond > 0 {
			a.limit.global.every = time.Second / time.Duration(perSecond)
		}
		a.limit.chat.every = perChat
		if perChat == 0 {
			a.limit.group.every = 0
		}
	}
}

// WithSharedLimits keeps the outbound limits in a schedule every replica
// shares (Redis; see limit.go), for replies and reminders alike.
func WithSharedLimits(s SharedLimits) Option { return func(a *Adapter) { a.limit.shared = s } }

// Observer sees what the adapter sends (metrics).
type Observer interface {
	Sent(channel, outcome string) // "ok", "429", "blocked", "failed"
	LimitWait(d time.Duration)    // time a message waited for the limits
}

// WithObserver reports sends and waits to o.
func WithObserver(o Observer) Option { return func(a *Adapter) { a.limit.observer, a.obs = o, o } }

// pollTimeout is how long Telegram holds a getUpdates open.
const pollTimeout = 25 * time.Second

// New makes an adapter; it calls no API until Start.
func New(token string, eng Handler, opts ...Option) (*Adapter, error) {
	if token == "" {
		return nil, errors.New("telegram: TELEGRAM_BOT_TOKEN is empty")
	}
	a := &Adapter{eng: eng, token: token, apiURL: "https://api.telegram.org", log: slog.Default(),
		limit: newLimiter(), chats: keyq.New[int64](), taps: newTaps()}
	for _, o := range opts {
		o(a)
	}
	a.limit.bot, _, _ = strings.Cut(token, ":") // the bot's id: names its shared schedule
	if a.webhookURL != "" && len(a.secret) < 16 {
		return nil, errors.New("telegram: TELEGRAM_WEBHOOK_SECRET: set one of at least 16 characters with TELEGRAM_WEBHOOK_URL")
	}
	if a.client == nil {
		// Go's default transport keeps 2 idle connections a host: every
		// burst of replies would open new ones.
		a.client = &http.Client{Timeout: pollTimeout + 15*time.Second, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConns: 200, MaxIdleConnsPerHost: 100,
			IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
		}}
	}
	api, err := tg.New(token, tg.WithServerURL(a.apiURL), tg.WithSkipGetMe(), tg.WithHTTPClient(pollTimeout, a.client),
		tg.WithErrorsHandler(func(err error) { a.log.Warn("telegram client", "err", err) }))
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	a.api = api
	return a, nil
}

// allowedUpdates are the update kinds the bot handles.
var allowedUpdates = []string{"message", "callback_query"}

// Start introduces the bot (getMe: its username for mentions and deep
// links), registers its commands in Chinese and English, and sets the
// webhook in webhook mode or deletes it in polling mode (Telegram refuses
// getUpdates while a webhook is set). Calling it again does nothing.
func (a *Adapter) Start(ctx context.Context) error {
	a.startOnce.Do(func() { a.startErr = a.start(ctx) })
	return a.startErr
}

func (a *Adapter) start(ctx context.Context) error {
	me, err := a.api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe (is TELEGRAM_BOT_TOKEN right?): %w", err)
	}
	a.botID, a.username = me.ID, me.Username
	for _, c := range []struct{ code, lang string }{{"", i18n.ZhHans}, {"zh", i18n.ZhHans}, {"en", i18n.En}} {
		if _, err := a.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: menuOf(a.eng.Commands(c.lang)), LanguageCode: c.code}); err != nil {
			return fmt.Errorf("telegram setMyCommands %q: %w", c.code, err)
		}
	}
	if a.webhookURL != "" {
		if _, err := a.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: a.webhookURL, SecretToken: a.secret,
			AllowedUpdates: allowedUpdates, MaxConnections: 100}); err != nil {
			return fmt.Errorf("telegram setWebhook: %w", err)
		}
		return nil
	}
	// Pending updates are kept: polling picks up what the webhook left.
	if _, err := a.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook: %w", err)
	}
	return nil
}

// menuOf is Telegram's command menu: the engine's menu commands.
func menuOf(cmds []bot.CommandInfo) []models.BotCommand {
	var out []models.BotCommand
	for _, c := range cmds {
		if c.Menu != "" {
			out = append(out, models.BotCommand{Command: strings.TrimPrefix(c.Name, "/"), Description: c.Description})
		}
	}
	return out
}
