package zhtext

import (
	"testing"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in     string
		hh, mm int
	}{
		{"09:00", 9, 0},
		{"9:00", 9, 0},
		{"21:15", 21, 15},
		{"0:00", 0, 0},
		{"23:59", 23, 59},
		{"9:00:00", 9, 0},
		{"０９：００", 9, 0},
		{"9点", 9, 0},
		{"9點", 9, 0},
		{"9点钟", 9, 0},
		{"9点整", 9, 0},
		{"9点半", 9, 30},
		{"9点15", 9, 15},
		{"9点15分", 9, 15},
		{"九点十五分", 9, 15},
		{"9点一刻", 9, 15},
		{"9点零5分", 9, 5},
		{"9时30分", 9, 30},
		{"早上9点", 9, 0},
		{"上午十点", 10, 0},
		{"下午3点", 15, 0},
		{"下午3点半", 15, 30},
		{"下午15点", 15, 0},
		{"晚上8点", 20, 0},
		{"晚上12点", 0, 0},
		{"中午12点", 12, 0},
		{"中午1点", 13, 0},
		{"凌晨2点", 2, 0},
		{"下午 3:30", 15, 30},
		{"9am", 9, 0},
		{"9 AM", 9, 0},
		{"3:30 pm", 15, 30},
		{"3:30 p.m.", 15, 30},
		{"12am", 0, 0},
		{"12pm", 12, 0},
		{"noon", 12, 0},
		{"21", 21, 0},
	}
	for _, tt := range tests {
		hh, mm, err := ParseClock(tt.in)
		if err != nil || hh != tt.hh || mm != tt.mm {
			t.Errorf("ParseClock(%q) = %d:%02d, %v; want %d:%02d", tt.in, hh, mm, err, tt.hh, tt.mm)
		}
	}
}

func TestParseClockRejects(t *testing.T) {
	rejects(t, "ParseClock", func(s string) (any, error) { hh, mm, err := ParseClock(s); return [2]int{hh, mm}, err }, []reject{
		{"", ErrEmpty},
		{"abc", ErrNotClock},
		{"早点", ErrNotClock},
		{"25:00", ErrNotClock},
		{"24:00", ErrNotClock},
		{"9:60", ErrNotClock},
		{"25点", ErrNotClock},
		{"13pm", ErrNotClock},
		{"0am", ErrNotClock},
		{"上午15点", ErrNotClock},
		{"下午25点", ErrNotClock},
		{"9点60分", ErrNotClock},
		{"99", ErrNotClock},
	})
}
