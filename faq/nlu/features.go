// Package nlu turns a message into features and scores them with linear
// models trained at build time (go generate ./faq): a multinomial logistic
// regression over the FAQ's topics plus an out-of-scope class, and a binary
// one for despair. It knows no topic and no data file; faq owns both.
//
// Features are chosen so that the same question in another script or
// spelling lands on shared features: Han character 1-3-grams (the text is
// Simplified already), English words and their character trigrams (broken
// English, typos), and toneless pinyin syllables with fuzzy initials and
// finals (zh=z, ng=n), both from Han characters and from pinyin typed in
// Latin letters, so "weilidai yuqi" and a homophone typo (预期 for 逾期)
// meet the Chinese training phrasings.
package nlu

import (
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Features lists the features of s, which the caller has normalised
// (Simplified, lower case, aliases applied). A feature may repeat; the
// models count each once.
func Features(s string) []string {
	s = apostrophes.Replace(s) // won't → wont, i'm → im
	var f []string
	var han []rune
	var words []string // the Latin words of the current clause
	var syl []string   // the pinyin syllables of the current clause
	flushHan := func() {
		for _, p := range hanSyllables(han) {
			syl = append(syl, fuzzy(p))
		}
		for i := range han {
			f = append(f, "u:"+string(han[i]))
			if i+1 < len(han) {
				f = append(f, "b:"+string(han[i:i+2]))
			}
			if i+2 < len(han) {
				f = append(f, "t:"+string(han[i:i+3]))
			}
		}
		han = han[:0]
	}
	flushClause := func() {
		flushHan()
		f = append(f, wordFeatures(words)...)
		words = words[:0]
		f = appendSyllables(f, syl)
		syl = syl[:0]
	}
	// Pinyin typed in Latin letters: only when most of the message's Latin
	// words are made of pinyin syllables, so English does not feed them.
	latinPinyin := looksLikePinyin(s)
	start := -1
	for i, r := range s {
		isWord := r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		if start >= 0 && !isWord {
			w := s[start:i]
			words = append(words, w)
			if latinPinyin {
				if ss, ok := segmentPinyin(w); ok {
					for _, x := range ss {
						syl = append(syl, fuzzy(x))
					}
				}
			}
			start = -1
		}
		switch {
		case isWord:
			if start < 0 {
				flushHan()
				start = i
			}
		case unicode.Is(unicode.Han, r):
			han = append(han, r)
		case r == ' ':
			flushHan()
		default:
			flushClause()
		}
	}
	if start >= 0 {
		w := s[start:]
		words = append(words, w)
		if latinPinyin {
			if ss, ok := segmentPinyin(w); ok {
				for _, x := range ss {
					syl = append(syl, fuzzy(x))
				}
			}
		}
	}
	flushClause()
	return f
}

var apostrophes = strings.NewReplacer("'", "", "’", "")

// wordFeatures: stemmed words, pairs of neighbouring content words, and the
// character trigrams of longer words (so "harrased" and "harassed" share
// most of theirs).
func wordFeatures(words []string) []string {
	var f []string
	prev := ""
	for _, w := range words {
		if isDigits(w) {
			f = append(f, "n:")
			continue
		}
		st := stem(w)
		f = append(f, "w:"+st)
		if stopWords[w] {
			continue
		}
		if prev != "" {
			f = append(f, "ww:"+prev+"_"+st)
		}
		prev = st
		if len(w) >= 5 {
			x := "<" + w + ">"
			for i := 0; i+3 <= len(x); i++ {
				f = append(f, "c:"+x[i:i+3])
			}
		}
	}
	return f
}

func appendSyllables(f, syl []string) []string {
	for i := range syl {
		if len(syl[i]) >= 2 {
			f = append(f, "s:"+syl[i])
		}
		if i+1 < len(syl) {
			f = append(f, "p:"+syl[i]+"_"+syl[i+1])
		}
		if i+2 < len(syl) {
			f = append(f, "q:"+syl[i]+"_"+syl[i+1]+"_"+syl[i+2])
		}
	}
	return f
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// fuzzy folds the pinyin distinctions people blur when they type (and
// that homophone typos cross): zh/ch/sh → z/c/s, -ng → -n.
func fuzzy(p string) string {
	if len(p) > 2 && (p[0] == 'z' || p[0] == 'c' || p[0] == 's') && p[1] == 'h' {
		p = p[:1] + p[2:]
	}
	if strings.HasSuffix(p, "ng") && len(p) > 2 {
		p = p[:len(p)-1]
	}
	return p
}

// The pinyin of the common Han characters, toneless, built once.
const hanFirst, hanLast = 0x3400, 0x9FFF

var (
	pinyinOnce  sync.Once
	pinyinTable []string
	syllables   map[string]bool
	maxSyllable int
)

func loadPinyin() {
	pinyinOnce.Do(func() {
		pinyinTable = make([]string, hanLast-hanFirst+1)
		syllables = map[string]bool{}
		a := pinyin.NewArgs()
		for r := rune(hanFirst); r <= hanLast; r++ {
			p := pinyin.SinglePinyin(r, a)
			if len(p) == 0 || p[0] == "" {
				continue
			}
			s := strings.ReplaceAll(p[0], "ü", "v")
			pinyinTable[r-hanFirst] = s
			syllables[s] = true
			if len(s) > maxSyllable {
				maxSyllable = len(s)
			}
		}
	})
}

// hanPinyin is the toneless pinyin of r (its most common reading), or "".
func hanPinyin(r rune) string {
	if r < hanFirst || r > hanLast {
		return ""
	}
	loadPinyin()
	return pinyinTable[r-hanFirst]
}

// Pinyin is s's Han characters as toneless pinyin syllables joined by
// spaces (other characters dropped); the crisis rules match typed pinyin
// against it.
func Pinyin(s string) string {
	return strings.Join(hanSyllables([]rune(s)), " ")
}

// hanSyllables is the pinyin of the Han characters of rs, reading the
// characters whose reading in this domain depends on the next or previous
// one (还 is "huan" in 还款, 再还; "hai" in 还是; 行 is "hang" in 银行).
func hanSyllables(rs []rune) []string {
	var out []string
	for i, r := range rs {
		p := hanPinyin(r)
		if p == "" {
			continue
		}
		var prev, next rune
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch r {
		case '还':
			if strings.ContainsRune(repayAfter, next) || strings.ContainsRune(repayBefore, prev) && !strings.ContainsRune(stillAfter, next) {
				p = "huan"
			}
		case '行':
			if prev == '银' || prev == '支' || prev == '分' || prev == '总' {
				p = "hang"
			}
		}
		out = append(out, p)
	}
	return out
}

// Neighbours that make 还 "repay" (huan) rather than "still" (hai).
const (
	repayAfter  = "款钱债清不完上得给贷本息些点掉款呗"
	repayBefore = "要先能没未已归偿代分按拖无想该去来再得钱不"
	stillAfter  = "是有在要会没想能可"
)

// segmentPinyin splits a Latin word into pinyin syllables (longest first,
// backtracking), or reports that it is not made of them.
func segmentPinyin(w string) ([]string, bool) {
	loadPinyin()
	if len(w) == 0 || len(w) > 40 {
		return nil, false
	}
	var out []string
	// failed[i]: w[i:] cannot be split; remembered, so a word that almost
	// splits ("anananan…q") costs O(len·maxSyllable), not exponential time.
	failed := make([]bool, len(w)+1)
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(w) {
			return true
		}
		if failed[i] {
			return false
		}
		for n := min(maxSyllable, len(w)-i); n >= 1; n-- {
			if syllables[w[i:i+n]] {
				out = append(out, w[i:i+n])
				if try(i + n) {
					return true
				}
				out = out[:len(out)-1]
			}
		}
		failed[i] = true
		return false
	}
	if !try(0) {
		return nil, false
	}
	return out, true
}

// pinyinAbbrev are shorthands people type in pinyin chats.
var pinyinAbbrev = map[string]bool{"zm": true, "sm": true, "nm": true, "wsm": true, "zmb": true}

// looksLikePinyin: most Latin words of s (two letters or more) are made of
// pinyin syllables and few are common English words.
func looksLikePinyin(s string) bool {
	var n, py, en int
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r >= 0x80 || !(r >= 'a' && r <= 'z') }) {
		if len(w) < 2 {
			continue
		}
		n++
		if englishWords[w] {
			en++
			continue
		}
		if _, ok := segmentPinyin(w); ok || pinyinAbbrev[w] {
			py++
		}
	}
	return n > 0 && py*10 >= n*7 && en*4 < n
}

// englishWords are common English words that are also strings of pinyin
// syllables ("can", "die", "she"): they do not count as pinyin.
var englishWords = map[string]bool{
	"can": true, "die": true, "she": true, "he": true, "me": true, "an": true, "man": true, "men": true, "ran": true,
	"long": true, "hang": true, "bang": true, "ten": true, "hen": true, "pen": true, "lie": true, "bean": true,
	"tie": true, "sue": true, "gun": true, "sun": true, "run": true, "fun": true, "bus": true, "nun": true,
	"no": true, "so": true, "go": true, "to": true, "do": true, "of": true, "in": true, "on": true, "is": true,
	"it": true, "be": true, "we": true, "my": true, "or": true, "and": true, "the": true, "you": true, "are": true,
	"ban": true, "pan": true, "fan": true, "tan": true, "wan": true, "den": true, "bin": true, "pin": true, "tin": true,
	"sin": true, "shed": true, "she'd": true, "anne": true, "china": true, "chinese": true, "women": true,
}

// Stem strips the common English endings (a light Porter step 1).
func Stem(w string) string { return stem(w) }

func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, suf := range []struct{ from, to string }{
		{"ies", "y"}, {"ing", ""}, {"ed", ""}, {"es", ""}, {"s", ""}, {"ly", ""}, {"ment", ""},
	} {
		if strings.HasSuffix(w, suf.from) && len(w)-len(suf.from) >= 3 {
			w = w[:len(w)-len(suf.from)] + suf.to
			break
		}
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		w = w[:n-1]
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

// IsStopWord reports whether w (lower case) is an English word too common
// to mean anything alone.
func IsStopWord(w string) bool { return stopWords[w] }

var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "me": true, "my": true, "is": true, "am": true, "are": true, "was": true, "be": true,
	"to": true, "of": true, "and": true, "or": true, "in": true, "on": true, "for": true, "it": true, "this": true, "that": true,
	"do": true, "does": true, "did": true, "can": true, "could": true, "will": true, "would": true, "should": true, "what": true,
	"how": true, "if": true, "they": true, "them": true, "their": true, "you": true, "your": true, "we": true, "with": true, "at": true,
	"about": true, "so": true, "have": true, "has": true, "had": true, "get": true, "got": true, "from": true, "by": true, "any": true,
	"there": true, "now": true, "just": true, "really": true, "please": true, "he": true, "she": true, "her": true, "his": true,
	"im": true, "ive": true, "its": true, "been": true, "some": true, "very": true,
}

// FeatureVersion names the feature set; change it when Features changes,
// so the committed models are known to be stale.
const FeatureVersion = "f4"

// LooksLikePinyin reports whether s (normalised) reads as toneless pinyin
// typed in Latin letters rather than English.
func LooksLikePinyin(s string) bool { return looksLikePinyin(s) }

// SyllablesOf is s's Latin words split into pinyin syllables (folded
// like the features when fuzzy) and joined by spaces; a word that is not
// pinyin stands as "|".
func SyllablesOf(s string, fuzzyFold bool) string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r >= 0x80 || !(r >= 'a' && r <= 'z') }) {
		ss, ok := segmentPinyin(w)
		if !ok {
			out = append(out, "|")
			continue
		}
		for _, x := range ss {
			if fuzzyFold {
				x = fuzzy(x)
			}
			out = append(out, x)
		}
	}
	return strings.Join(out, " ")
}

// FuzzyPinyin is the Han characters of s as fuzzy toneless pinyin
// syllables joined by spaces.
func FuzzyPinyin(s string) string {
	out := hanSyllables([]rune(s))
	for i := range out {
		out[i] = fuzzy(out[i])
	}
	return strings.Join(out, " ")
}

// heteronyms are the characters with a second reading people type often
// (了 liao in 一了百了, 还 huan/hai, 得 dei, 着 zhao, 没 mo, 行 hang).
var heteronyms = map[rune][]string{
	'了': {"le", "liao"}, '还': {"hai", "huan"}, '得': {"de", "dei"}, '着': {"zhe", "zhao", "zhuo"},
	'没': {"mei", "mo"}, '行': {"xing", "hang"}, '都': {"dou", "du"}, '长': {"chang", "zhang"}, '重': {"zhong", "chong"},
}

// PinyinVariants is every reading of s's Han characters as toneless
// pinyin joined by spaces, the characters of heteronyms read each way (at
// most 16 variants).
func PinyinVariants(s string) []string {
	rs := []rune(s)
	base := hanSyllables(rs)
	out := []string{strings.Join(base, " ")}
	// hanSyllables drops non-Han runes; walk the Han ones in step.
	var han []rune
	for _, r := range rs {
		if hanPinyin(r) != "" {
			han = append(han, r)
		}
	}
	variants := [][]string{base}
	for i, r := range han {
		alts := heteronyms[r]
		if len(alts) == 0 {
			continue
		}
		var next [][]string
		for _, v := range variants {
			for _, a := range alts {
				if len(next) >= 16 {
					break
				}
				w := append([]string{}, v...)
				w[i] = a
				next = append(next, w)
			}
		}
		variants = next
	}
	seen := map[string]bool{out[0]: true}
	for _, v := range variants {
		j := strings.Join(v, " ")
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out
}
