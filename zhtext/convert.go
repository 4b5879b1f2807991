package zhtext

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// ToSimplified converts Traditional Chinese to Simplified: the longest
// phrase of the table that starts at each position first (so 乾隆 stays
// 乾隆), else character by character. Text that needs no change is returned
// as is, without allocating.
func ToSimplified(s string) string { return t2s().convert(s) }

// ToTraditional converts Simplified Chinese to Traditional, phrase-aware
// where the OpenCC dictionary is: 头发 → 頭髮, 发展 → 發展, 以后 → 以後,
// 皇后 → 皇后, 面条 → 麪條. A character with several Traditional forms
// outside a known phrase takes the first one. Text that needs no change is
// returned as is, without allocating.
func ToTraditional(s string) string { return s2t().convert(s) }

// IsTraditional reports whether s contains Traditional-only writing, that
// is whether ToSimplified would change it. Use it to guess that the writer
// uses zh-Hant; text in any other script reports false.
func IsTraditional(s string) bool {
	_, changed := t2s().scan(s, false)
	return changed
}

var (
	t2s = sync.OnceValue(func() *converter { return newConverter(t2sChars, t2sPhrases) })
	s2t = sync.OnceValue(func() *converter { return newConverter(s2tChars, s2tPhrases) })
)

// converter holds one direction's tables in a shape that makes the common
// case, a character that is neither converted nor starts a phrase, one
// array lookup.
type converter struct {
	// pages[r>>8][r&0xff] is the character r converts to (0: unchanged),
	// with phraseStart set when a phrase begins with r.
	pages [(utf8.MaxRune + 1) >> 8]*[256]uint32
	// pairBits is a filter over the first two runes of the phrases, so
	// most positions skip the map lookup.
	pairBits [1 << 12]uint64
	// phrases holds the phrases by their first two runes, longest first.
	phrases map[uint64][]phrase
}

type phrase struct{ from, to string }

const (
	phraseStart = 1 << 31
	runeMask    = 1<<21 - 1
)

func newConverter(chars, phrases string) *converter {
	c := &converter{phrases: make(map[uint64][]phrase)}
	for len(chars) > 0 {
		from, n := utf8.DecodeRuneInString(chars)
		to, m := utf8.DecodeRuneInString(chars[n:])
		chars = chars[n+m:]
		e := c.entry(from)
		*e = *e&^runeMask | uint32(to)
	}
	for line := range strings.Lines(phrases) {
		from, to, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		r1, n := utf8.DecodeRuneInString(from)
		r2, _ := utf8.DecodeRuneInString(from[n:])
		*c.entry(r1) |= phraseStart
		k := pairKey(r1, r2)
		c.pairBits[pairHash(k)/64] |= 1 << (pairHash(k) % 64)
		c.phrases[k] = append(c.phrases[k], phrase{from, to})
	}
	for _, ps := range c.phrases {
		// Longest first; the sort is stable in effect because keys are unique.
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].from) > len(ps[j-1].from); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
	}
	return c
}

func (c *converter) entry(r rune) *uint32 {
	p := c.pages[r>>8]
	if p == nil {
		p = new([256]uint32)
		c.pages[r>>8] = p
	}
	return &p[r&0xff]
}

func pairKey(r1, r2 rune) uint64 { return uint64(r1)<<32 | uint64(uint32(r2)) }

func pairHash(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - 18) }

func (c *converter) convert(s string) string {
	out, _ := c.scan(s, true)
	return out
}

// scan converts s. With build false it only reports whether anything
// would change, and stops at the first change.
func (c *converter) scan(s string, build bool) (string, bool) {
	var b strings.Builder
	done := 0 // s[:done] is in b, or unchanged when nothing has changed
	changed := false
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := decodeRune(s, i)
		p := c.pages[r>>8]
		if p == nil {
			i += n
			continue
		}
		e := p[r&0xff]
		if e&phraseStart != 0 {
			if ph, ok := c.match(s[i:], r, n); ok {
				if ph.from != ph.to {
					if !build {
						return "", true
					}
					if !changed {
						b.Grow(len(s) + 8)
						changed = true
					}
					b.WriteString(s[done:i])
					b.WriteString(ph.to)
					done = i + len(ph.from)
				}
				i += len(ph.from)
				continue
			}
		}
		if to := rune(e & runeMask); to != 0 && r != utf8.RuneError {
			if !build {
				return "", true
			}
			if !changed {
				b.Grow(len(s) + 8)
				changed = true
			}
			b.WriteString(s[done:i])
			b.WriteRune(to)
			done = i + n
		}
		i += n
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[done:])
	return b.String(), true
}

// match finds the longest phrase at the start of s, whose first rune r is
// n bytes long.
func (c *converter) match(s string, r rune, n int) (phrase, bool) {
	if len(s) <= n || s[n] < utf8.RuneSelf {
		return phrase{}, false
	}
	r2, _ := decodeRune(s, n)
	k := pairKey(r, r2)
	if h := pairHash(k); c.pairBits[h/64]&(1<<(h%64)) == 0 {
		return phrase{}, false
	}
	for _, ph := range c.phrases[k] {
		if strings.HasPrefix(s, ph.from) {
			return ph, true
		}
	}
	return phrase{}, false
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with the three-byte
// sequences of CJK text decoded in line, the common case here.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c >= 0xE0 && c < 0xF0 && i+2 < len(s) {
		c1, c2 := s[i+1], s[i+2]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
			if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
				return r, 3
			}
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}
