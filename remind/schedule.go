// Package remind owns repayment reminders: when each notice falls due (the
// schedule, on rrule-go, in the user's own time zone, out of quiet hours) and
// the dispatcher that claims due notices from Redis and sends them through
// the channel's Sender, once.
package remind

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/teambition/rrule-go"
)

// Quiet hours: nothing is sent from 22:00 to 08:00 local time.
const (
	quietFrom = 22
	quietTo   = 8
)

// Schedule says when a reminder's notices fall due.
//
// Reminders are many and small: their JSON keys are one letter, to keep
// Redis memory per reminder low.
type Schedule struct {
	Monthly bool   `json:"m,omitempty"`
	Day     int    `json:"d,omitempty"` // 1–31 when Monthly; 29–31 mean the last day of shorter months
	Date    string `json:"t,omitempty"` // YYYY-MM-DD when once
	Offsets []int  `json:"o"`           // days before the due date: 0 (on the day), 1, 3
	Hour    int    `json:"h,omitempty"`
	Minute  int    `json:"n,omitempty"`
	TZ      string `json:"z,omitempty"` // IANA zone of the user ("" in storage: the service's default)
}

// Notice is one message of a reminder: the due date of the period it is for,
// how many days early, and when it is sent.
type Notice struct {
	Period string    `json:"p"` // the due date, YYYY-MM-DD
	Offset int       `json:"o,omitempty"`
	At     time.Time `json:"-"`
	AtUnix int64     `json:"a"` // At, stored as Unix seconds
}

// MarshalJSON stores At as Unix seconds.
func (n Notice) MarshalJSON() ([]byte, error) {
	type plain Notice
	p := plain(n)
	p.AtUnix = n.At.Unix()
	return json.Marshal(p)
}

// UnmarshalJSON reads At from Unix seconds.
func (n *Notice) UnmarshalJSON(b []byte) error {
	type plain Notice
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*n = Notice(p)
	n.At = time.Unix(p.AtUnix, 0).UTC()
	return nil
}

// Validate checks a schedule and names what is wrong.
func (s Schedule) Validate() error {
	if _, err := time.LoadLocation(s.TZ); err != nil {
		return fmt.Errorf("time zone %q: %w", s.TZ, err)
	}
	if s.Monthly && (s.Day < 1 || s.Day > 31) {
		return fmt.Errorf("day of month %d: want 1–31", s.Day)
	}
	if !s.Monthly {
		if _, err := time.Parse(time.DateOnly, s.Date); err != nil {
			return fmt.Errorf("date %q: %w", s.Date, err)
		}
	}
	if s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 {
		return fmt.Errorf("time %02d:%02d: out of range", s.Hour, s.Minute)
	}
	if len(s.Offsets) == 0 {
		return fmt.Errorf("no notice: want at least one of 0, 1, 3 days before")
	}
	for _, o := range s.Offsets {
		if o < 0 || o > 30 {
			return fmt.Errorf("%d days before: want 0–30", o)
		}
	}
	return nil
}

// Location is the schedule's zone (UTC when it cannot be loaded).
func (s Schedule) Location() *time.Location {
	loc, err := time.LoadLocation(s.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DueDates returns up to n due dates (midnight local) on or after from's date.
func (s Schedule) DueDates(from time.Time, n int) []time.Time {
	loc := s.Location()
	f := from.In(loc)
	day0 := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	if !s.Monthly {
		d, err := time.ParseInLocation(time.DateOnly, s.Date, loc)
		if err != nil || d.Before(day0) {
			return nil
		}
		return []time.Time{d}
	}
	// The last day of shorter months: BYMONTHDAY 28..Day with BYSETPOS -1
	// picks the largest of those days the month has.
	days, pos := []int{s.Day}, []int(nil)
	if s.Day >= 29 {
		days = nil
		for d := 28; d <= s.Day; d++ {
			days = append(days, d)
		}
		pos = []int{-1}
	}
	r, err := rrule.NewRRule(rrule.ROption{
		Freq: rrule.MONTHLY, Dtstart: time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc),
		Bymonthday: days, Bysetpos: pos, Count: n + 2,
	})
	if err != nil {
		return nil
	}
	var out []time.Time
	for _, d := range r.All() {
		if !d.Before(day0) && len(out) < n {
			out = append(out, d)
		}
	}
	return out
}

// NoticesAfter returns up to n notices sent strictly after t, in order,
// skipping the periods up to paidThrough (YYYY-MM-DD, "" for none).
func (s Schedule) NoticesAfter(t time.Time, n int, paidThrough string) []Notice {
	offsets := append([]int(nil), s.Offsets...)
	sort.Sort(sort.Reverse(sort.IntSlice(offsets))) // earliest notice first
	maxOff := offsets[0]
	var out []Notice
	// Due dates from maxOff days before t: a notice days early may still be ahead.
	for _, due := range s.DueDates(t.AddDate(0, 0, -maxOff-1), n+3) {
		period := due.Format(time.DateOnly)
		if paidThrough != "" && period <= paidThrough {
			continue
		}
		for _, off := range offsets {
			d := due.AddDate(0, 0, -off)
			at := OutOfQuietHours(time.Date(d.Year(), d.Month(), d.Day(), s.Hour, s.Minute, 0, 0, d.Location()))
			if at.After(t) {
				out = append(out, Notice{Period: period, Offset: off, At: at})
			}
		}
		if len(out) >= n {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// OutOfQuietHours moves a time between 22:00 and 08:00 (in its own zone) to
// the next 08:00.
func OutOfQuietHours(t time.Time) time.Time {
	h := t.Hour()
	switch {
	case h >= quietFrom:
		n := t.AddDate(0, 0, 1)
		return time.Date(n.Year(), n.Month(), n.Day(), quietTo, 0, 0, 0, t.Location())
	case h < quietTo:
		return time.Date(t.Year(), t.Month(), t.Day(), quietTo, 0, 0, 0, t.Location())
	}
	return t
}

// Snooze is when a snoozed notice comes back: two hours later, or 08:00 the
// next morning when that falls in quiet hours.
func Snooze(now time.Time, loc *time.Location) time.Time {
	return OutOfQuietHours(now.In(loc).Add(2 * time.Hour))
}
