package wechat

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"loanbot/bot"
	"loanbot/msg"
	"loanbot/store"
)

// Delivery outside the passive reply: customer-service messages within
// WeChat's quota, template messages outside the user's 48-hour window, and
// the outbox that keeps what could not go for the reply to the user's next
// message.

// quota is WeChat's customer-service allowance.
var quota = store.Quota{Window: 48 * time.Hour, Max: 5, ClickWindow: time.Minute, ClickMax: 3}

// noteInbound opens (or keeps open) the user's 48-hour window and counts
// their message for the quota.
func (a *Adapter) noteInbound(ctx context.Context, user, kind string) {
	if err := a.st.NoteInbound(ctx, user, kind, a.now(), quota); err != nil {
		a.log.Warn("wechat: note inbound", "err", err)
	}
}

// Send delivers replies the user did not ask for just now (reminders)
// through the customer-service API, within the quota; outside the 48-hour
// window by template message where one is configured; otherwise they are
// kept for the user's next message (msg.ErrDeferred).
func (a *Adapter) Send(ctx context.Context, openid string, reps []bot.Reply) error {
	return a.sendLater(ctx, Channel+":"+openid, split(render(reps, false), maxBytes))
}

// sendLater sends chunks to user by the API, each within the quota; what
// cannot be sent is kept for the user's next message.
func (a *Adapter) sendLater(ctx context.Context, user string, chunks []string) error {
	openid := strings.TrimPrefix(user, Channel+":")
	for i, c := range chunks {
		err := a.sendOne(ctx, user, openid, c)
		switch {
		case err == nil:
			a.sent(1, "ok")
			continue
		case errors.Is(err, msg.ErrBlocked):
			a.sent(len(chunks)-i, "blocked")
			return err
		case errors.Is(err, errUncertain):
			// Perhaps delivered: sending it again could show it twice, and
			// keeping it could too. Logged, not repeated.
			a.log.Warn("wechat: customer-service message uncertain", "err", err)
			a.sent(1, "failed")
			continue
		}
		if !errors.Is(err, errKeep) {
			a.log.Warn("wechat: customer-service message", "err", err)
		}
		if i == 0 && a.api != nil && a.cfg.TemplateID != "" && errors.Is(err, errOutside) {
			if terr := a.api.sendTemplate(ctx, openid, a.cfg.TemplateID, strings.Join(chunks, "\n\n")); terr == nil {
				a.sent(1, "ok")
				return nil
			} else {
				a.log.Warn("wechat: template message", "err", terr)
			}
		}
		kerr := a.keep(ctx, user, chunks[i:])
		a.sent(len(chunks)-i, msg.Outcome(kerr))
		return kerr
	}
	return nil
}

var (
	errKeep    = errors.New("wechat: kept for the user's next message")
	errOutside = errors.New("wechat: outside the user's 48-hour window")
)

// sendOne sends one text within the quota. errKeep (wrapped, and errOutside
// when the window is closed) says it could not go now.
func (a *Adapter) sendOne(ctx context.Context, user, openid, text string) error {
	if a.api == nil {
		return errKeep
	}
	switch err := a.st.ReserveQuota(ctx, user, a.now(), quota); {
	case errors.Is(err, store.ErrWindowClosed):
		return errors.Join(errKeep, errOutside)
	case errors.Is(err, store.ErrQuotaSpent):
		return errKeep
	case err != nil:
		return err
	}
	err := a.api.sendText(ctx, openid, text)
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.Code {
		case codeOutOfWindow:
			return errors.Join(errKeep, errOutside)
		case codeOverQuota:
			return errKeep
		case codeUnfollowed, codeBlocked:
			return msg.ErrBlocked
		}
	}
	return err
}

// sendImage uploads an image and sends it within the quota; one that
// cannot go now is dropped (the text said what it shows).
func (a *Adapter) sendImage(ctx context.Context, user string, img *bot.Attachment) error {
	if err := a.st.ReserveQuota(ctx, user, a.now(), quota); err != nil {
		return err
	}
	id, err := a.api.uploadImage(ctx, img.Name, img.Data)
	if err != nil {
		return err
	}
	return a.api.sendImage(ctx, strings.TrimPrefix(user, Channel+":"), id)
}

// keep puts texts in the user's outbox, delivered with their next reply.
func (a *Adapter) keep(ctx context.Context, user string, texts []string) error {
	msgs := make([]store.Message, len(texts))
	for i, s := range texts {
		msgs[i] = store.Message{ID: strconv.FormatInt(a.now().UnixNano(), 36) + "." + strconv.Itoa(i), Data: []byte(s)}
	}
	if err := a.st.PushOutbox(ctx, user, msgs); err != nil {
		return err
	}
	return msg.ErrDeferred
}

// drainKept takes the texts kept for user, to go first in the reply to
// their message.
func (a *Adapter) drainKept(ctx context.Context, user string) []string {
	msgs, err := a.st.DrainOutbox(ctx, user)
	if err != nil {
		a.log.Warn("wechat: outbox", "err", err)
		return nil
	}
	var kept []string
	for _, m := range msgs {
		kept = append(kept, string(m.Data))
	}
	return kept
}

// sendText sends a customer-service text message.
func (a *API) sendText(ctx context.Context, openID, text string) error {
	return a.post(ctx, "/cgi-bin/message/custom/send", map[string]any{
		"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}})
}

// sendTemplate sends a template message; the text goes in the "first"
// field, as most reminder templates put their lead line there, and the
// rest of the template's fields are left to it.
func (a *API) sendTemplate(ctx context.Context, openID, templateID, text string) error {
	return a.post(ctx, "/cgi-bin/message/template/send", map[string]any{
		"touser": openID, "template_id": templateID,
		"data": map[string]any{"first": map[string]string{"value": text}}})
}

// uploadImage uploads a temporary image (kept by WeChat for 3 days) and
// returns its media_id.
func (a *API) uploadImage(ctx context.Context, name string, data []byte) (string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("media", name)
	if err != nil {
		return "", err
	}
	part.Write(data)
	w.Close()
	out, err := a.call(ctx, "/cgi-bin/media/upload", url.Values{"type": {"image"}}, w.FormDataContentType(), b.Bytes())
	if err != nil {
		return "", err
	}
	if out.MediaID == "" {
		return "", errors.New("wechat media upload: no media_id")
	}
	return out.MediaID, nil
}

// sendImage sends an uploaded image as a customer-service message.
func (a *API) sendImage(ctx context.Context, openID, mediaID string) error {
	return a.post(ctx, "/cgi-bin/message/custom/send", map[string]any{
		"touser": openID, "msgtype": "image", "image": map[string]string{"media_id": mediaID}})
}
