package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/store"
)

// Sender delivers a reminder to a channel's user (bot.Sender).
type Sender interface {
	Send(ctx context.Context, userID string, reps []msg.Reply) error
}

// Dispatcher sends the notices that are due. Any number of dispatchers may
// run on one Redis: claiming is atomic with a lease, and a per-occurrence
// send key makes a second send of the same notice a no-op.
type Dispatcher struct {
	svc     *Service
	senders map[string]Sender // by channel ("tg", "wx", "web", "cli")
	now     func() time.Time
	lease   time.Duration
	batch   int
	log     *slog.Logger
	obs     Observer
	rate    int // sends a second per channel; 0: the senders pace themselves
	budget  int // the senders' shared budget a second (WithSharedBudget); 0: none
}

// Observer is told what the dispatcher does, for metrics.
type Observer interface {
	Due(n int)                 // notices claimed
	Claimed(lag time.Duration) // one notice claimed lag after its time
	Sent(late bool)            // a message sent (late: after its time, or folded)
	Failed()                   // a send that failed and will be retried
}

type nopObserver struct{}

func (nopObserver) Due(int)               {}
func (nopObserver) Claimed(time.Duration) {}
func (nopObserver) Sent(bool)             {}
func (nopObserver) Failed()               {}

// WithObserver reports what the dispatcher does (metrics).
func WithObserver(o Observer) DispatcherOption { return func(d *Dispatcher) { d.obs = o } }

// How late a notice may be and still go out on its own ("late" wording);
// older ones are folded into one "missed while I was away" message.
const (
	lateAfter = 10 * time.Minute
	staleAt   = 24 * time.Hour
	keepSent  = 62 * 24 * time.Hour
)

// DispatcherOption configures a Dispatcher.
type DispatcherOption func(*Dispatcher)

// WithClock injects the clock (tests control time).
func WithClock(now func() time.Time) DispatcherOption { return func(d *Dispatcher) { d.now = now } }

// WithLease sets how long a claim holds before another dispatcher may retake it.
func WithLease(l time.Duration) DispatcherOption { return func(d *Dispatcher) { d.lease = l } }

// WithSendRate paces every channel's sends to n a second (for senders
// that do not pace themselves) and stretches claim leases to cover a
// backlog at that pace.
func WithSendRate(n int) DispatcherOption { return func(d *Dispatcher) { d.rate = n } }

// budgetLease is how long past its turn a claimed notice waits for its
// replica before another takes it, when sends are paced by a shared budget.
const budgetLease = 10 * time.Second

// WithSharedBudget says the senders pace themselves against a budget of n
// messages a second shared by every replica (Telegram's, in Redis): a
// claim's lease stretches to cover the backlog at that pace, and one tick
// claims at most a minute of it, so the other replicas take the rest of a
// burst and a replica that dies leaves only its minute to retake.
func WithSharedBudget(n int) DispatcherOption { return func(d *Dispatcher) { d.budget = n } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) DispatcherOption { return func(d *Dispatcher) { d.log = l } }

// NewDispatcher makes a dispatcher sending through senders by channel.
func NewDispatcher(svc *Service, senders map[string]Sender, opts ...DispatcherOption) *Dispatcher {
	d := &Dispatcher{svc: svc, senders: senders, now: time.Now, lease: time.Minute, batch: 200, log: slog.Default(), obs: nopObserver{}}
	for _, o := range opts {
		o(d)
	}
	if d.rate > 0 {
		paced := make(map[string]Sender, len(senders))
		for ch, s := range senders {
			paced[ch] = Paced(s, d.rate)
		}
		d.senders = paced
	}
	return d
}

// Run ticks every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("reminder dispatch", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick claims everything due now, then sends it; it returns how many
// messages it sent. Claiming comes first and all at once, so a burst of
// notices due in the same minute is claimed within moments even when the
// channel's rate makes sending them take minutes; each batch's lease covers
// the time the notices before it will take to send.
func (d *Dispatcher) Tick(ctx context.Context) (int, error) {
	var all []store.Due
	for shard := 0; shard < store.DueShards; shard++ {
		for {
			now := d.now()
			lease := d.lease
			if d.rate > 0 {
				lease += time.Duration(len(all)) * time.Second / time.Duration(d.rate)
			}
			batch := d.batch
			if d.budget > 0 {
				// Each notice's lease runs to its turn in the backlog and
				// a little past: a replica that dies leaves its share to
				// the others within seconds of when it was due to go.
				lease = min(lease, budgetLease) + time.Duration(len(all))*time.Second/time.Duration(d.budget)
				if batch = min(batch, d.budget*60-len(all)); batch <= 0 {
					break // a minute of sending claimed: the rest is for the others
				}
			}
			dues, err := d.svc.st.ClaimDue(ctx, shard, now, lease, batch)
			if err != nil {
				return 0, err
			}
			for _, due := range dues {
				d.obs.Claimed(now.Sub(due.At))
			}
			d.obs.Due(len(dues))
			all = append(all, dues...)
			if len(dues) < batch {
				break
			}
		}
	}
	if len(all) == 0 {
		return 0, nil
	}
	return d.deliver(ctx, d.now(), all)
}

// item is a claimed notice ready to send.
type item struct {
	r   *Reminder
	n   Notice
	occ string
}

func (d *Dispatcher) deliver(ctx context.Context, now time.Time, dues []store.Due) (int, error) {
	byUser := map[string][]item{}
	var order []string
	var firstErr error
	for _, due := range dues {
		r, err := d.svc.Get(ctx, due.User, due.ID)
		if err != nil {
			firstErr = err
			continue
		}
		if r == nil || r.Paused || r.Next == nil {
			d.svc.st.Schedule(ctx, due.User, due.ID, time.Time{}) // gone, paused or finished
			continue
		}
		if r.Next.At.After(now) { // rescheduled since it was claimed
			d.svc.st.Schedule(ctx, due.User, due.ID, r.Next.At)
			continue
		}
		if _, ok := byUser[due.User]; !ok {
			order = append(order, due.User)
		}
		occ := r.ID + ":" + r.Next.Period + ":" + strconv.Itoa(r.Next.Offset) + ":" + strconv.FormatInt(r.Next.At.Unix(), 10)
		byUser[due.User] = append(byUser[due.User], item{r: r, n: *r.Next, occ: occ})
	}
	sent := 0
	for _, user := range order {
		n, err := d.deliverUser(ctx, now, user, byUser[user])
		sent += n
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return sent, firstErr
}

// deliverUser sends one user's due notices: each on its own when at most a
// day late, the older ones folded into one message.
func (d *Dispatcher) deliverUser(ctx context.Context, now time.Time, user string, items []item) (int, error) {
	channel, id, _ := strings.Cut(user, ":")
	sender := d.senders[channel]
	if sender == nil {
		// No sender for this channel in this process (a terminal chat that
		// has ended, a channel another replica serves): leave the claim to
		// lapse, so a process that has one takes it after the lease.
		return 0, nil
	}
	lang := d.language(ctx, user)
	var stale []item
	sent := 0
	for _, it := range items {
		if now.Sub(it.n.At) > staleAt {
			stale = append(stale, it)
			continue
		}
		late := now.Sub(it.n.At) > lateAfter
		ok, err := d.send(ctx, sender, user, id, []item{it}, []msg.Reply{d.notice(lang, it, late)})
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
			d.obs.Sent(late)
		}
	}
	if len(stale) > 0 {
		ok, err := d.send(ctx, sender, user, id, stale, []msg.Reply{d.missed(lang, stale)})
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
			d.obs.Sent(true)
		}
	}
	return sent, nil
}

// send marks the items' occurrences as being sent, sends, confirms the marks
// and moves each reminder to its next notice. Occurrences already marked
// (being sent by another dispatcher, or sent before a crash) are dropped
// from the message; one still being sent by another (or by one that died
// sending it: its mark says "pending") is left for after its lease. A mark
// lasts the lease until it is confirmed: a dispatcher killed between
// marking and delivering leaves the notice to be claimed and sent again
// after the lease (not lost); only a kill in the instant between delivery
// and confirmation can send it twice.
func (d *Dispatcher) send(ctx context.Context, s Sender, user, id string, items []item, reps []msg.Reply) (bool, error) {
	var fresh []item
	for _, it := range items {
		mark, err := d.svc.st.MarkSent(ctx, user, it.occ, d.lease)
		if err != nil {
			return false, err
		}
		switch mark {
		case store.MarkTaken:
			fresh = append(fresh, it)
		case store.MarkSent:
			d.advance(ctx, user, it)
		default: // another sender holds it: its claim was moved past this lease, try then
		}
	}
	if len(fresh) == 0 {
		return false, nil
	}
	if len(fresh) < len(items) && len(items) > 1 { // some were sent already: say only the rest
		reps = []msg.Reply{d.missed(d.language(ctx, user), fresh)}
	}
	err := s.Send(ctx, id, reps)
	switch {
	case err == nil, errors.Is(err, msg.ErrDeferred): // delivered, or kept for the user's next visit
		for _, it := range fresh {
			if cerr := d.svc.st.ConfirmSent(ctx, user, it.occ, keepSent); cerr != nil {
				d.log.Warn("reminder confirm", "err", cerr)
			}
			d.advance(ctx, user, it)
		}
		return err == nil, nil
	case errors.Is(err, msg.ErrBlocked):
		d.log.Info("reminders paused: user blocked the bot", "channel", strings.SplitN(user, ":", 2)[0])
		return false, d.svc.PauseAll(ctx, user, d.now())
	default:
		// Not delivered: forget the marks and retry after the lease.
		d.obs.Failed()
		for _, it := range fresh {
			d.svc.st.UnmarkSent(ctx, user, it.occ)
		}
		return false, fmt.Errorf("send reminder: %w", err)
	}
}

// advance moves a reminder past the notice it just sent.
func (d *Dispatcher) advance(ctx context.Context, user string, it item) {
	r, err := d.svc.Get(ctx, user, it.r.ID)
	if err != nil || r == nil {
		return
	}
	if r.Next != nil && r.Next.At.Equal(it.n.At) && r.Next.Period == it.n.Period {
		r.plan(it.n.At)
		// Folded notices of a stale period are behind us: plan from now.
		if r.Next != nil && r.Next.At.Before(d.now()) {
			r.plan(d.now())
		}
	}
	if err := d.svc.put(ctx, user, r); err != nil {
		d.log.Warn("reminder advance", "err", err)
	}
}

func (d *Dispatcher) language(ctx context.Context, user string) string {
	s, _, err := d.svc.st.Load(ctx, user, "")
	if err != nil || s.Lang == "" {
		return i18n.ZhHans
	}
	return i18n.Normalize(s.Lang)
}

// notice renders one reminder message.
func (d *Dispatcher) notice(lang string, it item, late bool) msg.Reply {
	r := it.r
	key := "remind.notice.before"
	if it.n.Offset == 0 {
		key = "remind.notice.today"
	}
	text := i18n.T(lang, key, "lender", i18n.Lender(lang, r.Lender), "amount", amountText(lang, r.AmountFen),
		"due", DueText(lang, it.n.Period), "days", it.n.Offset)
	if late {
		text = i18n.T(lang, "remind.late") + "\n" + text
	}
	return localise(lang, msg.Reply{Text: text, Buttons: NoticeButtons(lang, r.ID, it.n.Period)})
}

// missed folds stale notices into one message.
func (d *Dispatcher) missed(lang string, items []item) msg.Reply {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "remind.missed"))
	for _, it := range items {
		b.WriteString("\n" + i18n.T(lang, "remind.missed.item", "lender", i18n.Lender(lang, it.r.Lender),
			"amount", amountText(lang, it.r.AmountFen), "due", DueText(lang, it.n.Period)))
	}
	last := items[len(items)-1]
	return localise(lang, msg.Reply{Text: b.String(), Buttons: NoticeButtons(lang, last.r.ID, last.n.Period)})
}

// NoticeButtons are a reminder's buttons: paid, later, can't pay.
func NoticeButtons(lang, id, period string) [][]msg.Button {
	return [][]msg.Button{{
		{Label: i18n.T(lang, "remind.btn.paid"), Payload: Payload("paid", id, period)},
		{Label: i18n.T(lang, "remind.btn.snooze"), Payload: Payload("snooze", id)},
		{Label: i18n.T(lang, "remind.btn.cant"), Payload: msg.Cmd("/prep")},
	}}
}

func localise(lang string, r msg.Reply) msg.Reply {
	return i18n.LocalizeReplies(lang, []msg.Reply{r})[0]
}

// DueText formats a due date for people.
func DueText(lang, period string) string {
	t, err := time.Parse(time.DateOnly, period)
	if err != nil {
		return period
	}
	return i18n.Date(lang, t)
}

func amountText(lang string, fen int64) string {
	if fen <= 0 {
		return ""
	}
	return i18n.T(lang, "remind.amount", "amount", i18n.Yuan(lang, fen))
}
