package i18n

import (
	"strconv"
	"strings"
)

// Yuan formats an amount in fen for people: "35,000元" / "¥35,000", with
// the fen shown only when there are any.
func Yuan(lang string, fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := strconv.FormatInt(fen/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if f := fen % 100; f != 0 {
		s += "." + strconv.FormatInt(100+f, 10)[1:]
	}
	if neg {
		s = "-" + s
	}
	if lang == En {
		return "¥" + s
	}
	return s + "元"
}

// Lender is the display name of a lender: an id of the catalog ("weilidai")
// or "other:<name as typed>".
func Lender(lang, lender string) string {
	if name, ok := strings.CutPrefix(lender, "other:"); ok {
		return name
	}
	return T(lang, "lender."+lender)
}
