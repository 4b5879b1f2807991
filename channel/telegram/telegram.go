// Package telegram is the Telegram adapter: long polling or a webhook in,
// the engine, and replies out as HTML messages with inline keyboards.
//
// go-telegram/bot sends our requests (sendMessage, sendPhoto, …). We do not
// use its update loop or its webhook handler (see design.md, "Known traps"):
// its polling loop moves the offset as soon as an update is queued, so a
// crash loses updates fetched but not handled, its handlers run one goroutine
// each with no order per chat, and its webhook handler answers 200 to a wrong
// secret. Here, polling fetches a batch, hands every update to the engine in
// order (Engine.Enqueue keeps each user's order), waits for all of them and
// sends their replies in order, and only then asks for the next offset: a
// crash re-delivers the batch, and the engine drops what it already handled
// (MessageID "u<update_id>"). The webhook handler checks the secret in
// constant time (401), caps the body (413), and answers after the update is
// handled, so Telegram's one-connection-at-a-time delivery keeps the order.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"loanbot/bot"
)

// Handler is the engine as the adapter sees it (*bot.Engine).
type Handler interface {
	Enqueue(ctx context.Context, in bot.Inbound) <-chan bot.Result
}

// Adapter connects one bot token to the engine.
type Adapter struct {
	eng        Handler
	api        *tg.Bot
	token      string
	apiURL     string
	client     *http.Client
	webhookURL string
	secret     string
	log        *slog.Logger
	limit      *limiter
	username   string // the bot's @username, for mentions and deep links
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithAPIURL points the adapter at another Bot API server (tests, or a
// local telegram-bot-api).
func WithAPIURL(u string) Option { return func(a *Adapter) { a.apiURL = strings.TrimRight(u, "/") } }

// WithWebhook switches to webhook mode: url is registered with setWebhook and
// every request must carry secret.
func WithWebhook(url, secret string) Option {
	return func(a *Adapter) { a.webhookURL, a.secret = url, secret }
}

// WithLimits sets the outbound limits: messages a second for the whole bot
// and the gap between two messages to one chat (Telegram's: 30 and 1 s,
// the default). 0 turns a limit off (load tests against a fake API).
func WithLimits(perSecond int, perChat time.Duration) Option {
	return func(a *Adapter) {
		a.limit.global = 0
		if perSecond > 0 {
			a.limit.global = time.Second / time.Duration(perSecond)
		}
		a.limit.perChat, a.limit.perGroup = perChat, perChat
	}
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// pollTimeout is the long-polling wait Telegram holds a getUpdates open.
const pollTimeout = 25 * time.Second

// New makes an adapter; it calls no API until Start.
func New(token string, eng Handler, opts ...Option) (*Adapter, error) {
	if token == "" {
		return nil, errors.New("TELEGRAM_BOT_TOKEN is empty")
	}
	a := &Adapter{eng: eng, token: token, apiURL: "https://api.telegram.org", log: slog.Default(), limit: newLimiter()}
	for _, o := range opts {
		o(a)
	}
	if a.webhookURL != "" && len(a.secret) < 16 {
		return nil, errors.New("TELEGRAM_WEBHOOK_SECRET: set one of at least 16 characters with TELEGRAM_WEBHOOK_URL")
	}
	// Go's default transport keeps 2 idle connections a host: every burst
	// would reconnect.
	a.client = &http.Client{Timeout: pollTimeout + 10*time.Second, Transport: &http.Transport{
		MaxIdleConns: 200, MaxIdleConnsPerHost: 100, IdleConnTimeout: 90 * time.Second,
	}}
	api, err := tg.New(token, tg.WithServerURL(a.apiURL), tg.WithSkipGetMe(), tg.WithHTTPClient(pollTimeout, a.client))
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	a.api = api
	return a, nil
}

// allowedUpdates are the update kinds the bot handles.
var allowedUpdates = []string{"message", "callback_query"}

// Start registers the commands and the webhook (or removes it, in polling
// mode: Telegram refuses getUpdates while a webhook is set).
func (a *Adapter) Start(ctx context.Context) error {
	me, err := a.api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe (is TELEGRAM_BOT_TOKEN right?): %w", err)
	}
	a.username = me.Username
	for _, c := range []struct {
		lang string
		cmds []models.BotCommand
	}{{"", commandsZh}, {"zh", commandsZh}, {"en", commandsEn}} {
		if _, err := a.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: c.cmds, LanguageCode: c.lang}); err != nil {
			return fmt.Errorf("telegram setMyCommands: %w", err)
		}
	}
	if a.webhookURL != "" {
		if _, err := a.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: a.webhookURL, SecretToken: a.secret,
			AllowedUpdates: allowedUpdates, MaxConnections: 100}); err != nil {
			return fmt.Errorf("telegram setWebhook: %w", err)
		}
		return nil
	}
	if _, err := a.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook: %w", err)
	}
	return nil
}

var commandsZh = []models.BotCommand{
	{Command: "start", Description: "开始"}, {Command: "faq", Description: "常见法律问题"},
	{Command: "prep", Description: "准备协商还款"}, {Command: "plan", Description: "我的协商方案"},
	{Command: "remind", Description: "设置还款提醒"}, {Command: "reminders", Description: "我的提醒"},
	{Command: "log", Description: "记录一次通话"}, {Command: "lang", Description: "切换语言"},
	{Command: "cancel", Description: "退出当前步骤"}, {Command: "forget", Description: "删除我的数据"},
}

var commandsEn = []models.BotCommand{
	{Command: "start", Description: "Start"}, {Command: "faq", Description: "Legal questions"},
	{Command: "prep", Description: "Prepare to negotiate"}, {Command: "plan", Description: "My plan"},
	{Command: "remind", Description: "Set a repayment reminder"}, {Command: "reminders", Description: "My reminders"},
	{Command: "log", Description: "Log a call"}, {Command: "lang", Description: "Language"},
	{Command: "cancel", Description: "Leave the current step"}, {Command: "forget", Description: "Delete my data"},
}

// Run polls for updates until ctx ends.
func (a *Adapter) Run(ctx context.Context) error {
	var offset int64
	backoff := time.Second
	for ctx.Err() == nil {
		ups, err := a.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			a.log.Warn("telegram getUpdates", "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		a.handleBatch(context.WithoutCancel(ctx), ups)
		if n := len(ups); n > 0 {
			offset = ups[n-1].ID + 1 // past what is handled, not what is queued
		}
	}
	return nil
}

// getUpdates is a plain JSON call: the library's own loop is not used.
func (a *Adapter) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(pollTimeout / time.Second), "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"/bot"+a.token+"/getUpdates", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), a.token, "***"))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		Description string           `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %s", r.Description)
	}
	return r.Result, nil
}

// handleBatch hands updates to the engine in order, then sends each one's
// replies in the same order.
func (a *Adapter) handleBatch(ctx context.Context, ups []*models.Update) {
	pending := make([]func() bool, 0, len(ups))
	for _, u := range ups {
		pending = append(pending, a.dispatch(ctx, u))
	}
	for _, finish := range pending {
		finish()
	}
}

// dispatch enqueues one update and returns the function that waits for its
// replies and sends them; it reports false when the engine could not save
// the update (Redis down), so a webhook asks Telegram to deliver it again.
func (a *Adapter) dispatch(ctx context.Context, u *models.Update) func() bool {
	in, chatID, cb, ok := a.inbound(u)
	if !ok {
		return func() bool { return true }
	}
	if link := a.privateOnly(u, in); link != "" {
		// Debts and income are not discussed in a group: hand over to a
		// private chat that opens on the same command.
		return func() bool {
			a.send(ctx, chatID, []bot.Reply{{Text: privateText + "\n" + link}})
			return true
		}
	}
	res := a.eng.Enqueue(ctx, in)
	return func() bool {
		if cb != nil {
			a.answerCallback(ctx, cb)
		}
		typing := time.AfterFunc(time.Second, func() {
			a.api.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: chatID, Action: models.ChatActionTyping})
		})
		r := <-res
		typing.Stop()
		if r.Err != nil && a.webhookURL != "" {
			// Not saved: Telegram re-delivers on a non-200, which beats
			// asking the user to type it again.
			a.log.Warn("telegram handle", "err", r.Err)
			return false
		}
		if err := a.send(ctx, chatID, r.Replies); err != nil {
			a.log.Warn("telegram send", "err", err)
		}
		return true
	}
}

// inbound maps an update to the engine's message; ok is false for updates
// the bot does not answer. In groups the bot answers only commands and
// messages that mention it.
func (a *Adapter) inbound(u *models.Update) (in bot.Inbound, chatID int64, cb *models.CallbackQuery, ok bool) {
	mid := "u" + strconv.FormatInt(u.ID, 10)
	switch {
	case u.Message != nil && u.Message.From != nil:
		m := u.Message
		text := m.Text
		if m.Chat.Type != models.ChatTypePrivate {
			mention := a.username != "" && strings.Contains(text, "@"+a.username)
			if !strings.HasPrefix(text, "/") && !mention {
				return in, 0, nil, false
			}
			text = strings.TrimSpace(strings.ReplaceAll(text, "@"+a.username, ""))
		}
		return bot.Inbound{Channel: "tg", UserID: strconv.FormatInt(m.From.ID, 10), ChatID: strconv.FormatInt(m.Chat.ID, 10),
			Text: text, LangHint: m.From.LanguageCode, MessageID: mid}, m.Chat.ID, nil, true
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		var chat int64 = q.From.ID
		if q.Message.Message != nil {
			chat = q.Message.Message.Chat.ID
		}
		return bot.Inbound{Channel: "tg", UserID: strconv.FormatInt(q.From.ID, 10), ChatID: strconv.FormatInt(chat, 10),
			Payload: q.Data, LangHint: q.From.LanguageCode, MessageID: mid}, chat, q, true
	}
	return in, 0, nil, false
}

// answerCallback acknowledges a tap and removes the keyboard it came from,
// so a second tap on the same message does nothing.
func (a *Adapter) answerCallback(ctx context.Context, q *models.CallbackQuery) {
	a.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
	if m := q.Message.Message; m != nil {
		a.api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: m.Chat.ID, MessageID: m.ID,
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}})
	}
}

// WebhookHandler serves Telegram's webhook requests.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(a.secret)) != 1 || a.secret == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u models.Update
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&u); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if !a.dispatch(context.WithoutCancel(r.Context()), &u)() {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// privateText tells a group member why the bot answers elsewhere.
const privateText = "这件事涉及你的欠款和收入，我们私聊吧 / Let's talk about your debts in private:"

// personal are the commands that ask about a person's money.
var personal = map[string]string{"/prep": "prep", "/plan": "plan", "/log": "log", "/logs": "logs", "/remind": "remind", "/reminders": "reminders", "/forget": "forget"}

// privateOnly returns a deep link to a private chat when a group message
// asks for something personal, else "".
func (a *Adapter) privateOnly(u *models.Update, in bot.Inbound) string {
	if u.Message == nil || u.Message.Chat.Type == models.ChatTypePrivate || a.username == "" {
		return ""
	}
	cmd, _, _ := strings.Cut(in.Text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	if start, ok := personal[strings.ToLower(cmd)]; ok {
		return "https://t.me/" + a.username + "?start=" + start
	}
	return ""
}
