package remind

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"loanbot/msg"
	"loanbot/store"
)

// Reminder is one repayment reminder of a user.
// Its JSON keys are one letter (see Schedule); the id is the hash field it
// is stored under.
type Reminder struct {
	ID          string   `json:"-"`
	Lender      string   `json:"l"`           // a lender id or "other:<name>"
	AmountFen   int64    `json:"a,omitempty"` // 0: not given
	Schedule    Schedule `json:"s"`
	Paused      bool     `json:"x,omitempty"`
	PaidThrough string   `json:"p,omitempty"` // the last period paid, YYYY-MM-DD
	Next        *Notice  `json:"n,omitempty"` // the notice in the due set; nil when none is left
}

// Store is the state reminders need (implemented by *store.Store).
type Store interface {
	PutReminder(ctx context.Context, user, id string, data []byte, next time.Time) error
	Schedule(ctx context.Context, user, id string, next time.Time) error
	Reminder(ctx context.Context, user, id string) ([]byte, error)
	Reminders(ctx context.Context, user string) (map[string][]byte, error)
	DeleteReminder(ctx context.Context, user, id string) (bool, error)
	ClaimDue(ctx context.Context, shard int, now time.Time, lease time.Duration, max int) ([]store.Due, error)
	MarkSent(ctx context.Context, user, occurrence string, ttl time.Duration) (int, error)
	ConfirmSent(ctx context.Context, user, occurrence string, keep time.Duration) error
	UnmarkSent(ctx context.Context, user, occurrence string) error
	Load(ctx context.Context, user, msgID string) (*store.Session, bool, error)
}

// Service keeps users' reminders.
type Service struct {
	st Store
	tz string
}

// NewService makes the reminder service; tz is the default zone (LOANBOT_TZ).
func NewService(st Store, tz string) *Service { return &Service{st: st, tz: tz} }

// DefaultTZ is the zone of users who did not set one.
func (s *Service) DefaultTZ() string { return s.tz }

// Save stores r (a new one gets an id) and schedules its next notice after now.
func (s *Service) Save(ctx context.Context, user string, r *Reminder, now time.Time) error {
	if r.Schedule.TZ == "" {
		r.Schedule.TZ = s.tz
	}
	if err := r.Schedule.Validate(); err != nil {
		return err
	}
	if r.ID == "" {
		var b [4]byte
		rand.Read(b[:])
		r.ID = hex.EncodeToString(b[:])
	}
	r.plan(now)
	return s.put(ctx, user, r)
}

// plan sets the next notice after now.
func (r *Reminder) plan(now time.Time) {
	r.Next = nil
	if ns := r.Schedule.NoticesAfter(now, 1, r.PaidThrough); len(ns) > 0 {
		r.Next = &ns[0]
	}
}

func (s *Service) put(ctx context.Context, user string, r *Reminder) error {
	stored := *r
	if stored.Schedule.TZ == s.tz {
		stored.Schedule.TZ = "" // the default zone is not stored: a million reminders, 20 bytes each
	}
	data, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	var at time.Time
	if r.Next != nil && !r.Paused {
		at = r.Next.At
	}
	return s.st.PutReminder(ctx, user, r.ID, data, at)
}

// Get returns one reminder, or nil.
func (s *Service) Get(ctx context.Context, user, id string) (*Reminder, error) {
	b, err := s.st.Reminder(ctx, user, id)
	if err != nil || b == nil {
		return nil, err
	}
	var r Reminder
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reminder %s: %w", id, err)
	}
	r.ID = id
	if r.Schedule.TZ == "" {
		r.Schedule.TZ = s.tz
	}
	return &r, nil
}

// List returns the user's reminders, the next to fire first.
func (s *Service) List(ctx context.Context, user string) ([]*Reminder, error) {
	m, err := s.st.Reminders(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]*Reminder, 0, len(m))
	for id, b := range m {
		var r Reminder
		if json.Unmarshal(b, &r) == nil {
			r.ID = id
			if r.Schedule.TZ == "" {
				r.Schedule.TZ = s.tz
			}
			out = append(out, &r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Next, out[j].Next
		switch {
		case a == nil || b == nil:
			return b == nil && a != nil
		case !a.At.Equal(b.At):
			return a.At.Before(b.At)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Paid records that the period due on period is paid: its other notices are
// not sent.
func (s *Service) Paid(ctx context.Context, user, id, period string, now time.Time) (*Reminder, error) {
	return s.update(ctx, user, id, func(r *Reminder) {
		if period > r.PaidThrough {
			r.PaidThrough = period
		}
		if r.Next != nil && r.Next.Period <= r.PaidThrough {
			r.plan(now)
		}
	})
}

// Snooze sends the current notice again in two hours (or at 08:00 when that
// falls in quiet hours).
func (s *Service) Snooze(ctx context.Context, user, id string, now time.Time) (*Reminder, error) {
	return s.update(ctx, user, id, func(r *Reminder) {
		n := Notice{Offset: 0, At: Snooze(now, r.Schedule.Location())}
		if r.Next != nil {
			n.Period, n.Offset = r.Next.Period, r.Next.Offset
		}
		if n.Period == "" { // nothing left to remind of: snooze the last period
			n.Period = now.In(r.Schedule.Location()).Format(time.DateOnly)
		}
		r.Next = &n
	})
}

// SetPaused pauses or resumes a reminder; resuming plans from now.
func (s *Service) SetPaused(ctx context.Context, user, id string, paused bool, now time.Time) (*Reminder, error) {
	return s.update(ctx, user, id, func(r *Reminder) {
		r.Paused = paused
		if !paused && (r.Next == nil || r.Next.At.Before(now)) {
			r.plan(now)
		}
	})
}

// PauseAll pauses every reminder of user (they blocked the bot or
// unsubscribed).
func (s *Service) PauseAll(ctx context.Context, user string, now time.Time) error {
	rs, err := s.List(ctx, user)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if _, err := s.SetPaused(ctx, user, r.ID, true, now); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes a reminder; false when user has no reminder id.
func (s *Service) Delete(ctx context.Context, user, id string) (bool, error) {
	return s.st.DeleteReminder(ctx, user, id)
}

func (s *Service) update(ctx context.Context, user, id string, f func(*Reminder)) (*Reminder, error) {
	r, err := s.Get(ctx, user, id)
	if err != nil || r == nil {
		return nil, err
	}
	f(r)
	return r, s.put(ctx, user, r)
}

// ActionPrefix is the action of a reminder's buttons (dialogs answers them).
const ActionPrefix = "rm"

// Payload is the payload of a reminder's button: what to do (paid, snooze,
// pause, resume, edit, del), the reminder's id and, for paid, the period.
func Payload(verb, id string, more ...string) string {
	return msg.Action(ActionPrefix, append([]string{verb, id}, more...)...)
}
