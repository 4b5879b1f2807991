package zhtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Width folds full-width forms to their half-width counterparts, as phone
// keyboards in Chinese mode type them: Ｆ１２３ → F123, the ideographic
// space U+3000 → ' ', ！（）：，．％ → ASCII, ￥ → ¥. CJK punctuation with no
// ASCII counterpart (。、「」《》) is left alone. Text that needs no change is
// returned as is, without allocating.
func Width(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); i++ {
		// Every full-width form starts with byte 0xEF (U+FF01…U+FFE6) or
		// 0xE3 (U+3000); no other byte of UTF-8 text has those values.
		if c := s[i]; c != 0xEF && c != 0xE3 {
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if h, ok := halfWidth(r); ok {
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[done:i])
			b.WriteRune(h)
			done = i + n
		}
		i += n - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

func halfWidth(r rune) (rune, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // FULLWIDTH EXCLAMATION MARK … FULLWIDTH TILDE
		return r - 0xFF01 + '!', true
	case r == 0x3000: // IDEOGRAPHIC SPACE
		return ' ', true
	}
	switch r {
	case '￠':
		return '¢', true
	case '￡':
		return '£', true
	case '￢':
		return '¬', true
	case '￣':
		return '¯', true
	case '￤':
		return '¦', true
	case '￥':
		return '¥', true
	case '￦':
		return '₩', true
	}
	return 0, false
}

// Normalize prepares text for matching: Width, then ToSimplified, then lower
// case, with every run of white space made one ASCII space and the ends
// trimmed.
func Normalize(s string) string {
	s = lower(ToSimplified(Width(s)))
	// Collapse white space only when some needs it, to avoid allocating.
	prevSpace := true // a leading space needs work too
	for i := 0; i < len(s); {
		c := s[i]
		var sp bool
		switch {
		case c < utf8.RuneSelf:
			sp = asciiSpace[c]
			i++
		case c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3:
			// The lead bytes of the non-ASCII spaces (U+0085, U+00A0,
			// U+1680, U+2000…U+205F, U+3000).
			r, n := utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
			i += n
		default:
			i++
			prevSpace = false
			continue
		}
		if sp && (prevSpace || c != ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = sp
	}
	if prevSpace && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// lower is strings.ToLower with a fast way past CJK text, which has no
// case: it returns s itself when nothing needs lowering.
func lower(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return strings.ToLower(s)
			}
			i++
			continue
		}
		if c >= 0xE3 && c <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			// U+3000…U+9FFF: CJK and kana, no case.
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return strings.ToLower(s)
		}
	}
	return s
}

// Truncate cuts s to at most n runes (whole runes: never half a character).
func Truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
