package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"loanbot/bot"
)

// Telegram's limits, in characters after entities are parsed (counted as
// UTF-16 code units, as Telegram counts them), and on callback data.
const (
	maxText     = 4096
	maxCaption  = 1024
	maxCallback = 64
)

// Send delivers replies to a user's private chat (bot.Sender, for
// reminders). A user who blocked the bot gives bot.ErrBlocked.
func (a *Adapter) Send(ctx context.Context, userID string, reps []bot.Reply) error {
	id, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: send to user %q: not a private chat id", userID)
	}
	return a.send(ctx, id, reps, true)
}

// outgoing is one Bot API message: a text, or a photo or document with a
// caption; text is plain (escaped when sent).
type outgoing struct {
	method string // sendMessage, sendPhoto, sendDocument
	text   string
	file   *bot.Attachment
	kb     *inlineKeyboard
}

// render turns replies into messages: an image as a photo and a document as
// a document, each with its caption when it fits; the text, unless it only
// repeats a caption, split at paragraphs to fit; the buttons under the
// reply's last message.
func (a *Adapter) render(reps []bot.Reply) []outgoing {
	var out []outgoing
	for _, r := range reps {
		first := len(out)
		textSent := false // the text is an attachment's caption
		for _, f := range []struct {
			method string
			att    *bot.Attachment
		}{{"sendPhoto", r.Image}, {"sendDocument", r.Document}} {
			if f.att == nil {
				continue
			}
			o := outgoing{method: f.method, file: f.att}
			if c := f.att.Caption; c != "" && utf16Len(c) <= maxCaption {
				o.text = c
				textSent = textSent || c == r.Text
			} else if c != "" && c != r.Text {
				r.Text = strings.TrimSpace(c + "\n\n" + r.Text) // too long: sent as text below
			}
			out = append(out, o)
		}
		if r.Text != "" && !textSent {
			for _, p := range split(r.Text, maxText) {
				out = append(out, outgoing{method: "sendMessage", text: p})
			}
		}
		if kb := a.keyboard(r.Buttons); kb != nil {
			if len(out) == first { // buttons alone still need a message
				out = append(out, outgoing{method: "sendMessage", text: "…"})
			}
			out[len(out)-1].kb = kb
		}
	}
	return out
}

// send renders replies and sends them in order, within the limits.
// background marks what the user did not just ask for (reminders): it lets
// replies go first.
func (a *Adapter) send(ctx context.Context, chatID int64, reps []bot.Reply, background bool) error {
	for _, o := range a.render(reps) {
		err := a.call(ctx, chatID, background, func() error {
			switch o.method {
			case "sendPhoto":
				p := &tg.SendPhotoParams{ChatID: chatID, Caption: escape(o.text), ParseMode: models.ParseModeHTML,
					Photo: &models.InputFileUpload{Filename: o.file.Name, Data: bytes.NewReader(o.file.Data)}}
				if o.kb != nil {
					p.ReplyMarkup = o.kb
				}
				_, err := a.api.SendPhoto(ctx, p)
				return err
			case "sendDocument":
				p := &tg.SendDocumentParams{ChatID: chatID, Caption: escape(o.text), ParseMode: models.ParseModeHTML,
					Document: &models.InputFileUpload{Filename: o.file.Name, Data: bytes.NewReader(o.file.Data)}}
				if o.kb != nil {
					p.ReplyMarkup = o.kb
				}
				_, err := a.api.SendDocument(ctx, p)
				return err
			}
			return a.postJSON(ctx, "sendMessage", sendMessage{ChatID: chatID, Text: escape(o.text), ParseMode: "HTML", ReplyMarkup: o.kb})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sendMessage is sendMessage's body, as one JSON document (see postJSON).
type sendMessage struct {
	ChatID      int64           `json:"chat_id"`
	Text        string          `json:"text"`
	ParseMode   string          `json:"parse_mode"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup,omitempty"`
}

type inlineKeyboard struct {
	Rows [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// Retry policy: 429 waits retry_after (the whole chat waits with it), up to
// maxRetryAfter; 5xx and network errors back off from 500 ms, doubling.
const (
	attempts      = 5
	maxRetryAfter = time.Minute
)

// errTransient marks a failure worth another delivery later (5xx, network,
// 429 beyond our patience): the webhook then asks Telegram to re-deliver.
var errTransient = errors.New("telegram unavailable")

// call runs one message request within the outbound limits, with retries.
func (a *Adapter) call(ctx context.Context, chatID int64, background bool, f func() error) error {
	backoff := 500 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		a.limit.wait(ctx, chatID, background)
		err = f()
		var tooMany *tg.TooManyRequestsError
		switch {
		case err == nil:
			a.sent("ok")
			return nil
		case errors.Is(err, tg.ErrorForbidden):
			// Blocked, kicked from the group, or the user is gone.
			a.sent("blocked")
			return fmt.Errorf("%w: %v", bot.ErrBlocked, err)
		case errors.As(err, &tooMany):
			a.sent("429")
			d := time.Duration(tooMany.RetryAfter) * time.Second
			if d > maxRetryAfter || attempt == attempts {
				return fmt.Errorf("%w: %w", errTransient, err)
			}
			a.limit.pause(chatID, d)
			sleep(ctx, d)
		case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound), ctx.Err() != nil:
			return err // another attempt would fail the same way
		default: // 5xx, network
			a.sent("failed")
			if attempt == attempts {
				return fmt.Errorf("%w: %w", errTransient, err)
			}
			sleep(ctx, backoff)
			backoff *= 2
		}
	}
}

// keyboard renders button rows as an inline keyboard. callback_data may
// hold 64 bytes: the engine's payloads are short ids ("c:weilidai",
// "faq:sued-risk"). A longer one is refused, not cut (a cut payload means
// something else) nor mapped to an id kept in memory (which another replica,
// or this one after a restart, would not know): the button is left out and
// logged; its label still works typed, as the engine matches labels.
func (a *Adapter) keyboard(rows [][]bot.Button) *inlineKeyboard {
	var kb [][]inlineButton
	for _, row := range rows {
		var r []inlineButton
		for _, b := range row {
			if b.Label == "" || b.Payload == "" || len(b.Payload) > maxCallback {
				a.log.Warn("telegram: button left out: callback data empty or over 64 bytes", "bytes", len(b.Payload))
				continue
			}
			r = append(r, inlineButton{Text: b.Label, CallbackData: b.Payload})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	return &inlineKeyboard{Rows: kb}
}

// escape makes plain text safe in HTML parse mode, which knows only these
// three characters as markup.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// split cuts text into parts of at most max UTF-16 units: at the last blank
// line that fits, else the last line break, else the last space, else
// anywhere between two characters.
func split(text string, max int) []string {
	var out []string
	for utf16Len(text) > max {
		end := prefixFits(text, max) // bytes of text that fit
		cut := strings.LastIndex(text[:end], "\n\n")
		if cut <= 0 {
			cut = strings.LastIndexByte(text[:end], '\n')
		}
		if cut <= 0 {
			cut = strings.LastIndexByte(text[:end], ' ')
		}
		if cut <= 0 {
			cut = end
		}
		if part := strings.TrimRight(text[:cut], " \n"); part != "" {
			out = append(out, part)
		}
		text = text[cut:]
		if strings.HasPrefix(text, "\n") {
			text = strings.TrimLeft(text, "\n")
		} else if strings.HasPrefix(text, " ") {
			text = text[1:] // the space the line was broken at; indents stay
		}
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// prefixFits returns the length in bytes of the longest prefix of s that is
// at most max UTF-16 units.
func prefixFits(s string, max int) int {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > max {
			return i
		}
		n += w
	}
	return len(s)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++
		}
	}
	return n
}

func (a *Adapter) sent(outcome string) {
	if a.obs != nil {
		a.obs.Sent(Channel, outcome)
	}
}
