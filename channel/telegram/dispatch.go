package telegram

import (
	"context"
	"errors"
	"sync"
	"time"

	"loanbot/bot"
)

// typingAfter is how long a reply may take before the chat shows "typing…".
const typingAfter = time.Second

// dispatch starts one update: in the caller's goroutine, it takes the
// update's place in its user's engine queue and in its chat's send queue, so
// the caller must call dispatch in arrival order. It returns finish, which
// waits for the engine, sends the replies in the chat's order and reports
// false when Telegram should deliver the update again (the engine could not
// save it, or the replies could not be sent).
func (a *Adapter) dispatch(ctx context.Context, u *update) (finish func() bool) {
	w, ok := a.toWork(u)
	if !ok {
		return func() bool { return true }
	}
	turn := a.chats.Enqueue(w.chatID)
	var res <-chan bot.Result
	if w.link == "" && !w.dupTap {
		res = a.eng.Enqueue(ctx, w.in)
	}
	return func() bool {
		defer turn.Release()
		if w.tap != nil {
			a.answerTap(ctx, w)
		}
		if w.dupTap {
			return true // the first tap on this keyboard is handled
		}
		reps := []bot.Reply{{Text: privateText(w.in.LangHint) + "\n" + w.link}}
		if res != nil {
			r := a.await(ctx, w.chatID, res)
			if r.Err != nil {
				a.log.Warn("telegram: engine", "update", u.ID, "err", r.Err)
				if a.webhookURL != "" {
					// Nothing was saved: a non-200 makes Telegram deliver it
					// again, which beats asking the user to type it again.
					// (Polling sends the engine's "please resend" instead: one
					// update that keeps failing must not hold up the others.)
					return false
				}
			}
			reps = r.Replies
		}
		turn.Wait()
		if err := a.send(ctx, w.chatID, reps, false); err != nil {
			if errors.Is(err, bot.ErrBlocked) {
				return true
			}
			a.log.Warn("telegram: send", "update", u.ID, "err", err)
			// Delivered again, the engine finds the update handled and
			// gives its answer again (its replay of the last message).
			return !errors.Is(err, errTransient)
		}
		return true
	}
}

// await waits for the engine's result and shows "typing…" when it takes a
// while. The action is sent before the result is read, so it cannot arrive
// after the reply and linger over it.
func (a *Adapter) await(ctx context.Context, chatID int64, res <-chan bot.Result) bot.Result {
	select {
	case r := <-res:
		return r
	default:
	}
	t := time.NewTimer(typingAfter)
	select {
	case r := <-res:
		t.Stop()
		return r
	case <-t.C:
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := a.postJSON(actx, "sendChatAction", chatAction{ChatID: chatID, Action: "typing"})
		cancel()
		if err != nil {
			a.log.Debug("telegram: sendChatAction", "err", err)
		}
		return <-res
	}
}

type chatAction struct {
	ChatID int64  `json:"chat_id"`
	Action string `json:"action"`
}

// answerTap stops the button's spinner and removes the keyboard the tap
// came from, so a second tap finds nothing to press.
func (a *Adapter) answerTap(ctx context.Context, w work) {
	if err := a.postJSON(ctx, "answerCallbackQuery", map[string]string{"callback_query_id": w.tap.ID}); err != nil {
		a.log.Debug("telegram: answerCallbackQuery", "err", err)
	}
	if m := w.tap.Message; m != nil && m.Date != 0 && !w.dupTap {
		err := a.postJSON(ctx, "editMessageReplyMarkup", editMarkup{ChatID: m.Chat.ID, MessageID: m.ID, ReplyMarkup: &inlineKeyboard{Rows: [][]inlineButton{}}})
		if err != nil {
			a.log.Debug("telegram: editMessageReplyMarkup", "err", err)
		}
	}
}

type editMarkup struct {
	ChatID      int64           `json:"chat_id"`
	MessageID   int64           `json:"message_id"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup"`
}

// taps remembers which update first tapped each keyboard, for 10 to 20
// minutes: a second tap on the same keyboard (a double tap, or a tap racing
// the keyboard's removal) is answered and dropped here, while the same
// update delivered again still reaches the engine, which replays its answer.
// After a restart or on another replica the engine's de-duplication of
// "k<chat>.<message>" still keeps the state from moving twice.
type taps struct {
	mu       sync.Mutex
	cur, old map[[2]int64]int64
	rotated  time.Time
}

func newTaps() *taps {
	return &taps{cur: map[[2]int64]int64{}, old: map[[2]int64]int64{}, rotated: time.Now()}
}

// first reports whether update is the first to tap message's keyboard.
func (t *taps) first(chat, message, update int64) bool {
	k := [2]int64{chat, message}
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Since(t.rotated) > 10*time.Minute {
		t.old, t.cur, t.rotated = t.cur, map[[2]int64]int64{}, time.Now()
	}
	if id, ok := t.cur[k]; ok {
		return id == update
	}
	if id, ok := t.old[k]; ok {
		return id == update
	}
	t.cur[k] = update
	return true
}
