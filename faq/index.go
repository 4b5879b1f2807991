package faq

import (
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"

	"loanbot/faq/nlu"
	"loanbot/i18n"
	"loanbot/zhtext"
)

// The index: every phrasing, title and the keyword list of a topic is a
// document; a question is scored by BM25 against them, a topic by its best
// document plus a share of the score against all its text together. Chinese
// is tokenised as character unigrams and bigrams (no dictionary to load:
// start-up stays in milliseconds), English as stemmed words.

const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// topicShare weights the topic-level score against the best phrasing.
	topicShare = 0.35
)

type doc struct {
	topic int
	tf    map[string]float64 // while the index is built; nil after
	len   float64
}

type index struct {
	topics []*Topic
	docs   []doc
	whole  []doc // one per topic: all its text together
	avgLen float64
	avgTop float64
	// aliases are the aliases with a Chinese key.
	aliases *strings.Replacer
	// wordAliases: the aliases with an English key, by first word; they
	// match whole words only (else "sue" would rewrite "issue").
	wordAliases map[string][]wordAlias
	// terms: token → its idf and its postings (the documents holding it,
	// with precomputed BM25 parts, in one slab per level), so a question
	// touches only the documents that share a token. The slabs hold no
	// pointers: the collector does not walk them.
	terms     map[string]term
	post      []posting
	postWhole []posting
	// vocab holds the tokens of every topic's title and keywords (Chinese
	// bigrams and English words, not single characters): the words that
	// say a question is about this domain at all.
	vocab map[string]bool
}

// term is what the index knows of a token, at the phrasing level (D) and
// the topic level (T): its idf (0 when no document holds it) and its
// postings, post[startD:endD] and postWhole[startT:endT].
type term struct {
	idfD, idfT                 float64
	startD, endD, startT, endT int32
}

func buildIndex(topics []*Topic) *index {
	ix := &index{topics: topics, vocab: map[string]bool{}}
	df, dfWhole := map[string]int{}, map[string]int{}
	ix.aliases, ix.wordAliases = buildAliases(aliases)
	var total, totalTop float64
	for ti, t := range topics {
		if t.ID == "crisis-support" {
			// Recognised by IsCrisis, before and apart from ranking.
			ix.whole = append(ix.whole, doc{topic: ti, tf: map[string]float64{}})
			continue
		}
		var texts []string
		for _, l := range []string{i18n.ZhHans, i18n.En} {
			texts = append(texts, t.Title[l])
			texts = append(texts, t.Questions[l]...)
		}
		kw := strings.Join(append(append([]string{}, t.Keywords[i18n.ZhHans]...), t.Keywords[i18n.En]...), " ")
		// The keywords count three times: they are the words chosen to tell
		// this topic from its neighbours.
		texts = append(texts, kw, kw, kw)
		for _, tok := range ix.tokens(kw + " " + t.Title[i18n.ZhHans] + " " + t.Title[i18n.En]) {
			if !isHanUnigram(tok) && !strings.ContainsAny(tok, functionChars) {
				ix.vocab[tok] = true
			}
		}
		all := map[string]float64{}
		var allLen float64
		for _, s := range texts {
			toks := ix.tokens(s)
			if len(toks) == 0 {
				continue
			}
			d := doc{topic: ti, tf: map[string]float64{}, len: float64(len(toks))}
			for _, tok := range toks {
				d.tf[tok]++
				all[tok]++
			}
			for tok := range d.tf {
				df[tok]++
			}
			ix.docs = append(ix.docs, d)
			total += d.len
			allLen += d.len
		}
		for tok := range all {
			dfWhole[tok]++
		}
		ix.whole = append(ix.whole, doc{topic: ti, tf: all, len: allLen})
		totalTop += allLen
	}
	if len(ix.docs) > 0 {
		ix.avgLen = total / float64(len(ix.docs))
	}
	if len(topics) > 0 {
		ix.avgTop = totalTop / float64(len(topics))
	}
	ix.terms = map[string]term{}
	ix.post = postings(ix.terms, ix.docs, df, ix.avgLen, func(t *term) (*float64, *int32, *int32) { return &t.idfD, &t.startD, &t.endD })
	ix.postWhole = postings(ix.terms, ix.whole, dfWhole, ix.avgTop, func(t *term) (*float64, *int32, *int32) { return &t.idfT, &t.startT, &t.endT })
	for i := range ix.docs {
		ix.docs[i].tf = nil
	}
	for i := range ix.whole {
		ix.whole[i].tf = nil
	}
	return ix
}

// posting is one document holding a token: its BM25 term factor.
type posting struct {
	doc    int
	factor float64 // tf·(k1+1) / (tf + k1·(1−b+b·len/avg))
}

// postings writes one level's idf and postings into terms (through field,
// which picks the level's idf and slab bounds of a term) and returns the
// level's slab, grouped by token.
func postings(terms map[string]term, docs []doc, df map[string]int, avg float64, field func(*term) (*float64, *int32, *int32)) []posting {
	byTok := map[string][]posting{}
	n := 0
	for i, d := range docs {
		norm := bm25K1 * (1 - bm25B + bm25B*d.len/avg)
		for tok, tf := range d.tf {
			byTok[tok] = append(byTok[tok], posting{doc: i, factor: tf * (bm25K1 + 1) / (tf + norm)})
			n++
		}
	}
	// Tokens in a fixed order, so that the slab (and the order in which a
	// token's documents are summed) does not depend on map iteration.
	toks := make([]string, 0, len(byTok))
	for tok := range byTok {
		toks = append(toks, tok)
	}
	sort.Strings(toks)
	slab := make([]posting, 0, n)
	for _, tok := range toks {
		t := terms[tok]
		idf, start, end := field(&t)
		*idf = math.Log(1 + (float64(len(docs))-float64(df[tok])+0.5)/(float64(df[tok])+0.5))
		*start = int32(len(slab))
		slab = append(slab, byTok[tok]...)
		*end = int32(len(slab))
		terms[tok] = t
	}
	return slab
}

// idfD and idfT are a token's idf at each level, also for a token no
// document holds.
func (ix *index) idfD(t term, ok bool) float64 {
	if ok && t.endD > t.startD {
		return t.idfD
	}
	return math.Log(1 + (float64(len(ix.docs))+0.5)/0.5)
}

func (ix *index) idfT(t term, ok bool) float64 {
	if ok && t.endT > t.startT {
		return t.idfT
	}
	return math.Log(1 + (float64(len(ix.whole))+0.5)/0.5)
}

// normalize folds width, script and case, and rewrites aliases.
func (ix *index) normalize(s string) string {
	return ix.alias(zhtext.Normalize(s))
}

// alias rewrites the aliases of s, normalised.
func (ix *index) alias(s string) string {
	return ix.replaceWords(ix.aliases.Replace(s))
}

// wordAlias is an alias with an English key.
type wordAlias struct{ key, to string }

// buildAliases splits the aliases: the Chinese keys go into a replacer
// (longer keys first: the replacer prefers earlier pairs at a position),
// the English ones into a table by first word, longer keys first.
func buildAliases(m map[string]string) (*strings.Replacer, map[string][]wordAlias) {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	var pairs []string
	words := map[string][]wordAlias{}
	for _, k := range keys {
		if isASCII(k) {
			first := k
			if i := strings.IndexFunc(k, func(r rune) bool { return !isWordByte(byte(r)) }); i > 0 {
				first = k[:i]
			}
			words[first] = append(words[first], wordAlias{k, " " + m[k] + " "})
			continue
		}
		pairs = append(pairs, k, " "+m[k]+" ")
	}
	return strings.NewReplacer(pairs...), words
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// inflections an English alias key may carry ("sue" also matches "sues",
// "sued"); a key ending in e also drops it before -ing.
var inflections = []string{"", "s", "es", "d", "ed", "ing", "'s"}

// replaceWords rewrites the English aliases in s (normalised, lower case)
// where a key stands as whole words.
func (ix *index) replaceWords(s string) string {
	var b strings.Builder
	last := 0 // s[last:i] is not yet written
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) || i > 0 && isWordByte(s[i-1]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		end := -1
		var to string
		for _, a := range ix.wordAliases[s[i:j]] {
			if end = matchInflected(s, i, a.key); end >= 0 {
				to = a.to
				break
			}
		}
		if end < 0 {
			i = j
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(to)
		i, last = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// matchInflected is the end of key (perhaps inflected) at s[i:] when it
// ends a word there, else -1.
func matchInflected(s string, i int, key string) int {
	rest := s[i:]
	if !strings.HasPrefix(rest, key) {
		if k := strings.TrimSuffix(key, "e"); k != key && strings.HasPrefix(rest, k+"ing") &&
			(len(rest) == len(k)+3 || !isWordByte(rest[len(k)+3])) {
			return i + len(k) + 3
		}
		return -1
	}
	for _, suf := range inflections {
		n := len(key) + len(suf)
		if strings.HasPrefix(rest[len(key):], suf) && (len(rest) == n || !isWordByte(rest[n])) {
			return i + n
		}
	}
	return -1
}

// tokens: CJK unigrams and bigrams, English stemmed words without stop words.
func (ix *index) tokens(s string) []string {
	return ix.tokenize(ix.normalize(s))
}

// cjkSegmenter, when set, replaces the unigrams and bigrams of each run of
// Han characters by its result. Nil in the product; set only by the
// measurement in gse_compare_test.go (build tag gse).
var cjkSegmenter func(han string) []string

// tokenize splits s, normalised and aliased, into tokens.
func (ix *index) tokenize(s string) []string {
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		if cjkSegmenter != nil && len(han) > 0 {
			out = append(out, cjkSegmenter(string(han))...)
			han = han[:0]
			return
		}
		for i, r := range han {
			if !stopHan[r] {
				out = append(out, string(r))
			}
			if i+1 < len(han) {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			w := string(word)
			if !isStopWord(w) {
				out = append(out, nlu.Stem(w))
			}
			word = word[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'':
			flushHan()
			if r != '\'' {
				word = append(word, r)
			}
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// stopWords are nlu's and these, which say nothing of a topic either.
var moreStopWords = map[string]bool{
	"who": true, "which": true, "where": true, "why": true, "when": true, "than": true, "then": true, "time": true, "tell": true,
	"like": true, "know": true, "want": true, "need": true, "go": true, "going": true, "yesterday": true, "today": true, "tomorrow": true,
}

func isStopWord(w string) bool { return nlu.IsStopWord(w) || moreStopWords[w] }

// Characters too common to mean anything alone (they still form bigrams).
var stopHan = map[rune]bool{'的': true, '了': true, '吗': true, '呢': true, '吧': true, '啊': true, '我': true, '是': true,
	'会': true, '要': true, '有': true, '不': true, '在': true, '么': true, '怎': true, '什': true, '个': true, '你': true, '他': true,
	'她': true, '们': true, '这': true, '那': true, '就': true, '都': true, '也': true, '还': true, '能': true, '可': true, '以': true,
	'被': true, '把': true, '给': true, '和': true, '与': true, '对': true, '说': true, '呀': true, '嘛': true, '该': true}

// scored is a topic with its score and the share of the question it covers.
type scored struct {
	topic    int
	score    float64
	coverage float64
}

// scratch holds rank's per-document sums between calls (the nearest-
// phrasing index has thousands of documents).
var scratch = sync.Pool{New: func() any { return new([]float64) }}

// rank scores every topic for a question, best first.
func (ix *index) rank(q []string) []scored {
	if len(q) == 0 {
		return nil
	}
	buf := scratch.Get().(*[]float64)
	defer scratch.Put(buf)
	need := len(ix.docs) + 2*len(ix.whole)
	if cap(*buf) < need {
		*buf = make([]float64, need)
	}
	all0 := (*buf)[:need]
	clear(all0)
	docScore, topScore, known := all0[:len(ix.docs)], all0[len(ix.docs):len(ix.docs)+len(ix.whole)], all0[len(ix.docs)+len(ix.whole):]
	var maxDoc, maxTop, all float64
	for _, tok := range q {
		t, ok := ix.terms[tok]
		idfD, idfT := ix.idfD(t, ok), ix.idfT(t, ok)
		// The most a question can score: each of its tokens at full weight.
		maxDoc += idfD * (bm25K1 + 1)
		maxTop += idfT * (bm25K1 + 1)
		all += idfD
		for _, p := range ix.post[t.startD:t.endD] {
			docScore[p.doc] += idfD * p.factor
		}
		for _, p := range ix.postWhole[t.startT:t.endT] {
			topScore[p.doc] += idfT * p.factor
			known[p.doc] += idfD
		}
	}
	best := make([]float64, len(ix.topics))
	for i, d := range ix.docs {
		if docScore[i] > best[d.topic] {
			best[d.topic] = docScore[i]
		}
	}
	out := make([]scored, len(ix.topics))
	for ti := range ix.topics {
		s := (1-topicShare)*best[ti]/maxDoc + topicShare*topScore[ti]/maxTop
		out[ti] = scored{topic: ti, score: s, coverage: known[ti] / all}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// functionChars make a bigram a piece of grammar ("怎么", "么样", "不上",
// "期几"), not a word of the domain.
const functionChars = "怎么样办几吗呢吧啊哪谁什那这个些了的会"

func isHanUnigram(tok string) bool {
	rs := []rune(tok)
	return len(rs) == 1 && unicode.Is(unicode.Han, rs[0])
}

// domain is the weight (idf) of the question's tokens that are words of the
// domain (see index.vocab).
func (ix *index) domain(q []string) float64 {
	var w float64
	seen := map[string]bool{}
	for _, t := range q {
		if ix.vocab[t] && !seen[t] {
			seen[t] = true
			term, ok := ix.terms[t]
			w += ix.idfD(term, ok)
		}
	}
	return w
}

// platformNames are the names (after aliases) that make a question about
// one platform's own page.
var platformNames = []struct{ topic, name string }{
	{"platform-weilidai", "微粒贷"}, {"platform-alipay", "借呗"}, {"platform-alipay", "花呗"}, {"platform-mybank", "网商贷"},
}

// preferNamedPlatform: when the best topic is a platform's page but the
// question names one other platform (and no second one), that platform's
// page goes first: "借呗的客服电话" must not get the Weilidai page because
// it shares more words with one of its phrasings.
func (ix *index) preferNamedPlatform(s string, ranked []scored) {
	if len(ranked) == 0 || !strings.HasPrefix(ix.topics[ranked[0].topic].ID, "platform-") {
		return
	}
	named := ""
	for _, p := range platformNames {
		if strings.Contains(s, p.name) {
			if named != "" && named != p.topic {
				return // several platforms
			}
			named = p.topic
		}
	}
	if named == "" || ix.topics[ranked[0].topic].ID == named {
		return
	}
	for i, r := range ranked {
		if ix.topics[r.topic].ID == named {
			copy(ranked[1:i+1], ranked[:i])
			ranked[0] = r
			return
		}
	}
}
