package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"loanbot/bot"
)

// maxText is Telegram's limit on a message's text, in characters.
const maxText = 4096

// Send delivers replies to a user's private chat (the reminders' Sender).
func (a *Adapter) Send(ctx context.Context, userID string, reps []bot.Reply) error {
	id, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: user id %q: %w", userID, err)
	}
	return a.send(ctx, id, reps)
}

// send renders replies: text as escaped HTML split at paragraphs, buttons
// as an inline keyboard under the last part, images as photos, documents
// as documents. 403 means the user blocked the bot (bot.ErrBlocked).
func (a *Adapter) send(ctx context.Context, chatID int64, reps []bot.Reply) error {
	for _, r := range reps {
		if r.Image != nil {
			err := a.call(ctx, chatID, func() error {
				_, err := a.api.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: chatID, Caption: html.EscapeString(r.Image.Caption), ParseMode: models.ParseModeHTML,
					Photo: &models.InputFileUpload{Filename: r.Image.Name, Data: bytes.NewReader(r.Image.Data)}})
				return err
			})
			if err != nil {
				return err
			}
			continue
		}
		if r.Document != nil {
			err := a.call(ctx, chatID, func() error {
				_, err := a.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chatID,
					Document: &models.InputFileUpload{Filename: r.Document.Name, Data: bytes.NewReader(r.Document.Data)}})
				return err
			})
			if err != nil {
				return err
			}
		}
		parts := split(r.Text, maxText)
		for i, p := range parts {
			params := &tg.SendMessageParams{ChatID: chatID, Text: html.EscapeString(p), ParseMode: models.ParseModeHTML}
			if i == len(parts)-1 {
				if kb := keyboard(r.Buttons); kb != nil {
					params.ReplyMarkup = kb
				}
			}
			if err := a.call(ctx, chatID, func() error { return a.postJSON(ctx, "sendMessage", params, nil) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// call runs one API request within the outbound limits, waits and retries
// on 429 (retry_after) and backs off on 5xx and network errors.
func (a *Adapter) call(ctx context.Context, chatID int64, f func() error) error {
	backoff := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		a.limit.wait(ctx, chatID)
		err := f()
		var tooMany *tg.TooManyRequestsError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, tg.ErrorForbidden):
			return fmt.Errorf("%w: %v", bot.ErrBlocked, err)
		case errors.As(err, &tooMany) && attempt < 5:
			sleep(ctx, time.Duration(tooMany.RetryAfter)*time.Second)
		case errors.Is(err, tg.ErrorBadRequest) || errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound) || attempt >= 4:
			return err
		default: // 5xx, network
			sleep(ctx, backoff)
			backoff *= 2
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// keyboard renders button rows as an inline keyboard. callback_data is
// limited to 64 bytes: the engine's payloads are short ids ("c:weilidai",
// "faq:sued-risk"); a longer one is dropped rather than cut (a cut payload
// would mean something else).
func keyboard(rows [][]bot.Button) *models.InlineKeyboardMarkup {
	var kb [][]models.InlineKeyboardButton
	for _, row := range rows {
		var r []models.InlineKeyboardButton
		for _, b := range row {
			if len(b.Payload) == 0 || len(b.Payload) > 64 {
				continue
			}
			r = append(r, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.Payload})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// split cuts text into parts of at most max characters, at paragraph
// breaks where it can, then at line breaks, then anywhere.
func split(text string, max int) []string {
	var out []string
	for len([]rune(text)) > max {
		rs := []rune(text)
		cut := strings.LastIndex(string(rs[:max]), "\n\n")
		if cut <= 0 {
			cut = strings.LastIndex(string(rs[:max]), "\n")
		}
		if cut <= 0 {
			cut = len(string(rs[:max]))
		}
		out = append(out, strings.TrimRight(text[:cut], "\n"))
		text = strings.TrimLeft(text[cut:], "\n")
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// limiter keeps Telegram's outbound limits: 30 messages a second in all,
// one a second per chat, and 20 a minute per group (chat ids below 0).
type limiter struct {
	global   time.Duration // between two messages of the bot
	perChat  time.Duration // between two messages to one chat
	perGroup time.Duration // between two messages to one group
	mu       sync.Mutex
	next     time.Time           // when the next message may go, bot-wide
	nextChat map[int64]time.Time // per chat
}

func newLimiter() *limiter {
	return &limiter{global: time.Second / 30, perChat: time.Second, perGroup: time.Minute / 20, nextChat: map[int64]time.Time{}}
}

func (l *limiter) wait(ctx context.Context, chat int64) {
	if l.global == 0 && l.perChat == 0 {
		return
	}
	l.mu.Lock()
	now := time.Now()
	at := now
	if l.next.After(at) {
		at = l.next
	}
	if c := l.nextChat[chat]; c.After(at) {
		at = c
	}
	l.next = at.Add(l.global)
	gap := l.perChat
	if chat < 0 && l.perGroup > gap {
		gap = l.perGroup
	}
	l.nextChat[chat] = at.Add(gap)
	if len(l.nextChat) > 10000 { // forget chats that are long idle
		for id, t := range l.nextChat {
			if t.Before(now) {
				delete(l.nextChat, id)
			}
		}
	}
	l.mu.Unlock()
	sleep(ctx, time.Until(at))
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
