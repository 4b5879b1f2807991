// Package lenders owns the lender directory (lenders.yaml, embedded): who
// people in China borrow from online, what kind of institution the lender
// is, and the official way to reach it. It also reads which lender a user's
// message names (Find), so flows and FAQ answers can say what applies to
// that lender: a bank or consumer finance company answers to the regulator
// (12378) and is outside the 4×LPR cap of private lending; a platform's
// lender is whoever the contract names.
//
// The directory is read once, on first use. It is embedded and checked by
// the package's tests, so bad data fails the tests, not a user's message;
// Check reports the error to a caller that wants to know at start-up.
package lenders

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"loanbot/i18n"
	"loanbot/zhtext"
)

//go:embed lenders.yaml
var data []byte

// Kind is what sort of institution a lender is. It decides the interest
// cap (PrivateLendingCap) and where a borrower can complain.
type Kind string

// The kinds of lender. A platform (助贷) only matches borrowers with
// lenders: the lender of each loan is named in its contract.
const (
	Bank            Kind = "bank"
	ConsumerFinance Kind = "consumer_finance"
	Microloan       Kind = "microloan"
	Platform        Kind = "platform"
	Other           Kind = "other"
)

var kinds = []Kind{Bank, ConsumerFinance, Microloan, Platform, Other}

// Text is one text in each base language, keyed by i18n.ZhHans and
// i18n.En; zh-Hant readers get the zh-Hans text, which the engine converts.
type Text map[string]string

// In is the text for a reader of lang.
func (t Text) In(lang string) string { return t[i18n.Base(lang)] }

// Lender is one entry of the directory. Treat it as read-only: every caller
// shares it.
type Lender struct {
	// ID is stable: sessions, plans and analytics store it.
	ID   string `yaml:"id"`
	Kind Kind   `yaml:"kind"`
	// Generic marks an entry that stands for a kind of debt (信用卡) or
	// for "none of these", not one lender: Find prefers any specific
	// lender named in the same message.
	Generic bool `yaml:"generic"`
	Name    Text `yaml:"name"`
	// Product is what people call the product, when it differs from Name.
	Product Text `yaml:"product"`
	// Operator is the legal lender or, for a platform, its operator.
	Operator Text `yaml:"lender"`
	// Note says what a borrower should know about who the lender is.
	Note Text `yaml:"note"`
	// Contact is the official route to the lender's customer service.
	Contact Text `yaml:"contact"`
	// Aliases are matched anywhere in a message, Exact only as the whole
	// message (inside a sentence they are everyday words: 还呗, 白条),
	// Pinyin as typed pinyin with or without spaces.
	Aliases []string `yaml:"aliases"`
	Exact   []string `yaml:"exact"`
	Pinyin  []string `yaml:"pinyin"`
	// Exclude lists longer words that contain an alias but mean something
	// else: 北京东路 contains 京东.
	Exclude []string `yaml:"exclude"`
	// Phone is set only where two independent public sources agree, named
	// in PhoneSources, on the day PhoneChecked (YYYY-MM-DD).
	Phone        string   `yaml:"phone"`
	PhoneSources []string `yaml:"phone_sources"`
	PhoneChecked string   `yaml:"phone_checked"`
	// Reviewed is the day a person last checked the entry (YYYY-MM-DD).
	Reviewed string `yaml:"reviewed"`

	exclude []string // Exclude, in canonical form
}

// Licensed reports whether the lender is a licensed financial institution
// (a bank or a consumer finance company), so that the financial regulator's
// 12378 line takes complaints about it. A platform's lender may well be
// licensed too, but only its contract says so; nil reports false.
func (l *Lender) Licensed() bool {
	return l != nil && (l.Kind == Bank || l.Kind == ConsumerFinance)
}

// Cap says whether the cap of private lending (4× the one-year LPR at the
// time of the contract, interest and overdue charges together) applies.
type Cap int

const (
	// CapDepends: it depends on who the lender is, which the contract
	// says. The zero value, and the answer for an unknown lender.
	CapDepends Cap = iota
	// CapExempt: the lender is a licensed financial institution or a local
	// financial organisation such as a microloan company, which the
	// private-lending rules exclude (民间借贷规定 art. 1 and the Supreme
	// Court's 2020 reply). Courts still review its charges (domain facts:
	// penalty-interest).
	CapExempt
)

// There is no "applies" value: the directory lists institutions only, and
// whether a loan is private lending between persons or ordinary companies
// is a fact only the contract tells.

// PrivateLendingCap reports whether the 4×LPR cap of private lending
// applies to the lender's loans: never for a bank, a consumer finance
// company or a microloan company; for a platform, another or an unknown
// (nil) lender it depends on the lender named in the contract.
func (l *Lender) PrivateLendingCap() Cap {
	if l == nil {
		return CapDepends
	}
	switch l.Kind {
	case Bank, ConsumerFinance, Microloan:
		return CapExempt
	}
	return CapDepends
}

// directory is the parsed file with its indexes for Find.
type directory struct {
	all  []*Lender
	byID map[string]*Lender
	// whole maps a whole message, in canonical form, to its lender: every
	// alias and exact alias.
	whole map[string]*Lender
	// pinyinWhole maps typed pinyin without spaces to its lender.
	pinyinWhole map[string]*Lender
	contained   []alias // CJK aliases, matched anywhere
	words       []alias // Latin aliases, matched as whole words
	pinyin      []alias // pinyin without spaces
	fuzzy       []alias // all-Han aliases of 2–4 characters, for typos
}

// alias is one name of a lender in canonical form.
type alias struct {
	text  string
	words []string   // Latin aliases: the words
	runes []rune     // fuzzy aliases: the characters
	reads [][]string // fuzzy aliases: the folded readings of each character
	exact bool       // whole message only
	l     *Lender
}

var load = sync.OnceValues(func() (*directory, error) { return parse(data) })

// dir is the loaded directory, or an empty one when the data is broken
// (which the tests rule out; Check reports it).
func dir() *directory {
	d, err := load()
	if err != nil {
		return &directory{byID: map[string]*Lender{}}
	}
	return d
}

// Check reports whether the embedded directory is valid. Call it at
// start-up to fail early; the other functions treat a broken directory as
// empty rather than panic.
func Check() error {
	_, err := load()
	return err
}

// All is every lender in file order. The slice is the caller's; the
// lenders are shared.
func All() []*Lender { return slices.Clone(dir().all) }

// ByID is the lender with the id, or nil.
func ByID(id string) *Lender { return dir().byID[id] }

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	pinyinPattern = regexp.MustCompile(`^[a-z]+( [a-z]+)*$`)
	phonePattern  = regexp.MustCompile(`^[0-9]+(-[0-9]+)*$`)
	digitRun      = regexp.MustCompile(`[0-9][0-9 -]*[0-9]`)
)

// parse reads and checks the directory and builds its indexes.
func parse(b []byte) (*directory, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt field is an error, not a silent blank
	var all []*Lender
	if err := dec.Decode(&all); err != nil {
		return nil, fmt.Errorf("lenders: lenders.yaml: %w", err)
	}
	d := &directory{
		byID:        map[string]*Lender{},
		whole:       map[string]*Lender{},
		pinyinWhole: map[string]*Lender{},
	}
	for i, l := range all {
		if l == nil {
			return nil, fmt.Errorf("lenders: entry %d is empty", i+1)
		}
		if err := l.check(); err != nil {
			return nil, fmt.Errorf("lenders: %q: %w", l.ID, err)
		}
		if d.byID[l.ID] != nil {
			return nil, fmt.Errorf("lenders: duplicate id %q", l.ID)
		}
		d.byID[l.ID] = l
		if err := d.index(l); err != nil {
			return nil, fmt.Errorf("lenders: %q: %w", l.ID, err)
		}
	}
	d.all = all
	// Longer aliases first, so the most specific name is tried first.
	slices.SortStableFunc(d.contained, func(a, b alias) int { return len(b.text) - len(a.text) })
	return d, nil
}

// check rejects an entry that is missing a language, a date or a source.
func (l *Lender) check() error {
	if !idPattern.MatchString(l.ID) {
		return errors.New("id must be lower-case ascii letters, digits and _")
	}
	if !slices.Contains(kinds, l.Kind) {
		return fmt.Errorf("unknown kind %q (want one of %v)", l.Kind, kinds)
	}
	required := map[string]Text{"name": l.Name, "contact": l.Contact}
	if l.Kind != Other {
		required["lender"] = l.Operator
	}
	for field, t := range required {
		if err := t.check(field, true); err != nil {
			return err
		}
	}
	for field, t := range map[string]Text{"lender": l.Operator, "product": l.Product, "note": l.Note} {
		if err := t.check(field, false); err != nil {
			return err
		}
	}
	if err := checkDate("reviewed", l.Reviewed); err != nil {
		return err
	}
	if l.Kind != Other && len(l.Aliases)+len(l.Exact)+len(l.Pinyin) == 0 {
		return errors.New("no aliases: Find could never name it")
	}
	if err := l.checkPhone(); err != nil {
		return err
	}
	return nil
}

func (t Text) check(field string, required bool) error {
	if len(t) == 0 && !required {
		return nil
	}
	for lang := range t {
		if lang != i18n.ZhHans && lang != i18n.En {
			return fmt.Errorf("%s: language %q (want %s and %s; zh-Hant is converted)", field, lang, i18n.ZhHans, i18n.En)
		}
	}
	for _, lang := range []string{i18n.ZhHans, i18n.En} {
		if strings.TrimSpace(t[lang]) == "" {
			return fmt.Errorf("%s: no %s text", field, lang)
		}
	}
	return nil
}

func checkDate(field, s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%s: %q is not a YYYY-MM-DD date", field, s)
	}
	return nil
}

// checkPhone enforces the rule on numbers: a phone only with two sources
// and a date, and no number in the texts other than that phone, so a number
// cannot slip into a contact text without its sources.
func (l *Lender) checkPhone() error {
	if l.Phone == "" {
		if len(l.PhoneSources) > 0 || l.PhoneChecked != "" {
			return errors.New("phone sources or date without a phone")
		}
	} else {
		if !phonePattern.MatchString(l.Phone) {
			return fmt.Errorf("phone %q: digits and dashes only", l.Phone)
		}
		srcs := map[string]bool{}
		for _, s := range l.PhoneSources {
			if s = strings.TrimSpace(s); s != "" {
				srcs[s] = true
			}
		}
		if len(srcs) < 2 {
			return fmt.Errorf("phone %s: want two different sources, have %d", l.Phone, len(srcs))
		}
		if err := checkDate("phone_checked", l.PhoneChecked); err != nil {
			return err
		}
	}
	own := digitsOf(l.Phone)
	for field, t := range map[string]Text{"name": l.Name, "lender": l.Operator, "note": l.Note, "contact": l.Contact} {
		for _, s := range t {
			for _, run := range digitRun.FindAllString(s, -1) {
				if n := digitsOf(run); len(n) >= 5 && n != own {
					return fmt.Errorf("%s: number %s is not the entry's sourced phone", field, run)
				}
			}
		}
	}
	return nil
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// index adds the lender's names to the indexes, rejecting a name that is
// empty once normalised, repeated, or already another lender's.
func (d *directory) index(l *Lender) error {
	add := func(s string, exact bool) error {
		c, toks := canon(s)
		if c == "" {
			return fmt.Errorf("alias %q is empty once normalised", s)
		}
		if o := d.whole[c]; o != nil {
			if o == l {
				return fmt.Errorf("alias %q is listed twice", s)
			}
			return fmt.Errorf("alias %q is also %q's", s, o.ID)
		}
		d.whole[c] = l
		a := alias{text: c, exact: exact, l: l}
		if !hasHan(c) {
			a.words = make([]string, len(toks))
			for i, t := range toks {
				a.words[i] = t.s
			}
			if !exact {
				d.words = append(d.words, a)
			}
			return nil
		}
		if !exact {
			d.contained = append(d.contained, a)
		}
		if rs := []rune(c); len(rs) >= 2 && len(rs) <= 4 && allHan(rs) {
			a.runes = rs
			for _, r := range rs {
				a.reads = append(a.reads, readings(r))
			}
			d.fuzzy = append(d.fuzzy, a)
		}
		return nil
	}
	for _, s := range l.Aliases {
		if err := add(s, false); err != nil {
			return err
		}
	}
	for _, s := range l.Exact {
		if err := add(s, true); err != nil {
			return err
		}
	}
	for _, p := range l.Pinyin {
		if !pinyinPattern.MatchString(p) {
			return fmt.Errorf("pinyin %q: lower-case letters and single spaces only", p)
		}
		c := strings.ReplaceAll(p, " ", "")
		if o := d.pinyinWhole[c]; o != nil {
			return fmt.Errorf("pinyin %q is also %q's", p, o.ID)
		}
		d.pinyinWhole[c] = l
		d.pinyin = append(d.pinyin, alias{text: c, l: l})
	}
	for _, e := range l.Exclude {
		c, _ := canon(e)
		ok := false
		for _, a := range d.contained {
			ok = ok || (a.l == l && strings.Contains(c, a.text) && c != a.text)
		}
		if !ok {
			return fmt.Errorf("exclude %q contains none of the lender's aliases", e)
		}
		l.exclude = append(l.exclude, c)
	}
	return nil
}

// token is a run of ASCII letters and digits at a byte offset of the
// canonical text.
type token struct {
	s  string
	at int
}

// canon is s as Find compares it: zhtext.Normalize (full-width, Traditional
// and case folded), then only letters and digits kept, with one space
// between two ASCII words and none anywhere else, so "360 借条", "360借条"
// and "３６０借條" read alike. It also returns the ASCII words.
func canon(s string) (string, []token) {
	s = zhtext.Normalize(zhtext.ToSimplified(s))
	var b strings.Builder
	var toks []token
	inWord, gap := false, false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if !inWord {
				if gap && len(toks) > 0 && toks[len(toks)-1].at+len(toks[len(toks)-1].s) == b.Len() {
					b.WriteByte(' ') // two ASCII words apart
				}
				toks = append(toks, token{at: b.Len()})
				inWord = true
			}
			b.WriteRune(r)
			toks[len(toks)-1].s += string(r)
			gap = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			inWord, gap = false, false
		default:
			inWord, gap = false, true
		}
	}
	return b.String(), toks
}

// maxRunes bounds the work Find does on one message; a message names its
// lender early or not at all.
const maxRunes = 500

// Find is the lender a user's text names, if any: a name, typo or English
// name alone or inside a longer message ("美团欠了8000"), in any script,
// width or case; typed pinyin, with a one-letter slip; and a Chinese name
// of two to four characters with one character replaced by one that
// sounds the same (微立贷, 京东金调), the way pinyin input goes wrong.
//
// When the text names several lenders, a specific one beats a generic
// entry (招行信用卡 is CMB, not "a credit card"), then the longer name,
// then the one named first. A typo that could be two lenders names none:
// asking again is better than a wrong lender.
func Find(text string) (*Lender, bool) {
	if utf8.RuneCountInString(text) > maxRunes {
		n := 0
		for i := range text {
			if n == maxRunes {
				text = text[:i]
				break
			}
			n++
		}
	}
	d := dir()
	c, toks := canon(text)
	if c == "" {
		return nil, false
	}
	if l := d.whole[c]; l != nil {
		return l, true
	}
	if len(toks) > 0 && !hasHan(c) {
		var all strings.Builder
		for _, t := range toks {
			all.WriteString(t.s)
		}
		if l := d.pinyinWhole[all.String()]; l != nil {
			return l, true
		}
	}
	if l := d.contains(c, toks); l != nil {
		return l, true
	}
	if l := d.typo(c); l != nil {
		return l, true
	}
	return nil, false
}

// match is one name found in a message.
type match struct {
	l      *Lender
	weight int // a Han character counts 2, a letter or digit 1
	at     int
}

// better orders matches: specific before generic, longer, earlier.
func (m match) better(o match) bool {
	if m.l.Generic != o.l.Generic {
		return !m.l.Generic
	}
	if m.weight != o.weight {
		return m.weight > o.weight
	}
	return m.at < o.at
}

// contains finds the names that occur in the message as they are.
func (d *directory) contains(c string, toks []token) *Lender {
	var best *match
	consider := func(m match) {
		if best == nil || m.better(*best) {
			best = &m
		}
	}
	for _, a := range d.contained {
		for off := 0; ; {
			i := strings.Index(c[off:], a.text)
			if i < 0 {
				break
			}
			at := off + i
			if !a.l.excluded(c, at, at+len(a.text)) {
				consider(match{a.l, weight(a.text), at})
			}
			off = at + len(a.text)
		}
	}
	for _, a := range d.words {
		for i := 0; i+len(a.words) <= len(toks); i++ {
			ok := true
			for j, w := range a.words {
				ok = ok && toks[i+j].s == w
			}
			if ok {
				consider(match{a.l, weight(a.text), toks[i].at})
			}
		}
	}
	// Pinyin: any run of up to six words, joined, may spell a name (wei
	// li dai, weilidai); one slip is allowed in names of six letters or
	// more, which no English word comes that close to.
	for i := range toks {
		var run strings.Builder
		for j := i; j < len(toks) && j < i+6; j++ {
			run.WriteString(toks[j].s)
			typed := run.String()
			var hit *Lender
			for _, p := range d.pinyin {
				if typed == p.text || (len(p.text) >= 6 && oneSlip(typed, p.text)) {
					if hit != nil && hit != p.l {
						hit = nil // a slip away from two lenders: neither
						break
					}
					hit = p.l
				}
			}
			if hit != nil {
				consider(match{hit, len(typed), toks[i].at})
			}
		}
	}
	if best == nil {
		return nil
	}
	return best.l
}

// excluded reports whether the name at c[i:j] is part of one of the
// lender's exclude words.
func (l *Lender) excluded(c string, i, j int) bool {
	for _, e := range l.exclude {
		for a := max(0, j-len(e)); a <= i; a++ {
			if strings.HasPrefix(c[a:], e) {
				return true
			}
		}
	}
	return false
}

func weight(s string) int {
	w := 0
	for _, r := range s {
		if r >= utf8.RuneSelf {
			w += 2
		} else if r != ' ' {
			w++
		}
	}
	return w
}

// notTypos are characters that never count as a mistyped character of a
// name: particles and everyday words that sound like parts of names would
// otherwise turn sentences into names (我分期了 is not 分期乐, 还被催 is not
// 还呗).
const notTypos = "了的地得吗嘛呢吧啊呀么被在是有和跟也都就还又没不我你他她它们这那个"

// typo finds a name with one character replaced by one that sounds the
// same. Four-character names are looked for anywhere in the message;
// shorter ones only as the whole message, since inside a sentence two
// characters with one sound-alike are too often ordinary words.
func (d *directory) typo(c string) *Lender {
	rs := []rune(c)
	var hit *Lender
	for _, a := range d.fuzzy {
		n := len(a.runes)
		if (n < 4 || a.exact) && len(rs) != n {
			continue
		}
		for i := 0; i+n <= len(rs); i++ {
			if soundsAlike(rs[i:i+n], a) {
				if hit != nil && hit != a.l {
					return nil // two lenders a slip away: neither
				}
				hit = a.l
			}
		}
	}
	return hit
}

// soundsAlike reports whether w is the alias with exactly one character
// replaced by a sound-alike.
func soundsAlike(w []rune, a alias) bool {
	diff := -1
	for k, r := range w {
		if r != a.runes[k] {
			if diff >= 0 {
				return false
			}
			diff = k
		}
	}
	if diff < 0 || !isHan(w[diff]) || strings.ContainsRune(notTypos, w[diff]) {
		return false
	}
	for _, x := range readings(w[diff]) {
		if slices.Contains(a.reads[diff], x) {
			return true
		}
	}
	return false
}

// oneSlip reports whether a and b differ by one inserted, deleted,
// replaced or swapped letter (and are not equal).
func oneSlip(a, b string) bool {
	if a == b || len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] {
			return true // replaced
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swapped
	case len(a) > len(b):
		return a[i+1:] == b[i:] // inserted
	default:
		return a[i:] == b[i+1:] // deleted
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func hasHan(s string) bool {
	for _, r := range s {
		if isHan(r) {
			return true
		}
	}
	return false
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	return true
}
