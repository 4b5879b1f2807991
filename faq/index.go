package faq

import (
	"math"
	"sort"
	"strings"
	"unicode"

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
	tf    map[string]float64
	len   float64
}

type index struct {
	topics  []*Topic
	docs    []doc
	whole   []doc // one per topic: all its text together
	df      map[string]int
	dfWhole map[string]int
	avgLen  float64
	avgTop  float64
	aliasKs []string
	// vocab holds the tokens of every topic's title and keywords (Chinese
	// bigrams and English words, not single characters): the words that
	// say a question is about this domain at all.
	vocab map[string]bool
}

func buildIndex(topics []*Topic) *index {
	ix := &index{topics: topics, df: map[string]int{}, dfWhole: map[string]int{}, vocab: map[string]bool{}}
	for k := range aliases {
		ix.aliasKs = append(ix.aliasKs, k)
	}
	sort.Slice(ix.aliasKs, func(i, j int) bool { return len(ix.aliasKs[i]) > len(ix.aliasKs[j]) })
	var total, totalTop float64
	for ti, t := range topics {
		if t.ID == "crisis-support" {
			// Recognised by IsCrisis, before and apart from ranking.
			ix.whole = append(ix.whole, doc{topic: ti, tf: map[string]float64{}})
			continue
		}
		var texts []string
		for _, l := range []string{ZhHans, En} {
			texts = append(texts, t.Title[l])
			texts = append(texts, t.Questions[l]...)
		}
		kw := strings.Join(append(append([]string{}, t.Keywords[ZhHans]...), t.Keywords[En]...), " ")
		// The keywords count three times: they are the words chosen to tell
		// this topic from its neighbours.
		texts = append(texts, kw, kw, kw)
		for _, tok := range ix.tokens(kw + " " + t.Title[ZhHans] + " " + t.Title[En]) {
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
				ix.df[tok]++
			}
			ix.docs = append(ix.docs, d)
			total += d.len
			allLen += d.len
		}
		for tok := range all {
			ix.dfWhole[tok]++
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
	return ix
}

// normalize folds width, script and case, and rewrites aliases.
func (ix *index) normalize(s string) string {
	s = zhtext.Normalize(s)
	for _, k := range ix.aliasKs {
		if strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, " "+aliases[k]+" ")
		}
	}
	return s
}

// tokens: CJK unigrams and bigrams, English stemmed words without stop words.
func (ix *index) tokens(s string) []string {
	s = ix.normalize(s)
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
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
			if !stopWords[w] {
				out = append(out, stem(w))
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

// stem strips the common English endings (a light Porter step 1).
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
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) { // stopp→stop
		w = w[:n-1]
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1] // sue/sued → su, harass/harassed → harass
	}
	return w
}

var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "me": true, "my": true, "is": true, "am": true, "are": true, "was": true, "be": true,
	"to": true, "of": true, "and": true, "or": true, "in": true, "on": true, "for": true, "it": true, "this": true, "that": true,
	"do": true, "does": true, "did": true, "can": true, "could": true, "will": true, "would": true, "should": true, "what": true,
	"how": true, "if": true, "they": true, "them": true, "their": true, "you": true, "your": true, "we": true, "with": true, "at": true,
	"about": true, "so": true, "have": true, "has": true, "had": true, "get": true, "got": true, "from": true, "by": true, "any": true,
	"there": true, "now": true, "just": true, "really": true, "please": true, "he": true, "she": true, "her": true, "his": true,
	"who": true, "which": true, "where": true, "why": true, "when": true, "than": true, "then": true, "time": true, "tell": true,
	"like": true, "know": true, "want": true, "need": true, "go": true, "going": true, "yesterday": true, "today": true, "tomorrow": true,
}

// Characters too common to mean anything alone (they still form bigrams).
var stopHan = map[rune]bool{'的': true, '了': true, '吗': true, '呢': true, '吧': true, '啊': true, '我': true, '是': true,
	'会': true, '要': true, '有': true, '不': true, '在': true, '么': true, '怎': true, '什': true, '个': true, '你': true, '他': true,
	'她': true, '们': true, '这': true, '那': true, '就': true, '都': true, '也': true, '还': true, '能': true, '可': true, '以': true,
	'被': true, '把': true, '给': true, '和': true, '与': true, '对': true, '说': true, '呀': true, '嘛': true, '该': true}

func (ix *index) idf(df map[string]int, n int, tok string) float64 {
	d := float64(df[tok])
	return math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
}

func bm25(d doc, q []string, idf func(string) float64, avg float64) float64 {
	var s float64
	for _, tok := range q {
		tf := d.tf[tok]
		if tf == 0 {
			continue
		}
		s += idf(tok) * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*d.len/avg))
	}
	return s
}

// scored is a topic with its score and the share of the question it covers.
type scored struct {
	topic    int
	score    float64
	coverage float64
}

// rank scores every topic for a question, best first.
func (ix *index) rank(q []string) []scored {
	if len(q) == 0 {
		return nil
	}
	idfDoc := func(t string) float64 { return ix.idf(ix.df, len(ix.docs), t) }
	idfTop := func(t string) float64 { return ix.idf(ix.dfWhole, len(ix.whole), t) }
	best := make([]float64, len(ix.topics))
	for _, d := range ix.docs {
		if s := bm25(d, q, idfDoc, ix.avgLen); s > best[d.topic] {
			best[d.topic] = s
		}
	}
	// The most a question can score: each of its tokens at full weight.
	var maxDoc, maxTop float64
	for _, t := range q {
		maxDoc += idfDoc(t) * (bm25K1 + 1)
		maxTop += idfTop(t) * (bm25K1 + 1)
	}
	out := make([]scored, 0, len(ix.topics))
	for ti := range ix.topics {
		w := ix.whole[ti]
		top := bm25(w, q, idfTop, ix.avgTop)
		s := (1-topicShare)*best[ti]/maxDoc + topicShare*top/maxTop
		var known, all float64
		for _, t := range q {
			all += idfDoc(t)
			if w.tf[t] > 0 {
				known += idfDoc(t)
			}
		}
		out = append(out, scored{topic: ti, score: s, coverage: known / all})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// functionChars make a bigram a piece of grammar ("怎么", "么样", "不上",
// "期几"), not a word of the domain.
const functionChars = "怎么样办几吗呢吧啊哪谁什那这个些了的"

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
			w += ix.idf(ix.df, len(ix.docs), t)
		}
	}
	return w
}
