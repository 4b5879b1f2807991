package zhtext

import (
	"regexp"
	"strings"
)

// The forms ParseClock knows, matched with the spaces removed.
var (
	clockPeriod = `(凌晨|半夜|早上|早晨|清晨|上午|早|中午|下午|午后|傍晚|晚上|今晚|夜里|夜间|晚)?`
	clockAmPm   = `(am|pm|a\.m\.?|p\.m\.?)?`
	reClockHM   = regexp.MustCompile(`^` + clockPeriod + `([0-9]{1,2})[:.]([0-9]{2})(?::[0-9]{2})?` + clockAmPm + `$`)
	reClockZh   = regexp.MustCompile(`^` + clockPeriod + numZh + `[点时]钟?(?:(半|一刻|三刻|整)|零?` + numZh + `分?钟?)?` + clockAmPm + `$`)
	reClockH    = regexp.MustCompile(`^` + clockPeriod + `([0-9]{1,2})` + clockAmPm + `$`)
)

// ParseClock reads a time of day: "09:00", "9:00", "21:15", "9点",
// "9点半", "9点15分", "早上9点", "上午十点", "下午3点" (15:00),
// "晚上8点" (20:00), "中午12点", "9am", "3:30 pm", "noon", full-width
// "０９：００". A bare hour ("21") is taken on the 24-hour clock.
//
// Errors, as a *ParseError: ErrEmpty; ErrNotClock for anything else,
// including hours past 23 and minutes past 59.
func ParseClock(s string) (hour, minute int, err error) {
	c := strings.Join(strings.Fields(prepare(s)), "")
	if c == "" {
		return 0, 0, parseErr(ErrEmpty, s)
	}
	c = strings.TrimRight(c, "。.!?")
	h, m, ok := parseClock(c)
	if !ok {
		return 0, 0, parseErr(ErrNotClock, s)
	}
	return h, m, nil
}

func parseClock(c string) (h, m int, ok bool) {
	var period, hs, ms, ampm string
	switch c {
	case "noon", "中午十二点", "正午":
		return 12, 0, true
	case "midnight", "午夜", "半夜十二点":
		return 0, 0, true
	}
	if g := reClockHM.FindStringSubmatch(c); g != nil {
		period, hs, ms, ampm = g[1], g[2], g[3], g[4]
	} else if g := reClockZh.FindStringSubmatch(c); g != nil {
		period, hs, ms, ampm = g[1], g[2], g[3]+g[4], g[5]
	} else if g := reClockH.FindStringSubmatch(c); g != nil {
		period, hs, ampm = g[1], g[2], g[3]
	} else {
		return 0, 0, false
	}
	if h, ok = parseInt(hs); !ok || h > 24 {
		return 0, 0, false
	}
	switch ms {
	case "", "整":
		m = 0
	case "半":
		m = 30
	case "一刻":
		m = 15
	case "三刻":
		m = 45
	default:
		if m, ok = parseInt(ms); !ok {
			return 0, 0, false
		}
	}
	if m > 59 {
		return 0, 0, false
	}
	switch strings.ReplaceAll(ampm, ".", "") {
	case "am":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		h %= 12
	case "pm":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		h = h%12 + 12
	}
	if h, ok = applyPeriod(period, h); !ok || h > 23 {
		return 0, 0, false
	}
	return h, m, true
}

// applyPeriod turns a 12-hour reading into 24 hours by the word before
// it: 下午3点 is 15:00, 晚上8点 20:00, 晚上12点 midnight, 中午1点 13:00.
// An hour already past 12 stays as it is.
func applyPeriod(period string, h int) (int, bool) {
	if h > 12 {
		switch period {
		case "凌晨", "早上", "早晨", "清晨", "上午", "早":
			return 0, false // 上午15点
		}
		return h, true
	}
	switch period {
	case "下午", "午后", "傍晚":
		if h < 12 {
			h += 12
		}
	case "中午":
		if h < 11 { // 中午1点
			h += 12
		}
	case "晚上", "今晚", "晚", "夜里", "夜间":
		switch {
		case h == 12:
			h = 0
		case h >= 5: // 晚上1点 is after midnight
			h += 12
		}
	case "凌晨", "半夜":
		if h == 12 {
			h = 0
		}
	}
	return h, true
}
