// Package collect owns the check of a collector's message: it finds the
// claims a pasted collection text makes ("您已涉嫌诈骗", "冻结你的微信支付宝",
// "通知你单位和全部通讯录", "转账到以下个人账户") and says, for each, what is
// true, false or unlawful and on which legal basis. The claims, their phrases
// and their answers are data (rules.yaml, embedded), checked against the
// project's domain facts by the package's tests, so a lawyer can review them
// without reading Go.
//
// The rules are read once, when the package is initialised. Bad data never
// panics: Check finds nothing and Load reports the error, which the tests
// and a caller at start-up can test.
package collect

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"loanbot/i18n"
	"loanbot/zhtext"
)

//go:embed rules.yaml
var data []byte

// The verdicts a claim can have.
const (
	// False: the claim is not true as stated.
	False = "false"
	// Unlawful: the collector may not do what the message says.
	Unlawful = "unlawful"
	// Misleading: true words used to frighten, or a request the borrower
	// should not follow as made.
	Misleading = "misleading"
	// TrueBut: true, with context the borrower needs.
	TrueBut = "true_but"
)

// Text is one text in each base language, keyed by i18n.ZhHans and
// i18n.En; zh-Hant readers get the zh-Hans text, which the engine converts
// like every other reply.
type Text map[string]string

// In is the text for a reader of lang.
func (t Text) In(lang string) string { return t[i18n.Base(lang)] }

// Claim is one claim found in a message. Say and Basis are shared with
// every other caller: treat them as read-only.
type Claim struct {
	// ID is stable (rules.yaml): the bot and analytics store it.
	ID string
	// Verdict is one of False, Unlawful, Misleading, TrueBut.
	Verdict string
	// Quote is the words of the message that triggered the claim, at most
	// 60 runes, with the clause around them, so the borrower sees which
	// sentence is meant. It is cut from the message as typed, unless
	// converting it to Simplified changed its length; then it is cut from
	// the converted text.
	Quote string
	// Say is what is true and what is not, in 2–3 calm sentences.
	Say Text
	// Basis is the law the answer rests on, as domain-facts.md cites it
	// ("治安管理处罚法 art. 50"); it reads the same in every language, so
	// it is one string. "—" marks advice that is practice, not law.
	Basis string
}

// maxQuote is the longest Quote, in runes.
const maxQuote = 60

var loaded, loadErr = parse(data)

// Load reports whether the embedded rules are valid. They are read when
// the package is initialised; Load only returns the result, so a caller
// can refuse to start rather than check messages with no rules.
func Load() error { return loadErr }

// Check returns the claims the message text makes, each at most once, in
// the order they first appear. A claim that names a more specific one in
// yield_to is dropped when that one is found too, so "征信洗白" is answered
// as a credit-repair offer, not also as a credit-report warning.
//
// Check reads any text, in Simplified or Traditional Chinese or English,
// full-width or not, and is linear in its length: a 64 KB message takes
// a few milliseconds.
func Check(text string) []Claim {
	if loaded == nil || text == "" {
		return nil
	}
	s, orig := fold(text)
	hits := loaded.claims.scan(s)
	var out []Claim
	for _, i := range hits.order() {
		r := loaded.rules[i]
		if slices.ContainsFunc(r.yield, func(j int) bool { return hits[j].found() }) {
			continue
		}
		h := hits[i]
		out = append(out, Claim{
			ID:      r.ID,
			Verdict: r.Verdict,
			Quote:   quoteAt(text, s, orig, h.start, h.end),
			Say:     r.Say,
			Basis:   r.Basis,
		})
	}
	return out
}

// Advice is what to do after any collection message, in order: keep
// evidence, complain to the platform, then to the regulator, call 110 when
// safety is threatened, check court papers. zh-Hant readers get zh-Hans,
// which the engine converts.
func Advice(lang string) []string {
	if loaded == nil {
		return nil
	}
	out := make([]string, len(loaded.advice))
	for i, a := range loaded.advice {
		out[i] = a.Say.In(lang)
	}
	return out
}

// LooksLikeCollection reports whether text reads like a collection message,
// so the bot can offer the check without being asked. It does when the
// text makes a claim that is false, unlawful or misleading, or when it
// names a debt (逾期, 欠款, 还款 …) together with a collection action or
// sender (催收, 通知, 法务, 律师, 立案 …). A true_but claim alone is not
// enough: a due-date reminder that mentions the credit report is not
// collection, but one in a message that says the debt is overdue (逾期,
// 欠款 …) is.
func LooksLikeCollection(text string) bool {
	if loaded == nil || text == "" {
		return false
	}
	claims := Check(text)
	for _, c := range claims {
		if c.Verdict != TrueBut {
			return true
		}
	}
	s, _ := fold(text)
	m := loaded.markers.scan(s)
	return m[0].found() && m[1].found() || m[2].found() && len(claims) > 0
}

// fold prepares text for matching the way the phrases were prepared:
// full-width to half-width and Traditional to Simplified (zhtext), lower
// case, curly apostrophes straight, zero-width characters dropped and
// every run of white space one space (one line break if it has one). It
// also returns, for each byte of the result and one past its end, the
// offset in text it came from, so a quote can be cut from the message as
// the user typed it; orig is nil when the conversion changed the number of
// runes and the offsets are lost.
func fold(text string) (string, []int32) {
	conv := zhtext.ToSimplified(zhtext.Width(text))
	aligned := utf8.RuneCountInString(conv) == utf8.RuneCountInString(text)
	out := make([]byte, 0, len(conv))
	var orig []int32
	if aligned {
		orig = make([]int32, 0, len(conv)+1)
	}
	ti := 0 // offset in text of the rune that produced conv's current rune
	space := false
	for _, r := range conv {
		at := ti
		if aligned {
			_, n := utf8.DecodeRuneInString(text[ti:])
			ti += n
		}
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff':
			continue
		case unicode.IsSpace(r):
			// A run of white space is one space, or one line break if it
			// has one: phrases do not reach across lines.
			if space {
				if r == '\n' {
					out[len(out)-1] = '\n'
				}
				continue
			}
			space = true
			if r != '\n' {
				r = ' '
			}
		default:
			space = false
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
			} else if r == '‘' || r == '’' {
				r = '\''
			} else {
				r = unicode.ToLower(r)
			}
		}
		n := len(out)
		out = utf8.AppendRune(out, r)
		for ; aligned && n < len(out); n++ {
			orig = append(orig, int32(at))
		}
	}
	if aligned {
		orig = append(orig, int32(len(text)))
	}
	return string(out), orig
}

// quoteAt cuts the quote for a match at s[start:end]: from the message as
// typed when orig maps s back to it, from s otherwise.
func quoteAt(text, s string, orig []int32, start, end int) string {
	if orig != nil {
		return quote(text, int(orig[start]), int(orig[end]))
	}
	return quote(s, start, end)
}

// quoteContext is how many runes of the clause around a match a quote
// keeps on each side: enough to show whose words they are, short enough
// for a chat bubble.
const quoteContext = 15

// quote returns s[a:b] with up to quoteContext runes of its clause on each
// side, white space collapsed, at most maxQuote runes. Context cut in the
// middle of an English word loses the partial word.
func quote(s string, a, b int) string {
	m := utf8.RuneCountInString(s[a:b])
	if m >= maxQuote {
		return zhtext.Truncate(collapse(s[a:b]), maxQuote)
	}
	budget := maxQuote - m
	left, lcut := extend(s, a, min(quoteContext, budget/2), -1)
	right, rcut := extend(s, b, min(quoteContext, budget-utf8.RuneCountInString(s[left:a])), +1)
	q := s[left:right]
	if lcut && left > 0 && isWordByte(s[left-1]) {
		if i := strings.IndexByte(q, ' '); i >= 0 && i < a-left {
			q = q[i+1:]
		}
	}
	if rcut && right < len(s) && isWordByte(s[right]) {
		if i := strings.LastIndexByte(q, ' '); i >= 0 && i >= len(q)-(right-b) {
			q = q[:i]
		}
	}
	return zhtext.Truncate(collapse(q), maxQuote)
}

// extend walks up to n runes from s[i] in direction dir (-1 left, +1
// right), stopping at a clause break, and returns where it stopped and
// whether it stopped because n ran out inside the clause.
func extend(s string, i, n, dir int) (int, bool) {
	for ; n > 0; n-- {
		var r rune
		var size int
		if dir < 0 {
			if i == 0 {
				return i, false
			}
			r, size = utf8.DecodeLastRuneInString(s[:i])
		} else {
			if i == len(s) {
				return i, false
			}
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isClauseBreak(r) {
			return i, false
		}
		i += dir * size
	}
	return i, true
}

// collapse trims s and makes every run of white space one space (one line break if it has one).
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// isClauseBreak reports whether r ends a clause: a quote stops there and an
// unless_after word before it does not count.
func isClauseBreak(r rune) bool {
	switch r {
	case '\n', '\r', '。', '，', ',', '；', ';', '！', '!', '？', '?':
		return true
	}
	return false
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\''
}
