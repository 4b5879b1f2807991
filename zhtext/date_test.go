package zhtext

import (
	"testing"
	"time"
)

// shanghai is a fixed +08:00 zone, so the tests need no tz database.
var shanghai = time.FixedZone("CST", 8*3600)

// testNow is Thursday 21 May 2026, mid-afternoon in Shanghai.
var testNow = time.Date(2026, 5, 21, 15, 4, 5, 0, shanghai)

func TestParseDate(t *testing.T) {
	day := func(y int, m time.Month, d int) DateSpec {
		return DateSpec{Date: time.Date(y, m, d, 0, 0, 0, 0, shanghai)}
	}
	monthly := func(d int) DateSpec { return DateSpec{Monthly: true, Day: d} }
	june5 := time.Date(2026, 6, 5, 9, 0, 0, 0, shanghai)
	tests := []struct {
		in   string
		now  time.Time
		want DateSpec
	}{
		{"12月20日", testNow, day(2026, 12, 20)},
		{"12月20号", testNow, day(2026, 12, 20)},
		{"十二月二十日", testNow, day(2026, 12, 20)},
		{"5月21日", testNow, day(2026, 5, 21)}, // today counts
		{"5月20日", testNow, day(2027, 5, 20)}, // passed: next year
		{"2月29日", testNow, day(2028, 2, 29)},
		{"12/20", testNow, day(2026, 12, 20)},
		{"20/12", testNow, day(2026, 12, 20)},
		{"2026-12-20", testNow, day(2026, 12, 20)},
		{"2026/12/20", testNow, day(2026, 12, 20)},
		{"2026.12.20", testNow, day(2026, 12, 20)},
		{"2026年12月20日", testNow, day(2026, 12, 20)},
		{"2025年12月20日", testNow, day(2025, 12, 20)}, // an explicit year is kept
		{"26年12月20日", testNow, day(2026, 12, 20)},
		{"二〇二六年十二月二十日", testNow, day(2026, 12, 20)},
		{"２０２６－１２－２０", testNow, day(2026, 12, 20)},
		{"20/12/2026", testNow, day(2026, 12, 20)},
		{"下个月5号", testNow, day(2026, 6, 5)},
		{"下月5日", testNow, day(2026, 6, 5)},
		{"下個月5號", testNow, day(2026, 6, 5)},
		{"这个月25号", testNow, day(2026, 5, 25)},
		{"本月25号", testNow, day(2026, 5, 25)},
		{"今天", testNow, day(2026, 5, 21)},
		{"明天", testNow, day(2026, 5, 22)},
		{"后天", testNow, day(2026, 5, 23)},
		{"大后天", testNow, day(2026, 5, 24)},
		{"tomorrow", testNow, day(2026, 5, 22)},
		{"20号", testNow, day(2026, 6, 20)}, // the 20th has passed this month
		{"20日", testNow, day(2026, 6, 20)},
		{"21号", testNow, day(2026, 5, 21)},
		{"25号", testNow, day(2026, 5, 25)},
		{"31号", june5, day(2026, 7, 31)}, // June has no 31st
		{"the 20th", testNow, day(2026, 6, 20)},
		{"12月20日前", testNow, day(2026, 12, 20)},
		{"周五", testNow, day(2026, 5, 22)},
		{"星期四", testNow, day(2026, 5, 21)},
		{"星期天", testNow, day(2026, 5, 24)},
		{"下周一", testNow, day(2026, 5, 25)},
		{"这周一", testNow, day(2026, 5, 18)},
		{"Dec 20", testNow, day(2026, 12, 20)},
		{"December 20th", testNow, day(2026, 12, 20)},
		{"Dec 20, 2027", testNow, day(2027, 12, 20)},
		{"20 Dec 2026", testNow, day(2026, 12, 20)},
		{"20 December", testNow, day(2026, 12, 20)},
		{"每月15号", testNow, monthly(15)},
		{"每个月15日", testNow, monthly(15)},
		{"每月15", testNow, monthly(15)},
		{"每月十五号", testNow, monthly(15)},
		{"每月31号", testNow, monthly(31)},
		{"每月最后一天", testNow, monthly(LastDay)},
		{"每月底", testNow, monthly(LastDay)},
		{"每個月15日", testNow, monthly(15)},
		{"monthly on 15", testNow, monthly(15)},
		{"monthly on the 15th", testNow, monthly(15)},
		{"every month on the 15th", testNow, monthly(15)},
		{"15th every month", testNow, monthly(15)},
		{"15th of every month", testNow, monthly(15)},
		{"the 15th of each month", testNow, monthly(15)},
		{"last day of every month", testNow, monthly(LastDay)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.now)
		if err != nil || got.Monthly != tt.want.Monthly || got.Day != tt.want.Day || !got.Date.Equal(tt.want.Date) {
			t.Errorf("ParseDate(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if !got.Monthly && got.Date.Location() != tt.now.Location() {
			t.Errorf("ParseDate(%q) is in %v, want now's location", tt.in, got.Date.Location())
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	rejects(t, "ParseDate", func(s string) (any, error) { return ParseDate(s, testNow) }, []reject{
		{"", ErrEmpty},
		{"  ", ErrEmpty},
		{"abc", ErrNotDate},
		{"很快", ErrNotDate},
		{"2月30日", ErrNotDate},
		{"13月1日", ErrNotDate},
		{"12月32日", ErrNotDate},
		{"0号", ErrNotDate},
		{"32号", ErrNotDate},
		{"每月0号", ErrNotDate},
		{"每月32号", ErrNotDate},
		{"monthly on 32", ErrNotDate},
		{"2026-13-01", ErrNotDate},
		{"2026-02-30", ErrNotDate},
		{"2027年2月29日", ErrNotDate},
		{"下个月31号", ErrNotDate}, // June 2026 has 30 days
		{"Foo 20", ErrNotDate},
	})
}
