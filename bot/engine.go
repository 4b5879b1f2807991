package bot

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loanbot/dialogs"
	"loanbot/faq"
	"loanbot/i18n"
	"loanbot/store"
	"loanbot/zhtext"
)

// Result is the outcome of one handled message.
type Result struct {
	Replies []Reply
	Err     error
}

// maxAttempts bounds the retries when another replica wins the race for a
// session (each retry reloads and handles the message again, after a short
// random pause that grows with each attempt so two replicas fall out of step).
const maxAttempts = 20

// Handle handles one message and returns the replies (none for a duplicate).
// Messages of one user run one at a time, in the order Handle was called.
// The error is for the log: the replies already say what the user should do.
func (e *Engine) Handle(ctx context.Context, in Inbound) ([]Reply, error) {
	t := e.locks.Enqueue(in.User())
	t.Wait()
	defer t.Release()
	return e.handleLocked(ctx, in)
}

// handleLocked handles one message while holding its user's turn.
func (e *Engine) handleLocked(ctx context.Context, in Inbound) ([]Reply, error) {
	start := time.Now()
	reps, err := e.handleOnce(ctx, in)
	e.obs.Handled(in.Channel, time.Since(start), err)
	return reps, err
}

// Enqueue takes the message's place in its user's queue at once and handles
// it in the background: an adapter that receives a user's messages in order
// and enqueues them in that order gets them handled in that order, even when
// it does not wait for each.
func (e *Engine) Enqueue(ctx context.Context, in Inbound) <-chan Result {
	out := make(chan Result, 1)
	t := e.locks.Enqueue(in.User())
	go func() {
		t.Wait()
		defer t.Release()
		reps, err := e.handleLocked(ctx, in)
		out <- Result{Replies: reps, Err: err}
	}()
	return out
}

func (e *Engine) handleOnce(ctx context.Context, in Inbound) ([]Reply, error) {
	user := in.User()
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		sess, dup, lerr := e.store.Load(ctx, user, in.MessageID)
		if lerr != nil {
			e.log.Warn("load session", "channel", in.Channel, "user", LogID(e.logKey, user), "err", lerr)
			return e.degraded(ctx, in), lerr
		}
		if dup {
			// Handled already: the state moved once. If it was the last
			// message, its answer may never have reached the user (a crash
			// between the save and the send): give it again.
			return e.replay(ctx, user, in.MessageID), nil
		}
		if e.rateLimit > 0 && sess.Hits >= e.rateLimit && !alwaysAnswered(sess, in) {
			if warn, _ := e.store.WarnOnce(ctx, user); warn {
				l := e.language(sess, in)
				return e.localise(l, []Reply{{Text: i18n.T(l, "err.rate_limited")}}), nil
			}
			return nil, nil // silence until the window passes
		}
		c := e.newContext(ctx, user, sess, in)
		reps := e.route(c, in)
		e.remember(c, reps)
		reps = e.localise(c.Lang, reps)
		e.keepReplay(sess, in.MessageID, reps)
		sess.UpdatedAt = c.Now
		err = e.store.Save(ctx, user, sess, in.MessageID, c.Now)
		switch {
		case err == nil:
			for _, f := range c.Effects() {
				if ferr := f(context.WithoutCancel(ctx)); ferr != nil {
					e.log.Error("after-save effect failed", "user", LogID(e.logKey, user), "err", ferr)
					return e.unavailable(in), ferr
				}
			}
			return reps, nil
		case errors.Is(err, store.ErrDuplicate):
			return nil, nil // another replica handled it and answers it
		case errors.Is(err, store.ErrConflict):
			time.Sleep(time.Duration(rand.Int64N(int64(attempt+1) * int64(time.Millisecond))))
			continue
		default:
			e.log.Warn("save session", "channel", in.Channel, "user", LogID(e.logKey, user), "err", err)
			return e.unavailable(in), err
		}
	}
	return e.unavailable(in), err
}

// alwaysAnswered: deleting one's data (and confirming it) and a cry for
// help go through whatever the rate limit says.
func alwaysAnswered(sess *store.Session, in Inbound) bool {
	if sess.Pending == "forget" {
		return true
	}
	if cmd, _ := command(in); cmd == "/forget" {
		return true
	}
	return in.Payload == "" && faq.CrisisLevel(in.Text) == faq.Likely
}

func (e *Engine) newContext(ctx context.Context, user string, sess *store.Session, in Inbound) *dialogs.Context {
	c := &dialogs.Context{Ctx: ctx, User: user, Now: e.now(), Sess: sess, Flows: e.flows}
	if d, ok := e.store.(dialogs.Docs); ok {
		c.Docs = d
	}
	if e.reminders != nil {
		c.Reminders = e.reminders
	}
	c.Lang = e.language(sess, in)
	return c
}

// language: the user's choice, else the client's language code, else the
// script of the user's first message that has one.
func (e *Engine) language(sess *store.Session, in Inbound) string {
	if sess.LangChosen && sess.Lang != "" {
		return i18n.Normalize(sess.Lang)
	}
	if l := i18n.FromHint(in.LangHint); l != "" {
		return l
	}
	if sess.Lang != "" {
		return i18n.Normalize(sess.Lang)
	}
	// Answers inside a flow (names, amounts) say little about the language:
	// only free text outside a flow decides it.
	if l := DetectLang(in.Text); l != "" && sess.Flow == "" && in.Payload == "" && !strings.HasPrefix(in.Text, "/") {
		sess.Lang = l
		return l
	}
	return i18n.ZhHans
}

// DetectLang tells the language a text is written in, or "" when it has no
// letters to tell by.
func DetectLang(s string) string {
	han, latin := 0, 0
	for _, r := range s {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF:
			han++
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			latin++
		}
	}
	switch {
	case han > 0 && zhtext.IsTraditional(s):
		return i18n.ZhHant
	case han > 0:
		return i18n.ZhHans
	case latin >= 2 && faq.LooksLikePinyin(s):
		return i18n.ZhHans // a Chinese reader without a Chinese keyboard
	case latin >= 2:
		return i18n.En
	}
	return ""
}

// route decides what a message is and answers it.
func (e *Engine) route(c *dialogs.Context, in Inbound) []Reply {
	var note []Reply
	if utf8.RuneCountInString(in.Text) > e.maxLen || len(in.Text) > 4*e.maxLen {
		in.Text = zhtext.Truncate(in.Text, e.maxLen)
		note = []Reply{{Text: c.T("err.too_long")}}
	}
	in.Text = strings.TrimSpace(in.Text)

	// A cry for help comes first, wherever the user is; a flow stays put.
	// A message that may be one gets its normal answer with the support
	// line on top.
	// A typed button label or number is a tap, not a message to read.
	e.resolveMenu(c, &in)
	if in.Payload == "" {
		switch faq.CrisisLevel(in.Text) {
		case faq.Likely:
			return append(note, e.crisis(c)...)
		case faq.Possible:
			if _, ok := e.flows.Prompt(c); !ok {
				return append(note, supportLine(c, e.routeCalm(c, in))...)
			}
			// Inside a flow the answers are short ("on the day, 3 days
			// before") and the model alone is no judge of them: the line
			// needs a rule, and then the text is not taken as the answer
			// (a lender named "真的绝望了"): the line, then the question.
			if cmd, _ := command(in); cmd == "" && faq.RuleLevel(in.Text) >= faq.Possible {
				return append(note, supportLine(c, e.withPrompt(c, nil))...)
			}
		}
	}
	return append(note, e.routeCalm(c, in)...)
}

// supportLine puts the support line on top of the first reply.
func supportLine(c *dialogs.Context, reps []Reply) []Reply {
	line := c.T("crisis.line")
	if len(reps) == 0 {
		return []Reply{{Text: line}}
	}
	reps[0].Text = line + "\n\n" + reps[0].Text
	return reps
}

// routeCalm routes a message that is not a cry for help.
func (e *Engine) routeCalm(c *dialogs.Context, in Inbound) []Reply {
	if c.Sess.Pending == "forget" {
		if reps, done := e.forgetAnswer(c, in); done {
			return reps
		}
	}
	if cmd, arg := command(in); cmd != "" {
		return e.command(c, cmd, arg)
	}
	if a, args, ok := e.flows.Action(in.Payload); ok {
		return e.withPrompt(c, a.Run(c, args))
	}
	if e.flows.Active(c.Sess) != nil {
		reps, ok := e.flows.Handle(c, dialogs.Input{Text: in.Text, Payload: in.Payload})
		if !ok && in.Payload == "" {
			// Not an answer to the question: maybe a legal question asked
			// mid-flow. Answer it when the FAQ is sure, then ask again.
			if ans := e.confidentAnswer(c, in.Text, confidenceMidFlow); ans != nil {
				return e.withPrompt(c, ans)
			}
		}
		return reps
	}
	if reps, ok := e.flows.Read(c, in.Text); ok {
		return reps
	}
	return e.answer(c, in.Text)
}

// resolveMenu turns a typed button number or label into the button's
// payload, so WeChat and terminal users can answer like a tap.
func (e *Engine) resolveMenu(c *dialogs.Context, in *Inbound) {
	if in.Payload != "" || len(c.Sess.Menu) == 0 {
		return
	}
	t := zhtext.Normalize(in.Text)
	if n, err := strconv.Atoi(t); err == nil && !c.Sess.MenuNumeric {
		if n >= 1 && n <= len(c.Sess.Menu) {
			in.Payload = c.Sess.Menu[n-1].Payload
		}
		return
	}
	for _, m := range c.Sess.Menu {
		if zhtext.Normalize(m.Label) == t {
			in.Payload = m.Payload
			return
		}
	}
}

// remember keeps the buttons of the replies, numbered across replies in
// reading order as text channels show them, for resolveMenu.
func (e *Engine) remember(c *dialogs.Context, reps []Reply) {
	c.Sess.Menu, c.Sess.MenuNumeric = nil, c.Numeric
	for _, r := range reps {
		for _, b := range r.Flat() {
			c.Sess.Menu = append(c.Sess.Menu, store.MenuItem{Label: b.Label, Payload: b.Payload})
		}
	}
}

// withPrompt appends the current question of the active flow, so an
// interruption (help, an FAQ answer) does not lose the user's place.
func (e *Engine) withPrompt(c *dialogs.Context, reps []Reply) []Reply {
	p, ok := e.flows.Prompt(c)
	if !ok {
		return reps
	}
	p.Text = c.T("flow.continue") + "\n" + p.Text
	return append(reps, p)
}

// degraded answers while Redis is down: a legal question the FAQ is sure of
// needs no state and is answered; anything else (the user may be answering
// a flow's question, which cannot be saved now) gets "please resend".
func (e *Engine) degraded(ctx context.Context, in Inbound) []Reply {
	text := strings.TrimSpace(in.Text)
	c := e.newContext(ctx, in.User(), &store.Session{}, in)
	switch {
	case faq.CrisisLevel(text) == faq.Likely:
		return e.localise(c.Lang, e.crisis(c))
	case in.Payload == "" && looksLikeQuestion(text):
		if reps := e.confidentAnswer(c, text, confidenceMidFlow); reps != nil {
			return e.localise(c.Lang, reps)
		}
	}
	return e.unavailable(in)
}

func (e *Engine) unavailable(in Inbound) []Reply {
	l := i18n.FromHint(in.LangHint)
	if l == "" {
		l = DetectLang(in.Text)
	}
	return e.localise(l, []Reply{{Text: i18n.T(l, "err.unavailable")}})
}

// localise puts replies into the reader's script.
func (e *Engine) localise(lang string, reps []Reply) []Reply { return i18n.LocalizeReplies(lang, reps) }

// questionMarks are words that make a text a question rather than an answer
// to one ("微粒贷" answers "which lender?"; "微粒贷逾期会坐牢吗" asks).
var questionMarks = []string{"?", "？", "吗", "么", "呢", "怎", "如何", "会不会", "能不能", "可不可以", "是不是", "有没有", "多久", "几年", "哪",
	"can ", "how ", "what ", "will ", "is ", "do ", "does ", "should ", "when ", "why "}

func looksLikeQuestion(text string) bool {
	if text == "" || strings.HasPrefix(text, "/") {
		return false
	}
	t := strings.ToLower(text) + " "
	for _, m := range questionMarks {
		if strings.Contains(t, m) {
			return true
		}
	}
	return false
}

// keepReplay gives Save the answer to msgID to keep beside the session
// (without attachments: they are big and rebuilt on request).
func (e *Engine) keepReplay(sess *store.Session, msgID string, reps []Reply) {
	sess.Replay = nil
	if msgID == "" {
		return
	}
	slim := make([]Reply, len(reps))
	for i, r := range reps {
		slim[i] = Reply{Text: r.Text, Buttons: r.Buttons, NumberIsAnswer: r.NumberIsAnswer}
	}
	if data, err := json.Marshal(slim); err == nil {
		sess.Replay = data
	}
}

// replay is the kept answer to msgID, or nil.
func (e *Engine) replay(ctx context.Context, user, msgID string) []Reply {
	data, err := e.store.Replay(ctx, user, msgID)
	if err != nil || data == nil {
		return nil
	}
	var reps []Reply
	if json.Unmarshal(data, &reps) != nil {
		return nil
	}
	return reps
}
