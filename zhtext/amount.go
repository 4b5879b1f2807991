package zhtext

import (
	"strings"
	"unicode/utf8"
)

// maxFen is the largest amount ParseAmount accepts: 10^12 yuan.
const maxFen = 1e14

// numeralWords are everyday words with a numeral in them that are not
// numbers; they are blanked before looking for numbers, so 一共3万 is one
// amount, not two.
var numeralWords = []string{
	"一共", "一下", "一些", "一直", "一般", "一定", "一起", "一样", "一次性", "一次",
	"唯一", "统一", "万一", "十分",
}

// blankNumeralWords replaces numeralWords in s with spaces.
func blankNumeralWords(s string) string {
	for _, w := range numeralWords {
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, strings.Repeat(" ", len(w)))
		}
	}
	return s
}

// prepare is the normalisation the Parse functions share: half-width,
// Simplified, lower case.
func prepare(s string) string {
	return lower(ToSimplified(Width(s)))
}

// ParseAmount reads an amount of money in yuan and returns it in fen
// (1 yuan = 100 fen), exactly: "35000", "3万5" (35000 yuan: the digit after
// a unit is the next lower unit), "3.5万", "3.5w", "1.2k", "两万",
// "三千五百元", "一万二千三百四十五", "10万零500", "1亿", "¥30,000.50",
// "RMB 30000", "30000块", "8000 yuan", "三块五", "5毛", full-width and
// Traditional forms. Words around the amount are ignored ("大概3万5吧",
// "about 35000") as long as it is the only number.
//
// Errors, as a *ParseError: ErrEmpty; ErrNotNumber for no number, two
// different numbers, malformed digits (1.2.3) or a fraction of a fen;
// ErrNegative; ErrTooLarge above 10^12 yuan.
func ParseAmount(s string) (fen int64, err error) {
	t := prepare(s)
	if strings.TrimSpace(t) == "" {
		return 0, parseErr(ErrEmpty, s)
	}
	t = blankNumeralWords(t)

	var (
		buf      [16]token
		found    int
		value    dec
		negative bool
		kind     error
	)
	for i := 0; i < len(t); {
		if !startsNumber(t, i) {
			_, n := utf8.DecodeRuneInString(t[i:])
			i += n
			continue
		}
		toks, end, err := numberAt(t, i, numOpts{money: true, letters: true}, buf[:])
		var v dec
		if err == nil {
			v, err = parseTokens(toks)
		}
		found++
		switch {
		case err != nil:
			kind = err
		case found == 1:
			value, negative = v, minusBefore(t, i)
		case v != value || negative != minusBefore(t, i):
			kind = ErrNotNumber // two different numbers
		}
		if err != nil || end <= i {
			end = skipNumber(t, i)
		}
		i = end
	}
	switch {
	case found == 0:
		return 0, parseErr(ErrNotNumber, s)
	case found > 1 && kind != nil:
		return 0, parseErr(ErrNotNumber, s)
	case kind != nil:
		return 0, parseErr(kind, s)
	}
	fen, whole, big := value.scaled(2)
	switch {
	case big || fen > maxFen:
		return 0, parseErr(ErrTooLarge, s)
	case !whole:
		return 0, parseErr(ErrNotNumber, s) // a fraction of a fen
	case negative && fen != 0:
		return 0, parseErr(ErrNegative, s)
	}
	return fen, nil
}

// minusBefore reports whether the number at t[i] has a minus sign: "-500",
// "负500", but not the dash of a range ("3000-5000").
func minusBefore(t string, i int) bool {
	j := i
	for j > 0 && t[j-1] == ' ' {
		j--
	}
	if strings.HasSuffix(t[:j], "负") || strings.HasSuffix(t[:j], "−") {
		return true
	}
	if j == 0 || t[j-1] != '-' {
		return false
	}
	j--
	for j > 0 && t[j-1] == ' ' {
		j--
	}
	if j == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(t[:j])
	_, digit := chineseDigits[r]
	_, unit := chineseUnits[r]
	return !(r >= '0' && r <= '9') && !digit && !unit && !isZeroRune(r) &&
		r != '元' && r != '块' && r != 'k' && r != 'w'
}

// skipNumber returns the end of the digits, numerals and points that
// start at t[i], so a malformed number counts once.
func skipNumber(t string, i int) int {
	j := i
	for j < len(t) {
		if c := t[j]; isASCIIDigit(c) || c == '.' || c == ',' {
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(t[j:])
		_, digit := chineseDigits[r]
		_, unit := chineseUnits[r]
		if !digit && !unit && !isZeroRune(r) && r != '点' {
			break
		}
		j += n
	}
	if j == i {
		_, n := utf8.DecodeRuneInString(t[i:])
		j += n
	}
	return j
}
