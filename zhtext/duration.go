package zhtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDays bounds ParseDuration: a hundred years.
const maxDays = 36500

// Day counts of the duration units. A month is 30 days and a year 365;
// a fractional year counts 12 months of 30 days, so 一年半 is 540 days and
// 半年 180, as people reckon them.
const (
	unitDay           = 1
	unitWeek          = 7
	unitMonth         = 30
	unitYear          = 365
	unitFractionalYr  = 360
	unitNone          = 0
	durationNoiseRune = "吧啊呢了吗呀哦嘛的左约多余来"
)

// durationUnits maps unit words to days, longest words first where one is
// a prefix of another.
var durationUnits = []struct {
	word string
	days int
}{
	{"天", unitDay}, {"日", unitDay}, {"周", unitWeek}, {"星期", unitWeek}, {"礼拜", unitWeek},
	{"月", unitMonth}, {"年", unitYear},
}

var englishDurationUnits = map[string]int{
	"d": unitDay, "day": unitDay, "days": unitDay,
	"w": unitWeek, "wk": unitWeek, "wks": unitWeek, "week": unitWeek, "weeks": unitWeek,
	"mo": unitMonth, "mos": unitMonth, "month": unitMonth, "months": unitMonth,
	"y": unitYear, "yr": unitYear, "yrs": unitYear, "year": unitYear, "years": unitYear,
}

// ParseDuration reads a span of time and returns it in whole days: "45天",
// "45 days", "45" (days), "两个月" (60: a month is 30 days), "3 months",
// "半年" (180), "一年" and "1 year" (365), "一年半" (540), "两周",
// "2 weeks", "一个半月" (45), "1个月零5天", "60多天" (60), "0", "零".
// Half days round up.
//
// Errors, as a *ParseError: ErrEmpty; ErrNotDuration when there is no
// duration, or two of them; ErrNegative; ErrTooLarge beyond 100 years.
func ParseDuration(s string) (days int, err error) {
	t := prepare(s)
	if strings.TrimSpace(t) == "" {
		return 0, parseErr(ErrEmpty, s)
	}
	t = blankNumeralWords(t)

	var (
		total  dec
		items  int
		groups int
		joined bool // the next item continues the current group
	)
	for i := 0; i < len(t); {
		if startsNumber(t, i) || strings.HasPrefix(t[i:], "半") {
			if minusBefore(t, i) {
				return 0, parseErr(ErrNegative, s)
			}
			v, end, err := durationItem(t, i)
			if err != nil {
				return 0, parseErr(err, s)
			}
			if !joined {
				groups++
			}
			items++
			if total, err = addDays(total, v); err != nil {
				return 0, parseErr(err, s)
			}
			i, joined = end, true
			continue
		}
		// Between the parts of one duration: 零 (read as part of the next
		// number), 又, 加, and, plus, spaces, commas.
		if w := connectorAt(t, i); w > 0 {
			i += w
			continue
		}
		_, n := utf8.DecodeRuneInString(t[i:])
		i += n
		joined = false
	}
	if items == 0 || groups > 1 {
		return 0, parseErr(ErrNotDuration, s)
	}
	d, ok := total.roundInt()
	if !ok || d > maxDays {
		return 0, parseErr(ErrTooLarge, s)
	}
	return d, nil
}

func addDays(a, b dec) (dec, error) {
	v, ok := add(a, b)
	if !ok || v.digits() > 9 {
		return dec{}, ErrTooLarge
	}
	return v, nil
}

func connectorAt(t string, i int) int {
	switch t[i] {
	case ' ', ',', '+', '&':
		return 1
	}
	for _, w := range []string{"又", "加", "和", "、", "and ", "plus "} {
		if strings.HasPrefix(t[i:], w) {
			return len(w)
		}
	}
	return 0
}

// durationItem reads one number and its unit at t[i]: 45天, 两个月,
// 一个半月, 半年, 一年半, 60多天, 3 months, or a bare number of days.
func durationItem(t string, i int) (days dec, end int, err error) {
	var (
		buf    [16]token
		v      dec
		hasNum bool
		half   bool
	)
	if startsNumber(t, i) {
		toks, e, err := numberAt(t, i, numOpts{}, buf[:])
		if err == nil {
			v, err = parseTokens(toks)
		}
		if err != nil {
			if err == ErrTooLarge {
				return dec{}, i, err
			}
			return dec{}, i, ErrNotDuration
		}
		i, hasNum = e, true
	}
	skip := func(words ...string) {
		for {
			for i < len(t) && t[i] == ' ' {
				i++
			}
			found := false
			for _, w := range words {
				if strings.HasPrefix(t[i:], w) {
					i += len(w)
					found = true
				}
			}
			if !found {
				return
			}
		}
	}
	if hasNum {
		skip("多", "余", "来", "几") // 60多天: about 60 days
	}
	skip("个")
	if strings.HasPrefix(t[i:], "半") {
		half = true
		i += len("半")
		skip("个")
	}
	if !hasNum && !half {
		return dec{}, i, ErrNotDuration
	}
	for i < len(t) && t[i] == ' ' {
		i++
	}
	unit, n := durationUnitAt(t, i)
	if unit == unitNone {
		if !hasNum || half || !bareNumberEnds(t, i) {
			return dec{}, i, ErrNotDuration
		}
		return v, i, nil // a bare number counts days
	}
	i += n
	if !half && strings.HasPrefix(t[i:], "半") { // 一年半, 两周半
		half = true
		i += len("半")
	}
	if half {
		v, _ = add(v, dec{m: 5, e: -1})
	}
	if unit == unitYear && v.norm().e < 0 {
		unit = unitFractionalYr
	}
	d, ok := mulInt(v, unit)
	if !ok {
		return dec{}, i, ErrTooLarge
	}
	return d, i, nil
}

// durationUnitAt returns the unit at t[i] and its length in bytes.
func durationUnitAt(t string, i int) (days, n int) {
	if i < len(t) && isASCIILetter(t[i]) {
		j := i
		for j < len(t) && isASCIILetter(t[j]) {
			j++
		}
		if d, ok := englishDurationUnits[t[i:j]]; ok {
			return d, j - i
		}
		return unitNone, 0
	}
	for _, u := range durationUnits {
		if strings.HasPrefix(t[i:], u.word) {
			return u.days, len(u.word)
		}
	}
	return unitNone, 0
}

// bareNumberEnds reports whether a number with no unit ends at t[i]: the
// end of the text, punctuation, or a particle (45吧), but not another word
// (45块 is money, not days).
func bareNumberEnds(t string, i int) bool {
	if i >= len(t) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(t[i:])
	if strings.ContainsRune(durationNoiseRune, r) {
		return true
	}
	return !unicode.IsLetter(r) && !unicode.IsNumber(r)
}

// mulInt returns d×k, or false on overflow.
func mulInt(d dec, k int) (dec, bool) {
	d = d.norm()
	if d.m != 0 && d.m > (1<<62)/int64(k) {
		return dec{}, false
	}
	return dec{d.m * int64(k), d.e}.norm(), true
}
