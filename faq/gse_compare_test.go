//go:build gse

// A measurement, not part of the product: Chinese tokenised by the current
// character unigrams+bigrams against github.com/go-ego/gse words, and both.
//
//	go test -tags gse -count=1 -run Gse -v ./faq/
//
// Each variant sets cjkSegmenter (index.go) for the time of its run, builds
// the index anew and answers every question of testdata/eval*.tsv.
package faq

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-ego/gse"

	"loanbot/i18n"
	"loanbot/zhtext"
)

// bigrams is what tokenize does without a segmenter (checked below).
func bigrams(han string) []string {
	var out []string
	rs := []rune(han)
	for i, r := range rs {
		if !stopHan[r] {
			out = append(out, string(r))
		}
		if i+1 < len(rs) {
			out = append(out, string(rs[i:i+2]))
		}
	}
	return out
}

// gseWords cuts a run of Han characters into words, dropping the single
// characters that tokenize drops (stopHan).
func gseWords(seg *gse.Segmenter, search bool) func(string) []string {
	return func(han string) []string {
		var ws []string
		if search {
			ws = seg.CutSearch(han, true)
		} else {
			ws = seg.Cut(han, true)
		}
		out := ws[:0]
		for _, w := range ws {
			rs := []rune(w)
			if len(rs) == 0 || len(rs) == 1 && stopHan[rs[0]] {
				continue
			}
			out = append(out, w)
		}
		return out
	}
}

// both: the gse words, then the unigrams and bigrams.
func both(words func(string) []string) func(string) []string {
	return func(han string) []string { return append(words(han), bigrams(han)...) }
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// loadDict loads a gse dictionary and logs how long it took and the heap it holds.
func loadDict(t *testing.T, name string, load func(*gse.Segmenter) error) *gse.Segmenter {
	seg := new(gse.Segmenter)
	seg.SkipLog = true
	h0 := heapAlloc()
	start := time.Now()
	if err := load(seg); err != nil {
		t.Fatalf("gse %s: %v", name, err)
	}
	d := time.Since(start)
	h1 := heapAlloc()
	t.Logf("gse dictionary %-22s load %8.1f ms, heap held %6.1f MiB, %d tokens",
		name, float64(d.Microseconds())/1000, float64(int64(h1)-int64(h0))/(1<<20), seg.Dict.NumTokens())
	return seg
}

// kbDict is a small dictionary: the words of the full dictionary that occur
// in the knowledge base's own Chinese text (titles, phrasings, keywords;
// never the evaluation set), with their frequencies: what a build step
// could write next to the data.
func kbDict(t *testing.T, full *gse.Segmenter) string {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var lines []string
	for _, tp := range kb.topics {
		texts := append([]string{tp.Title[i18n.ZhHans]}, tp.Questions[i18n.ZhHans]...)
		texts = append(texts, tp.Keywords[i18n.ZhHans]...)
		for _, s := range texts {
			s = kb.idx.normalize(s)
			for _, run := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
				for _, w := range full.CutAll(run) {
					if seen[w] {
						continue
					}
					seen[w] = true
					if f, pos, ok := full.Dict.Find([]byte(w)); ok && f > 0 {
						lines = append(lines, fmt.Sprintf("%s %g %s", w, f, pos))
					}
				}
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

type outcome struct {
	file        string
	want, got   string
	top         string // best topic whatever the confidence
	conf        float64
	outOfScope  bool
	crisisCheck bool
}

// runEval answers every question with the segmenter set; answerAt is
// lowered to 0 to also see the best topic below the threshold.
func runEval(t *testing.T, seg func(string) []string) (res []outcome, perQ time.Duration, build time.Duration) {
	cjkSegmenter = seg
	defer func() { cjkSegmenter = nil }()
	start := time.Now()
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	build = time.Since(start)
	files, _ := filepath.Glob("testdata/eval*.tsv")
	var all []evalCase
	for _, f := range files {
		for _, c := range readEvalFile(t, f) {
			all = append(all, c)
			if c.want == "crisis-support" {
				continue
			}
			o := outcome{file: filepath.Base(f), want: c.want, outOfScope: c.want == "-"}
			if r := kb.Answer(c.q); r.Topic != nil {
				o.got = r.Topic.ID
			}
			saved := answerAt
			answerAt = 0
			if r := kb.Answer(c.q); r.Topic != nil {
				o.top, o.conf = r.Topic.ID, r.Score
			}
			answerAt = saved
			res = append(res, o)
		}
	}
	// Per-question time, as BenchmarkAnswer: every question, several passes.
	const passes = 20
	start = time.Now()
	for range passes {
		for _, c := range all {
			kb.Answer(c.q)
		}
	}
	perQ = time.Since(start) / time.Duration(passes*len(all))
	return res, perQ, build
}

// score: in scope correct per file and together, out of scope rejected, at
// the product threshold (answerAt) or at another.
func score(res []outcome, at float64) (perFile map[string][2]int, in, inOK, out, outOK int) {
	perFile = map[string][2]int{}
	for _, o := range res {
		got := ""
		if o.conf >= at {
			got = o.top
		}
		if at < 0 { // the product's own answer
			got = o.got
		}
		if o.outOfScope {
			out++
			if got == "" {
				outOK++
			}
			continue
		}
		in++
		pf := perFile[o.file]
		pf[0]++
		if got == o.want {
			inOK++
			pf[1]++
		}
		perFile[o.file] = pf
	}
	return
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

func TestGseCompare(t *testing.T) {
	if cjkSegmenter != nil {
		t.Fatal("cjkSegmenter must be nil by default")
	}
	// The hook with the bigram function must give the very tokens of the
	// product's tokenizer.
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range readEval(t) {
		s, _ := blankOffTopic(zhtext.Normalize(c.q))
		s = kb.idx.alias(s)
		want := strings.Join(kb.idx.tokenize(s), "|")
		cjkSegmenter = bigrams
		got := strings.Join(kb.idx.tokenize(s), "|")
		cjkSegmenter = nil
		if got != want {
			t.Fatalf("bigrams through the hook differ for %q:\n%s\n%s", c.q, got, want)
		}
	}

	zhS := loadDict(t, "embedded zh_s", func(s *gse.Segmenter) error { return s.LoadDictEmbed("zh_s") })
	zhST := loadDict(t, "embedded zh (s+t)", func(s *gse.Segmenter) error { return s.LoadDictEmbed("zh") })
	small := kbDict(t, zhS)
	smallSeg := loadDict(t, "KB words of zh_s", func(s *gse.Segmenter) error { return s.LoadDictStr(small) })
	t.Logf("KB dictionary: %d words, %d bytes", strings.Count(small, "\n")+1, len(small))
	for _, q := range []string{"微粒贷逾期两个月了会不会被起诉啊", "催收打电话给我通讯录里的联系人怎么办", "网商贷欠八千多要欠多少钱才会起诉"} {
		t.Logf("cut %s: zh_s %v | search %v | KB %v", q, zhS.Cut(q, true), zhS.CutSearch(q, true), smallSeg.Cut(q, true))
	}

	variants := []struct {
		name string
		seg  func(string) []string
	}{
		{"(a) bigrams (product)", nil},
		{"(b) gse zh_s Cut", gseWords(zhS, false)},
		{"(b) gse zh_s CutSearch", gseWords(zhS, true)},
		{"(b) gse zh(s+t) Cut", gseWords(zhST, false)},
		{"(b) gse KB-dict Cut", gseWords(smallSeg, false)},
		{"(c) zh_s Cut + bigrams", both(gseWords(zhS, false))},
		{"(c) zh_s CutSearch + bigrams", both(gseWords(zhS, true))},
		{"(c) zh(s+t) Cut + bigrams", both(gseWords(zhST, false))},
		{"(c) KB-dict Cut + bigrams", both(gseWords(smallSeg, false))},
	}
	var base string
	for _, v := range variants {
		res, perQ, build := runEval(t, v.seg)
		perFile, in, inOK, out, outOK := score(res, -1)
		var files []string
		for f := range perFile {
			files = append(files, f)
		}
		sort.Strings(files)
		var pf []string
		for _, f := range files {
			pf = append(pf, fmt.Sprintf("%s %d/%d=%.1f%%", strings.TrimSuffix(f, ".tsv"), perFile[f][1], perFile[f][0], pct(perFile[f][1], perFile[f][0])))
		}
		// The thresholds were tuned for bigrams: the best threshold for this
		// variant that keeps out-of-scope rejection at 100 %, then at 90 %.
		best := func(minOut float64) string {
			bestAt, bestOK := -1.0, -1
			for at := 0.05; at <= 0.80; at += 0.01 {
				_, _, ok, _, oOK := score(res, at)
				if pct(oOK, out) >= minOut && ok > bestOK {
					bestAt, bestOK = at, ok
				}
			}
			_, _, _, _, oOK := score(res, bestAt)
			return fmt.Sprintf("at %.2f: %d/%d=%.1f%% OOS %d/%d", bestAt, bestOK, in, pct(bestOK, in), oOK, out)
		}
		line := fmt.Sprintf("%-30s in scope %d/%d=%.1f%% [%s]; OOS %d/%d=%.1f%%; %.1f µs/question; index build %.1f ms; retuned (OOS 100%%) %s; (OOS≥90%%) %s",
			v.name, inOK, in, pct(inOK, in), strings.Join(pf, ", "), outOK, out, pct(outOK, out),
			float64(perQ.Nanoseconds())/1000, float64(build.Microseconds())/1000, best(100), best(90))
		t.Log(line)
		if v.seg == nil {
			base = line
		}
	}
	if base == "" {
		t.Fatal("no baseline")
	}
}
