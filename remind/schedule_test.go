package remind

import (
	"strconv"
	"testing"
	"time"
)

func sh(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func dates(ts []time.Time) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Format(time.DateOnly))
	}
	return out
}

func TestMonthlyOnThe31stFallsOnTheLastDayOfShorterMonths(t *testing.T) {
	s := Schedule{Monthly: true, Day: 31, Offsets: []int{0}, Hour: 9, TZ: "Asia/Shanghai"}
	got := dates(s.DueDates(time.Date(2027, 12, 15, 0, 0, 0, 0, sh(t)), 5))
	want := []string{"2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"} // 2028 is a leap year
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if got := dates(s.DueDates(time.Date(2027, 2, 1, 0, 0, 0, 0, sh(t)), 1)); got[0] != "2027-02-28" {
		t.Errorf("February of a common year: %v", got)
	}
	s.Day = 30
	if got := dates(s.DueDates(time.Date(2027, 2, 1, 0, 0, 0, 0, sh(t)), 2)); got[0] != "2027-02-28" || got[1] != "2027-03-30" {
		t.Errorf("day 30: %v", got)
	}
	s.Day = 15
	if got := dates(s.DueDates(time.Date(2027, 2, 16, 0, 0, 0, 0, sh(t)), 1)); got[0] != "2027-03-15" {
		t.Errorf("day 15 after the 15th: %v", got)
	}
}

func TestNoticesInOrderWithOffsetsAndPaidPeriods(t *testing.T) {
	loc := sh(t)
	s := Schedule{Monthly: true, Day: 10, Offsets: []int{0, 3}, Hour: 9, Minute: 30, TZ: "Asia/Shanghai"}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, loc)
	got := s.NoticesAfter(now, 3, "")
	want := []string{"2026-12-07 09:30 +3 2026-12-10", "2026-12-10 09:30 +0 2026-12-10", "2027-01-07 09:30 +3 2027-01-10"}
	for i, n := range got {
		if s := n.At.In(loc).Format("2006-01-02 15:04") + " +" + itoa(n.Offset) + " " + n.Period; s != want[i] {
			t.Errorf("notice %d = %s, want %s", i, s, want[i])
		}
	}
	// Paid for December: its on-the-day notice is not sent.
	got = s.NoticesAfter(time.Date(2026, 12, 7, 10, 0, 0, 0, loc), 1, "2026-12-10")
	if got[0].Period != "2027-01-10" || got[0].Offset != 3 {
		t.Errorf("after paying December: %+v", got[0])
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestQuietHoursAndSnooze(t *testing.T) {
	loc := sh(t)
	for _, tc := range []struct{ in, want string }{
		{"2026-12-01 21:59", "2026-12-01 21:59"},
		{"2026-12-01 22:00", "2026-12-02 08:00"},
		{"2026-12-01 23:30", "2026-12-02 08:00"},
		{"2026-12-02 03:00", "2026-12-02 08:00"},
		{"2026-12-02 08:00", "2026-12-02 08:00"},
	} {
		in, _ := time.ParseInLocation("2006-01-02 15:04", tc.in, loc)
		if got := OutOfQuietHours(in).Format("2006-01-02 15:04"); got != tc.want {
			t.Errorf("OutOfQuietHours(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return t }
	if got := Snooze(at("2026-12-01 10:00"), loc).Format("15:04"); got != "12:00" {
		t.Errorf("snooze at 10:00 = %s, want 12:00", got)
	}
	if got := Snooze(at("2026-12-01 21:00"), loc).Format("2006-01-02 15:04"); got != "2026-12-02 08:00" {
		t.Errorf("snooze at 21:00 = %s, want next 08:00", got)
	}
}

func TestUserZoneOtherThanShanghai(t *testing.T) {
	s := Schedule{Date: "2026-12-20", Offsets: []int{1}, Hour: 9, TZ: "Europe/London"}
	got := s.NoticesAfter(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 5, "")
	if len(got) != 1 || got[0].At.UTC().Format(time.RFC3339) != "2026-12-19T09:00:00Z" {
		t.Errorf("once, 1 day before, 09:00 London: %+v", got)
	}
	s.TZ = "America/New_York"
	got = s.NoticesAfter(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 5, "")
	if got[0].At.UTC().Format(time.RFC3339) != "2026-12-19T14:00:00Z" {
		t.Errorf("New York: %v", got[0].At.UTC())
	}
}
