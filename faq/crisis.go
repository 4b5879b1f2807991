package faq

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"loanbot/faq/nlu"
	"loanbot/zhtext"
)

// Level is how strongly a message reads as despair or thoughts of
// self-harm.
type Level int

const (
	// Calm: nothing of despair (exaggerations such as "急死了" are calm).
	Calm Level = iota
	// Possible: the normal answer, with one support line on top.
	Possible
	// Likely: the support reply first, before anything else.
	Likely
)

// Thresholds on the crisis model's calibrated probability.
var (
	crisisLikelyAt   = 0.60
	crisisPossibleAt = 0.12
)

// IsCrisis reports whether the support reply must come first.
func IsCrisis(text string) bool { return CrisisLevel(text) == Likely }

// CrisisLevel reads text for despair, in any script and in toneless
// pinyin. It is checked before anything else on every message, so it leans
// to recall: the rules (clear phrases; a means or a place next to an ending
// word; the pinyin of the Chinese phrases) and the crisis model each can
// raise the level; everyday exaggerations are blanked first and never reach
// Likely by a rule.
func CrisisLevel(text string) Level { return levelWith(trained().crisis, text) }

// RuleLevel is CrisisLevel by the rules alone, without the model: inside a
// flow, where short answers ("on the day, 3 days before") are what the
// model judges worst, the second tier needs a rule.
func RuleLevel(text string) Level { return levelWith(nil, text) }

// levelWith is CrisisLevel with model m (nil: the rules alone).
func levelWith(m *nlu.Model, text string) Level {
	raw := zhtext.Normalize(text)
	t := blankExaggerations(raw)
	if strings.TrimSpace(t) == "" {
		return Calm
	}
	level := phraseLevel(t)
	if level == Likely {
		if aboutOthers(raw) && !saidOfOneself(t) {
			return Possible // someone else's death, most likely: the support line only
		}
		return Likely
	}
	if m != nil {
		level = modelLevel(m, t, level)
	}
	if level == Likely && aboutOthers(raw) && !saidOfOneself(t) {
		return Possible
	}
	return level
}

// saidOfOneself: a clear phrase of the likely list stands in the first
// person ("我妈去世了，我也不想活了", "i want to kill myself, i wish i had
// died"): someone else's death in the same message does not soften it.
func saidOfOneself(t string) bool {
	for _, p := range crisisRules().Likely {
		i := phraseIndex(t, p)
		if i < 0 {
			continue
		}
		if strings.Contains(p, "我") || strings.Contains(p, "myself") || strings.HasPrefix(p, "i ") || strings.Contains(p, " my ") {
			return true
		}
		pre := t[max(0, i-12):i]
		if strings.Contains(pre, "我") || indexWord(pre, "i") >= 0 || indexWord(pre, "i'm") >= 0 || indexWord(pre, "im") >= 0 {
			return true
		}
	}
	return false
}

// modelLevel is the crisis model's reading, given the rules' level. The
// model backs the rules up: alone it can give the support line, and it
// raises a message the rules find possible to the first tier. A message
// with few features the model knows ("hi", what is left of "急死了") is
// too little for it to judge.
func modelLevel(m *nlu.Model, blanked string, rule Level) Level {
	x := aliasIndex().alias(blanked) // = PrepareCrisis of the message
	ps, known := m.PredictKnown(x)
	p := ps[1]
	switch {
	case known < 3 || content(x) < 3:
		return rule
	case rule == Possible && p >= crisisLikelyAt:
		return Likely
	case p >= crisisPossibleAt:
		return max(rule, Possible)
	}
	return rule
}

// content counts the characters and words of t that carry meaning (not
// 我, 了, "i", "the"): what is left of "笑死我了" once the idiom is blanked
// is no message to judge.
func content(t string) int {
	n := 0
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if isASCII(w) {
			if !isStopWord(w) {
				n++
			}
			continue
		}
		for _, r := range w {
			if unicode.Is(unicode.Han, r) && !stopHan[r] {
				n++
			}
		}
	}
	return n
}

// aboutOthers: the message speaks of someone else's death (raw is
// normalised, not blanked).
func aboutOthers(raw string) bool {
	for _, o := range crisisRules().Others {
		if phraseIndex(raw, o) >= 0 {
			return true
		}
	}
	return false
}

// phraseLevel applies the phrase and proximity rules to t (normalised,
// exaggerations blanked).
func phraseLevel(t string) Level {
	r := crisisRules()
	for _, p := range r.Likely {
		if containsPhrase(t, p) {
			return Likely
		}
	}
	if near(t, r.Means, r.Endings, 24) || near(t, r.Places, r.Endings, 24) || near(t, r.Self, r.Farewell, 6) {
		return Likely
	}
	if py := typedPinyin(t); py != "" {
		letters := strings.ReplaceAll(py, " ", "")
		if pinyinMatch(py, letters, r.likelyPinyin) {
			return Likely
		}
		if pinyinMatch(py, letters, r.likelyPinyin2) {
			return Possible // two syllables (zi jin: 自尽 or 资金) say too little alone
		}
		if pinyinMatch(py, letters, r.possiblePinyin) {
			return Possible
		}
	}
	for _, l := range [][]string{r.Possible, r.Means, r.Places} {
		for _, p := range l {
			if containsPhrase(t, p) {
				return Possible
			}
		}
	}
	return Calm
}

// containsPhrase: Chinese phrases anywhere, English ones as whole words.
func containsPhrase(t, p string) bool {
	if isASCII(p) {
		return indexWord(t, p) >= 0
	}
	return strings.Contains(t, p)
}

// near reports whether a word of a and a word of b occur within gap bytes
// of each other, in either order.
func near(t string, a, b []string, gap int) bool {
	for _, x := range a {
		for off := 0; ; {
			i := phraseIndex(t[off:], x)
			if i < 0 {
				break
			}
			i += off
			// gap is in bytes of Han text (a character is 3); the window is
			// widened to whole runes and whole words, so "weekend" cut to
			// "end" is never an ending.
			lo, hi := max(0, i-gap*3), min(len(t), i+len(x)+gap*3)
			for lo > 0 && (!utf8.RuneStart(t[lo]) || isWordByte(t[lo]) && isWordByte(t[lo-1])) {
				lo--
			}
			for hi < len(t) && (!utf8.RuneStart(t[hi]) || isWordByte(t[hi]) && isWordByte(t[hi-1])) {
				hi++
			}
			window := t[lo:hi]
			for _, y := range b {
				if phraseIndex(window, y) >= 0 {
					return true
				}
			}
			off = i + len(x)
		}
	}
	return false
}

func phraseIndex(t, p string) int {
	if isASCII(p) {
		return indexWord(t, p)
	}
	return strings.Index(t, p)
}

// blankExaggerations removes the idioms that use a word of death or
// killing for something else, and a collector's words the user quotes
// ("催收叫我去跳楼"), so no rule reads them as the user's own.
func blankExaggerations(t string) string {
	r := crisisRules()
	for _, x := range r.Exaggerations {
		t = blankAll(t, x, 0)
	}
	for _, c := range r.Collector {
		if phraseIndex(t, c) < 0 {
			continue
		}
		for _, x := range r.Reported {
			t = blankAll(t, x, reportedSpan)
		}
		break
	}
	return t
}

// reportedSpan is how many characters after a marker of reported words
// are the collector's: up to the next punctuation, at most this many.
const reportedSpan = 10

// blankAll replaces every x in t (and, with span, up to span characters
// after it, stopping at punctuation) with a space.
func blankAll(t, x string, span int) string {
	for off := 0; off < len(t); {
		i := phraseIndex(t[off:], x)
		if i < 0 {
			break
		}
		i += off
		end := i + len(x)
		for n := 0; n < span && end < len(t); n++ {
			r, size := utf8.DecodeRuneInString(t[end:])
			// The quote ends at punctuation, a pause, or the user's own
			// voice: "催收叫我去跳楼 我真的不想活了" keeps its second half.
			if unicode.IsPunct(r) || unicode.IsSpace(r) || r == '我' {
				break
			}
			end += size
		}
		if isASCII(x) {
			end = quotedWords(t, i+len(x))
		}
		t = t[:i] + " " + t[end:]
		off = i + 1
	}
	return t
}

// quotedWords is the end of the collector's words quoted in English after
// a marker at from: up to punctuation, the user's own "i", or four words.
func quotedWords(t string, from int) int {
	end, words := from, 0
	for end < len(t) && words < 4 {
		for end < len(t) && t[end] == ' ' {
			end++
		}
		j := end
		for j < len(t) && t[j] != ' ' && !strings.ContainsRune(".,;!?", rune(t[j])) {
			j++
		}
		w := t[end:j]
		if w == "" || w == "i" || w == "i'm" || w == "im" {
			break
		}
		end, words = j, words+1
		if j < len(t) && t[j] != ' ' {
			break // punctuation
		}
	}
	return end
}

// pinyinMatch reports whether the typed pinyin holds one of the phrases:
// as whole syllables, or (for phrases of seven letters or more, long enough
// not to occur by chance) in the letters alone, since a run typed without
// spaces can be split more than one way ("rengai" is 仍爱 or 人改).
func pinyinMatch(py, letters string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(py, p) {
			return true
		}
		if l := strings.ReplaceAll(p, " ", ""); len(l) >= 7 && strings.Contains(letters, l) {
			return true
		}
	}
	return false
}

// typedPinyin is t's Latin words as fuzzy pinyin syllables (" bu xiang huo
// le "), or "" when t does not read as typed pinyin.
func typedPinyin(t string) string {
	if !nlu.LooksLikePinyin(t) {
		return ""
	}
	return " " + nlu.SyllablesOf(t, false) + " "
}

//go:embed crisis.yaml
var crisisYAML []byte

// rules are crisis.yaml, normalised, with the pinyin of the Chinese phrases.
type rules struct {
	Likely        []string `yaml:"likely"`
	Possible      []string `yaml:"possible"`
	Means         []string `yaml:"means"`
	Places        []string `yaml:"places"`
	Endings       []string `yaml:"endings"`
	Self          []string `yaml:"self"`
	Farewell      []string `yaml:"farewell"`
	Exaggerations []string `yaml:"exaggerations"`
	Others        []string `yaml:"others"`
	Reported      []string `yaml:"reported"`
	Collector     []string `yaml:"collector"`

	likelyPinyin, likelyPinyin2, possiblePinyin []string
}

var (
	rulesOnce sync.Once
	rulesAll  *rules
)

// crisisRules reads crisis.yaml once. It is embedded and checked by a
// test, so a broken file fails the build's tests, not a user's message.
func crisisRules() *rules {
	rulesOnce.Do(func() {
		r, err := parseRules(crisisYAML)
		if err != nil {
			panic(err)
		}
		rulesAll = r
	})
	return rulesAll
}

func parseRules(b []byte) (*rules, error) {
	var r rules
	if err := yaml.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("faq: crisis.yaml: %w", err)
	}
	for _, l := range []*[]string{&r.Likely, &r.Possible, &r.Means, &r.Places, &r.Endings, &r.Self, &r.Farewell,
		&r.Exaggerations, &r.Others, &r.Reported, &r.Collector} {
		for i, p := range *l {
			(*l)[i] = zhtext.Normalize(p)
			if strings.TrimSpace((*l)[i]) == "" {
				return nil, fmt.Errorf("faq: crisis.yaml: an empty phrase")
			}
		}
	}
	if len(r.Likely) == 0 || len(r.Exaggerations) == 0 {
		return nil, fmt.Errorf("faq: crisis.yaml: no likely phrases or no exaggerations")
	}
	// Longer exaggerations first, so "想死我了" is blanked whole.
	sort.SliceStable(r.Exaggerations, func(i, j int) bool { return len(r.Exaggerations[i]) > len(r.Exaggerations[j]) })
	seen := map[string]bool{}
	add := func(dst *[]string, p string) {
		if isASCII(p) {
			return
		}
		for _, py := range nlu.PinyinVariants(p) {
			if strings.Count(py, " ") < 1 || seen[py] {
				continue
			}
			seen[py] = true
			*dst = append(*dst, " "+py+" ")
		}
	}
	for _, p := range r.Likely {
		if utf8.RuneCountInString(p) >= 3 {
			add(&r.likelyPinyin, p)
		} else {
			add(&r.likelyPinyin2, p)
		}
	}
	for _, p := range r.Possible {
		add(&r.possiblePinyin, p)
	}
	return &r, nil
}
