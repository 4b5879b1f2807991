package zhtext

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Seeds beyond these live in testdata/fuzz/FuzzX/.

// checkParseError asserts the shape every Parse error has.
func checkParseError(t *testing.T, fn, in string, err error, kinds ...error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Input != in {
		t.Fatalf("%s(%q): error %v is not a *ParseError naming the input", fn, in, err)
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			return
		}
	}
	t.Fatalf("%s(%q): unexpected error kind %v", fn, in, pe.Kind)
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"35000", "3万5", "三千五百元", "¥30,000.50", "1.2k", "大概3万5吧", "10万零500", "三块五毛二", "-500", "1.2.3", "1万亿", "一点五万", "3元5角2分"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := ParseAmount(s)
		if err != nil {
			checkParseError(t, "ParseAmount", s, err, ErrEmpty, ErrNotNumber, ErrNegative, ErrTooLarge)
			return
		}
		if fen < 0 || fen > maxFen {
			t.Fatalf("ParseAmount(%q) = %d, out of range", s, fen)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"45天", "两个月", "一年半", "一个半月", "1个月零5天", "60多天", "2 weeks", "-5天", "半年"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := ParseDuration(s)
		if err != nil {
			checkParseError(t, "ParseDuration", s, err, ErrEmpty, ErrNotDuration, ErrNegative, ErrTooLarge)
			return
		}
		if days < 0 || days > maxDays {
			t.Fatalf("ParseDuration(%q) = %d, out of range", s, days)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"12月20日", "2026-12-20", "下个月5号", "20号", "每月15号", "每月最后一天", "Dec 20", "15th of every month", "周五", "2月29日"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(10))
	}
	base := time.Date(2026, 1, 31, 23, 30, 0, 0, shanghai)
	f.Fuzz(func(t *testing.T, s string, offset uint16) {
		now := base.AddDate(0, 0, int(offset%1500))
		d, err := ParseDate(s, now)
		if err != nil {
			checkParseError(t, "ParseDate", s, err, ErrEmpty, ErrNotDate)
			return
		}
		switch {
		case d.Monthly && (d.Day < 1 || d.Day > 31):
			t.Fatalf("ParseDate(%q) = monthly on day %d", s, d.Day)
		case !d.Monthly && (d.Date.Location() != now.Location() || d.Date.Hour() != 0 || d.Date.Minute() != 0):
			t.Fatalf("ParseDate(%q) = %v, not midnight in now's location", s, d.Date)
		}
	})
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:00", "9点半", "下午3点", "晚上12点", "3:30 pm", "０９：００", "九点十五分", "25:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, err := ParseClock(s)
		if err != nil {
			checkParseError(t, "ParseClock", s, err, ErrEmpty, ErrNotClock)
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("ParseClock(%q) = %d:%d, out of range", s, h, m)
		}
	})
}

func FuzzToSimplified(f *testing.F) {
	for _, s := range []string{"頭髮", "乾隆皇帝", "我欠了三萬塊", "hello", "Ｆ１２３　！", "\xff頭", "理发店发展"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		simp, trad := ToSimplified(s), ToTraditional(s)
		if utf8.ValidString(s) {
			for name, out := range map[string]string{"ToSimplified": simp, "ToTraditional": trad, "Width": Width(s), "Normalize": Normalize(s)} {
				if !utf8.ValidString(out) {
					t.Fatalf("%s(%q) = %q, not valid UTF-8", name, s, out)
				}
			}
		}
		if got := IsTraditional(s); got != (simp != s) {
			t.Fatalf("IsTraditional(%q) = %v, but ToSimplified gives %q", s, got, simp)
		}
		// Common words, picked by the input, survive the round trip.
		var words []string
		for i := 0; i < len(s) && i < 6; i++ {
			words = append(words, commonSimplified[int(s[i])%len(commonSimplified)])
		}
		x := strings.Join(words, " ")
		if got := ToSimplified(ToTraditional(x)); got != x {
			t.Fatalf("ToSimplified(ToTraditional(%q)) = %q", x, got)
		}
	})
}
