package collect

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"loanbot/i18n"
)

// rule is one claim of rules.yaml; the fields are documented there.
type rule struct {
	ID          string   `yaml:"id"`
	Verdict     string   `yaml:"verdict"`
	Phrases     []string `yaml:"phrases"`
	UnlessAfter []string `yaml:"unless_after"`
	YieldTo     []string `yaml:"yield_to"`
	Say         Text     `yaml:"say"`
	Basis       string   `yaml:"basis"`
	Reviewed    string   `yaml:"reviewed"`

	yield []int // YieldTo as indexes into ruleSet.rules
}

// adviceLine is one line of the advice shown after a check.
type adviceLine struct {
	Say   Text   `yaml:"say"`
	Basis string `yaml:"basis"`
}

// ruleSet is rules.yaml, parsed, validated and compiled.
type ruleSet struct {
	rules  []*rule
	advice []adviceLine
	// claims finds rules[i] as set i; markers finds the debt words as set
	// 0, the collection words as set 1 and the overdue words as set 2.
	claims, markers *matcher
}

var (
	idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	verdicts  = []string{False, Unlawful, Misleading, TrueBut}
)

// parse reads and checks rules.yaml. Every problem is reported, not just
// the first, so one test run shows a reviewer all of them.
func parse(data []byte) (*ruleSet, error) {
	var f struct {
		Claims  []*rule `yaml:"claims"`
		Markers struct {
			Debt    []string `yaml:"debt"`
			Action  []string `yaml:"action"`
			Overdue []string `yaml:"overdue"`
		} `yaml:"markers"`
		Advice []adviceLine `yaml:"advice"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("collect: rules.yaml: %w", err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("collect: rules.yaml: "+format, args...))
	}
	if len(f.Claims) == 0 {
		bad("no claims")
	}
	byID := map[string]int{}
	for i, r := range f.Claims {
		if !idPattern.MatchString(r.ID) {
			bad("claim %d: id %q is not kebab-case ascii", i+1, r.ID)
		}
		if _, dup := byID[r.ID]; dup {
			bad("claim %q: duplicate id", r.ID)
		}
		byID[r.ID] = i
		if !slices.Contains(verdicts, r.Verdict) {
			bad("claim %q: verdict %q is not one of %v", r.ID, r.Verdict, verdicts)
		}
		if len(r.Phrases) == 0 {
			bad("claim %q: no phrases", r.ID)
		}
		checkText(bad, "claim "+r.ID, r.Say)
		if strings.TrimSpace(r.Basis) == "" {
			bad("claim %q: no basis (write \"—\" for practice)", r.ID)
		}
		if _, err := time.Parse(time.DateOnly, r.Reviewed); err != nil {
			bad("claim %q: reviewed %q is not a date YYYY-MM-DD", r.ID, r.Reviewed)
		}
	}
	for _, r := range f.Claims {
		for _, id := range r.YieldTo {
			j, ok := byID[id]
			if !ok || f.Claims[j] == r {
				bad("claim %q: yield_to %q is not another claim", r.ID, id)
				continue
			}
			r.yield = append(r.yield, j)
		}
	}
	if len(f.Advice) == 0 {
		bad("no advice")
	}
	for i, a := range f.Advice {
		checkText(bad, fmt.Sprintf("advice %d", i+1), a.Say)
		if strings.TrimSpace(a.Basis) == "" {
			bad("advice %d: no basis (write \"—\" for practice)", i+1)
		}
	}
	if len(f.Markers.Debt) == 0 || len(f.Markers.Action) == 0 || len(f.Markers.Overdue) == 0 {
		bad("markers: debt, action and overdue all need words")
	}

	claims := newMatcher()
	for i, r := range f.Claims {
		for _, p := range r.Phrases {
			if err := claims.add(i, p); err != nil {
				bad("claim %q: %v", r.ID, err)
			}
		}
		if err := claims.unlessAfter(i, r.UnlessAfter); err != nil {
			bad("claim %q: %v", r.ID, err)
		}
	}
	markers := newMatcher()
	for set, words := range [][]string{f.Markers.Debt, f.Markers.Action, f.Markers.Overdue} {
		for _, w := range words {
			if err := markers.add(set, w); err != nil {
				bad("markers: %v", err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &ruleSet{rules: f.Claims, advice: f.Advice, claims: claims, markers: markers}, nil
}

// checkText reports a text that lacks one of the base languages.
func checkText(bad func(string, ...any), where string, t Text) {
	for _, lang := range []string{i18n.ZhHans, i18n.En} {
		if strings.TrimSpace(t[lang]) == "" {
			bad("%s: say has no %s text", where, lang)
		}
	}
	for lang := range t {
		if lang != i18n.ZhHans && lang != i18n.En {
			bad("%s: say has unknown language %q (zh-Hant is converted, not written)", where, lang)
		}
	}
}

// maxGap is how far apart, in characters, the parts of a phrase may be; an
// English word counts as one character, so "冻结…微信" and "freeze…account"
// allow the same few words between.
const maxGap = 12

// unlessWindow is how many characters (an English word counts as one)
// before a match an unless_after word may end in: enough for "不会要求您向任何个人账户", not so much that a
// warning earlier in the sentence cancels a later threat.
const unlessWindow = 10

// alt is one alternative of a phrase part, folded like the text.
type alt struct {
	s string
	// wordStart and wordEnd ask for a word boundary before and after, so
	// "sue" does not match inside "issue"; a final "*" in the phrase
	// clears wordEnd.
	wordStart, wordEnd bool
}

// ok reports whether a at s[i:] stands on the word boundaries it needs.
func (a alt) ok(s string, i int) bool {
	if a.wordStart && i > 0 && isWordByte(s[i-1]) {
		return false
	}
	j := i + len(a.s)
	return !a.wordEnd || j >= len(s) || !isWordByte(s[j])
}

// pattern is one phrase: parts in order, each a list of alternatives.
type pattern struct {
	set   int
	parts [][]alt
	slot  int // the first cache slot of parts[1:], see matcher.scan
}

// entry points from the first rune of an alternative of parts[0] to it.
type entry struct{ pat, alt int }

// matcher finds, in one pass over a text, the first match of each set of
// phrases. Every phrase is indexed by the first rune of each alternative
// of its first part, so the scan tests only the phrases that can start at
// each rune; the later parts are found with strings.Index and cached, so
// the work stays linear in the text however often a first part repeats.
// Nothing here can backtrack.
type matcher struct {
	pats   []pattern
	ascii  [utf8.RuneSelf][]entry
	other  map[rune][]entry
	unless map[int][]string // per set: words that cancel a match after them
	slots  int
	sets   int
}

func newMatcher() *matcher {
	return &matcher{other: map[rune][]entry{}, unless: map[int][]string{}}
}

// add compiles phrase into set.
func (m *matcher) add(set int, phrase string) error {
	p := pattern{set: set, slot: m.slots}
	for part := range strings.SplitSeq(strings.ReplaceAll(phrase, "...", "…"), "…") {
		var alts []alt
		for a := range strings.SplitSeq(part, "|") {
			s, _ := fold(a)
			s = strings.TrimSpace(s)
			star := strings.HasSuffix(s, "*")
			s = strings.TrimSuffix(s, "*")
			if s == "" || strings.ContainsAny(s, "*\n") {
				return fmt.Errorf("phrase %q: empty or malformed alternative %q", phrase, a)
			}
			alts = append(alts, alt{
				s:         s,
				wordStart: isWordByte(s[0]),
				wordEnd:   !star && isWordByte(s[len(s)-1]),
			})
		}
		p.parts = append(p.parts, alts)
	}
	for _, alts := range p.parts[1:] {
		m.slots += len(alts)
	}
	m.sets = max(m.sets, set+1)
	for i, a := range p.parts[0] {
		e := entry{pat: len(m.pats), alt: i}
		if r, _ := utf8.DecodeRuneInString(a.s); r < utf8.RuneSelf {
			m.ascii[r] = append(m.ascii[r], e)
		} else {
			m.other[r] = append(m.other[r], e)
		}
	}
	m.pats = append(m.pats, p)
	return nil
}

// unlessAfter sets the words that cancel a match of set when they end
// shortly before it.
func (m *matcher) unlessAfter(set int, words []string) error {
	for _, w := range words {
		s, _ := fold(w)
		if s = strings.TrimSpace(s); s == "" {
			return errors.New("empty unless_after word")
		}
		m.unless[set] = append(m.unless[set], s)
	}
	return nil
}

// hit is where a set first matched; the zero hit is no match.
type hit struct{ start, end int }

func (h hit) found() bool { return h.end > 0 }

type hits []hit

// order is the indexes of the sets found, by where they first matched.
func (hs hits) order() []int {
	var idx []int
	for i, h := range hs {
		if h.found() {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return hs[a].start - hs[b].start })
	return idx
}

// scan returns the first match of each set in s, a folded text.
func (m *matcher) scan(s string) hits {
	hs := make(hits, m.sets)
	cache := make([]next, m.slots)
	left := m.sets
	for i := 0; i < len(s) && left > 0; {
		var es []entry
		size := 1
		if c := s[i]; c < utf8.RuneSelf {
			// An English phrase starts only at a word start.
			if !(isWordByte(c) && i > 0 && isWordByte(s[i-1])) {
				es = m.ascii[c]
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			es = m.other[r]
		}
		for _, e := range es {
			p := &m.pats[e.pat]
			if hs[p.set].found() {
				continue
			}
			a := p.parts[0][e.alt]
			if !strings.HasPrefix(s[i:], a.s) || !a.ok(s, i) {
				continue
			}
			end, ok := m.rest(s, p, i+len(a.s), cache)
			if !ok || m.negated(s, i, p.set) {
				continue
			}
			hs[p.set] = hit{i, end}
			left--
		}
		i += size
	}
	return hs
}

// rest matches p's parts after the first from s[from:] and returns the end
// of the last.
func (m *matcher) rest(s string, p *pattern, from int, cache []next) (int, bool) {
	slot := p.slot
	for _, alts := range p.parts[1:] {
		best, bestEnd := -1, 0
		for _, a := range alts {
			at := cache[slot].find(s, a, from)
			slot++
			if at >= 0 && (best < 0 || at < best) {
				best, bestEnd = at, at+len(a.s)
			}
		}
		if best < 0 || !gapOK(s[from:best]) {
			return 0, false
		}
		from = bestEnd
	}
	return from, true
}

// negated reports whether one of set's unless_after words ends within
// unlessWindow characters before s[i], in the same clause.
func (m *matcher) negated(s string, i, set int) bool {
	words := m.unless[set]
	if len(words) == 0 {
		return false
	}
	j := back(s, i, unlessWindow)
	window := s[j:i]
	for _, w := range words {
		if strings.Contains(window, w) {
			return true
		}
	}
	return false
}

// back walks left from s[i] over at most n characters of the same clause,
// an English word counting as one, and returns where it stopped.
func back(s string, i, n int) int {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case isClauseBreak(r):
			return i
		case r == ' ':
		case r < utf8.RuneSelf && isWordByte(byte(r)):
			if i-size > 0 && isWordByte(s[i-size-1]) {
				break // inside a word: count it at its start
			}
			n--
		default:
			n--
		}
		if n < 0 {
			return i
		}
		i -= size
	}
	return i
}

// gapOK reports whether g, the text between two parts of a phrase, keeps
// them in one sentence and at most maxGap characters apart.
func gapOK(g string) bool {
	if len(g) > 8*maxGap {
		return false
	}
	w, inWord := 0, false
	for i, r := range g {
		switch {
		case r == '。' || r == '!' || r == '?' || r == '\n':
			return false
		case r == '.' && (i+1 == len(g) || g[i+1] == ' '):
			return false
		case r < utf8.RuneSelf && isWordByte(byte(r)):
			if !inWord {
				w++
			}
			inWord = true
		case r == ' ':
			inWord = false
		default:
			inWord = false
			w++
		}
	}
	return w <= maxGap
}

// next caches, for one alternative of a later phrase part, where it next
// occurs: no valid occurrence starts in [lo, at), and at is the first one
// at or after lo (-1: none). Searches start further on as the scan moves,
// so each alternative is searched about once over the whole text.
type next struct {
	lo, at int
	known  bool
}

// find returns the first valid occurrence of a in s at or after from.
func (c *next) find(s string, a alt, from int) int {
	switch {
	case !c.known:
		c.known, c.lo, c.at = true, from, index(s, a, from, len(s))
	case from >= c.lo:
		if c.at < 0 || c.at >= from {
			return c.at
		}
		c.lo, c.at = from, index(s, a, from, len(s))
	default:
		// The search went back a little (parts[0] alternatives differ in
		// length): look only at the bytes not searched yet.
		if at := index(s, a, from, c.lo-1); at >= 0 {
			c.at = at
		}
		c.lo = from
	}
	return c.at
}

// index returns the first start in [from, last] of a valid occurrence of
// a in s, or -1.
func index(s string, a alt, from, last int) int {
	for from <= last && from < len(s) {
		end := min(len(s), last+len(a.s))
		j := strings.Index(s[from:end], a.s)
		if j < 0 {
			return -1
		}
		j += from
		if a.ok(s, j) {
			return j
		}
		from = j + 1
	}
	return -1
}
