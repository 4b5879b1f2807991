package faq

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"loanbot/faq/internal/corpus"
	"loanbot/faq/nlu"
	"loanbot/zhtext"
)

// The committed models were trained on the data in the tree: a change to
// data/*.yaml, train/*.tsv or the features without `go generate ./faq`
// fails here.
func TestModelsAreCurrent(t *testing.T) {
	want, err := corpus.Digest(os.DirFS("."), nlu.FeatureVersion)
	if err != nil {
		t.Fatal(err)
	}
	m := trained()
	if m.topics == nil || m.crisis == nil {
		t.Fatal("the embedded models cannot be read")
	}
	for name, got := range map[string]string{"topics.model": m.topics.Source, "crisis.model": m.crisis.Source} {
		if got != want {
			t.Errorf("%s was trained on data %s, the tree has %s: run go generate ./faq", name, got, want)
		}
	}
}

// The training data meets the floor for every topic: 60
// phrasings, of which 35 Simplified, 8 Traditional, 12 English and 5
// pinyin; 400 out of scope; 200 crisis and 200 hard negatives.
func TestTrainingDataCoversEveryTopic(t *testing.T) {
	lines, topics, err := corpus.Read(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	type count struct{ all, hans, hant, en, pinyin int }
	n := map[string]*count{}
	for _, l := range lines {
		if strings.HasPrefix(l.File, "data/") {
			continue // the topics' own phrasings are not the training corpus
		}
		c := n[l.Label]
		if c == nil {
			c = &count{}
			n[l.Label] = c
		}
		c.all++
		switch script(l.Text) {
		case "hans":
			c.hans++
		case "hant":
			c.hant++
		case "pinyin":
			c.pinyin++
		default:
			c.en++
		}
	}
	for _, id := range topics {
		c := n[id]
		if c == nil || c.all < 60 || c.hans < 35 || c.hant < 8 || c.en < 12 || c.pinyin < 5 {
			t.Errorf("%s: %+v, want at least 60 (35 zh-Hans, 8 zh-Hant, 12 en, 5 pinyin)", id, c)
		}
	}
	for label, floor := range map[string]int{corpus.OutOfScope: 400, corpus.Crisis: 200, corpus.Calm: 200} {
		if n[label] == nil || n[label].all < floor {
			t.Errorf("%s: %v lines, want %d", label, n[label], floor)
		}
	}
}

// script tells a line's writing: Han (Traditional or Simplified), pinyin,
// or English.
func script(s string) string {
	han := false
	for _, r := range s {
		if r >= 0x3400 && r <= 0x9FFF {
			han = true
			break
		}
	}
	switch {
	case han && zhtext.IsTraditional(s):
		return "hant"
	case han:
		return "hans"
	case LooksLikePinyin(s):
		return "pinyin"
	}
	return "en"
}

// The crisis rules: despair said plainly or indirectly, in any script,
// gets the first tier; worry with a hint of it, the support line;
// exaggerations, a collector's threats and someone else's death neither
// tier.
func TestCrisisLevels(t *testing.T) {
	cases := map[Level][]string{
		Likely: {
			"欠了四十多万，真的不想活了", "我把遗书写好了，对不起爸妈", "下辈子再还吧，这辈子还不起了",
			"天台的风好大，五个平台都逾期了", "攒了一瓶安眠药，够不够", "我走了以后债是不是就不用家里还了",
			"唔想再做人，卡數還唔到", "頂樓好高，我已經站咗好耐", "I'm going to kill myself, I owe 200k",
			"my family would be better off without me and the debt", "qian tai duo le, bu xiang huo le",
			"xiabeizi zai huan ba", "yi liao bai liao", "我爸去世了，我也想去找他", "催收叫我去跳楼 我真的不想活了", "我妈去世了，我也不想活了",
			"my mom passed away last year and i really want to die", "they told me to pay i want to kill myself", "我就是家里的累赘，没有我他们会过得更好",
		},
		Possible: {
			"走投无路了，逾期了会被起诉吗", "li xi shang diao le, he fa ma", "真的绝望了，征信黑了还能恢复吗", "I feel hopeless, will they sue me?",
			"我爸去世了，我好累，撑不下去了",
		},
		Calm: {
			"急死了", "烦死了，催收天天打电话", "利息要命，这合法吗", "死活不同意分期怎么办", "笑死我了",
			"催收叫我去跳楼，这算威胁吗", "借款人去世了债务谁还", "下辈子再也不借网贷了，先还哪个",
			"this debt is killing me, can they charge that much", "I'm dying to know if they can sue me",
			"my dad passed away, do I inherit his loans", "今天台北会下雨吗", "最后一期终于还完了",
			"我特别了解网贷，问一下逾期怎么协商", "征信分数跳了，结束分期怎么办", "the payment will jump at the end of the month, can they do that?",
			"the collector told me to go kill myself, is that legal",
		},
	}
	for want, qs := range cases {
		for _, q := range qs {
			if got := CrisisLevel(q); got != want {
				t.Errorf("CrisisLevel(%q) = %d, want %d", q, got, want)
			}
		}
	}
}

func TestCrisisRulesParse(t *testing.T) {
	r, err := parseRules(crisisYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.likelyPinyin) < 100 {
		t.Errorf("%d pinyin phrases, want the Chinese likely phrases in pinyin", len(r.likelyPinyin))
	}
	if _, err := parseRules([]byte("likely: [\"\"]\nexaggerations: [x]")); err == nil {
		t.Error("an empty phrase is accepted")
	}
}

// The models' memory, measured (logged; the README keeps the figure).
func TestModelMemoryIsLogged(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	modelsOnce = sync.Once{}
	m := trained()
	kb, err := Load()
	if err != nil || m.topics == nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("heap for the knowledge base, the models and the nearest-phrasing index: %.1f MB", float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	runtime.KeepAlive(kb)
	runtime.KeepAlive(m)
}

// No evaluation question is trained on: not in the training files, not
// among the topics' own phrasings.
func TestNoEvaluationQuestionIsTrainingData(t *testing.T) {
	lines, _, err := corpus.Read(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	train := map[string]string{}
	for _, l := range lines {
		train[strings.TrimSpace(l.Text)] = l.File
	}
	for _, c := range readEval(t) {
		if f, ok := train[c.q]; ok {
			t.Errorf("%q is in %s and in an evaluation set", c.q, f)
			continue
		}
		// Nor inside a longer training line (a question with words around it).
		if utf8.RuneCountInString(c.q) < 6 {
			continue
		}
		for text, f := range train {
			if strings.Contains(text, c.q) {
				t.Errorf("%q is inside %q (%s) and in an evaluation set", c.q, text, f)
			}
		}
	}
}

// choose: the best topic when probable enough and ahead of out of scope;
// the closest three when not probable enough, or when out of scope wins
// over a question in the domain's words with a topic close behind; nothing
// when out of scope wins otherwise.
func TestChooseOffersTheClosestTopicsWhenOutOfScopeWinsInTheDomain(t *testing.T) {
	a, b, c, d := &Topic{ID: "a"}, &Topic{ID: "b"}, &Topic{ID: "c"}, &Topic{ID: "d"}
	ranked := func(ps ...float64) []cand {
		var out []cand
		for i, t := range []*Topic{a, b, c, d}[:len(ps)] {
			out = append(out, cand{t, ps[i]})
		}
		return out
	}
	ids := func(r Result) string {
		s := ""
		if r.Topic != nil {
			s = r.Topic.ID + ":"
		}
		for _, t := range r.Suggestions {
			s += t.ID
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		oos    float64
		ranked []cand
		domain bool
		want   string
	}{
		{"probable topic", 0.1, ranked(0.05, 0.8, 0.05), true, "b:"},
		{"unsure: closest three", 0.1, ranked(0.2, 0.25, 0.15, 0.05), false, "bac"},
		{"out of scope wins, domain words, topic close", 0.6, ranked(0.2, 0.1, 0.05, 0.05), true, "abc"},
		{"out of scope wins, no domain words", 0.6, ranked(0.2, 0.1, 0.05, 0.05), false, ""},
		{"out of scope wins, nothing close", 0.8, ranked(0.1, 0.05, 0.03, 0.02), true, ""},
		{"out of scope ahead of a probable topic", 0.5, ranked(0.4, 0.05, 0.05), true, "abc"},
		{"no topics", 1, nil, true, ""},
	} {
		if got := ids(choose(tc.oos, tc.ranked, tc.domain)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
