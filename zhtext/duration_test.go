package zhtext

import (
	"testing"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"45天", 45},
		{"45 days", 45},
		{"45days", 45},
		{"1 day", 1},
		{"45", 45},
		{"４５天", 45},
		{"十天", 10},
		{"十来天", 10},
		{"60多天", 60},
		{"一百天", 100},
		{"两个月", 60},
		{"2个月", 60},
		{"3 months", 90},
		{"1.5个月", 45},
		{"一个半月", 45},
		{"半个月", 15},
		{"半年", 180},
		{"一年", 365},
		{"1 year", 365},
		{"两年", 730},
		{"一年半", 540},
		{"两周", 14},
		{"2 weeks", 14},
		{"两个星期", 14},
		{"三个礼拜", 21},
		{"两周半", 18}, // 17.5 rounds up
		{"1个月零5天", 35},
		{"一年零三个月", 455},
		{"1 month and 5 days", 35},
		{"0", 0},
		{"零", 0},
		{"0天", 0},
		{"逾期45天了", 45},
		{"大概两个月左右", 60},
		{"about 3 months", 90},
		{"兩個月", 60},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationRejects(t *testing.T) {
	rejects(t, "ParseDuration", func(s string) (any, error) { return ParseDuration(s) }, []reject{
		{"", ErrEmpty},
		{" ", ErrEmpty},
		{"abc", ErrNotDuration},
		{"很久", ErrNotDuration},
		{"天", ErrNotDuration},
		{"45块", ErrNotDuration},
		{"45 dollars", ErrNotDuration},
		{"30天或45天", ErrNotDuration},
		{"1.2.3天", ErrNotDuration},
		{"-5天", ErrNegative},
		{"-45", ErrNegative},
		{"负3个月", ErrNegative},
		{"1000年", ErrTooLarge},
		{"99999999999999999999天", ErrTooLarge},
	})
}
