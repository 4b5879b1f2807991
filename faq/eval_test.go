package faq

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type evalCase struct{ want, q string }

// readEval reads every testdata/eval*.tsv.
func readEval(t testing.TB) []evalCase {
	files, _ := filepath.Glob("testdata/eval*.tsv")
	if len(files) == 0 {
		t.Fatal("no testdata/eval*.tsv")
	}
	var out []evalCase
	for _, name := range files {
		out = append(out, readEvalFile(t, name)...)
	}
	return out
}

func readEvalFile(t testing.TB, name string) []evalCase {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []evalCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, q, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: no tab in %q", name, line)
		}
		out = append(out, evalCase{strings.TrimSpace(want), strings.TrimSpace(q)})
	}
	return out
}

// score is what the understanding does with an evaluation set.
type score struct {
	in, inOK, out, outOK int
	crisis, crisisShown  int // crisis lines, and those shown support (either tier)
	other, first, line   int // every other line, those given the first tier, those given the support line
	misses               []string
}

func scoreSet(kb *KB, cases []evalCase) score {
	var s score
	for _, c := range cases {
		level := CrisisLevel(c.q)
		if c.want == "crisis-support" {
			s.crisis++
			if level > Calm {
				s.crisisShown++
			} else {
				s.misses = append(s.misses, fmt.Sprintf("crisis missed: %q", c.q))
			}
			continue
		}
		s.other++
		switch level {
		case Likely:
			s.first++
			s.misses = append(s.misses, fmt.Sprintf("first tier on %s: %q", c.want, c.q))
			continue // the support reply came first: no answer to score
		case Possible:
			s.line++
			s.misses = append(s.misses, fmt.Sprintf("support line on %s: %q", c.want, c.q))
		}
		if c.want == "calm" {
			continue // a hard negative: only the crisis check is scored
		}
		r := kb.Answer(c.q)
		got := ""
		if r.Topic != nil {
			got = r.Topic.ID
		}
		if c.want == "-" {
			s.out++
			if got == "" {
				s.outOK++
			} else {
				s.misses = append(s.misses, fmt.Sprintf("out of scope answered %s (%.2f): %q", got, r.Score, c.q))
			}
			continue
		}
		s.in++
		if got == c.want {
			s.inOK++
		} else {
			s.misses = append(s.misses, fmt.Sprintf("want %s, got %q (%.2f): %q", c.want, got, r.Score, c.q))
		}
	}
	return s
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

func (s score) String() string {
	return fmt.Sprintf("in scope %d/%d = %.1f%%; out of scope rejected %d/%d = %.1f%%; crisis shown support %d/%d = %.1f%%; "+
		"first tier on %d/%d other = %.1f%%; support line on %d/%d = %.1f%%",
		s.inOK, s.in, pct(s.inOK, s.in), s.outOK, s.out, pct(s.outOK, s.out), s.crisisShown, s.crisis, pct(s.crisisShown, s.crisis),
		s.first, s.other, pct(s.first, s.other), s.line, s.other, pct(s.line, s.other))
}

// TestEvaluationSet: the questions of testdata/eval*.tsv were written apart
// from the training data (see each file's header); on each set the goals
// of the understanding must hold: top-1 in scope >= 95 %, out of scope
// rejected >= 90 %, support shown to >= 98 % of crisis lines, the first
// tier on <= 1 % and the support line on <= 5 % of every other line.
func TestEvaluationSet(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/eval*.tsv")
	var all []evalCase
	for _, name := range files {
		cases := readEvalFile(t, name)
		all = append(all, cases...)
		s := scoreSet(kb, cases)
		for _, m := range s.misses {
			t.Logf("%s: %s", filepath.Base(name), m)
		}
		t.Logf("%s: %v", filepath.Base(name), s)
		checkGoals(t, filepath.Base(name), s)
	}
	t.Logf("all sets: %v", scoreSet(kb, all))
}

func checkGoals(t *testing.T, name string, s score) {
	t.Helper()
	if s.in > 0 && pct(s.inOK, s.in) < 95 {
		t.Errorf("%s: top-1 in scope %.1f%% < 95%%", name, pct(s.inOK, s.in))
	}
	if s.out > 0 && pct(s.outOK, s.out) < 90 {
		t.Errorf("%s: out of scope rejected %.1f%% < 90%%", name, pct(s.outOK, s.out))
	}
	if s.crisis > 0 && pct(s.crisisShown, s.crisis) < 98 {
		t.Errorf("%s: crisis shown support %.1f%% < 98%%", name, pct(s.crisisShown, s.crisis))
	}
	if pct(s.first, s.other) > 1 {
		t.Errorf("%s: first tier on %.1f%% of other lines > 1%%", name, pct(s.first, s.other))
	}
	if pct(s.line, s.other) > 5 {
		t.Errorf("%s: support line on %.1f%% of other lines > 5%%", name, pct(s.line, s.other))
	}
}

// BenchmarkAnswer is the whole understanding of a message as the chat
// does it: the crisis check, then the topic.
func BenchmarkAnswer(b *testing.B) {
	kb, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	cases := readEval(b)
	CrisisLevel("warm up") // the models and rules are read once, at the first message
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := cases[i%len(cases)].q
		if CrisisLevel(q) != Likely {
			kb.Answer(q)
		}
	}
}

// BenchmarkLoad is the start-up cost: the knowledge base, the two models
// and the nearest-phrasing index read from the embedded files.
func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		modelsOnce = sync.Once{}
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
		if trained().topics == nil {
			b.Fatal("no topic model")
		}
	}
}

// Questions that name this domain's platforms or people without its
// problem (no loan, no owing, no court …) are out of scope; the same
// platforms with a debt question are answered.
func TestPlatformWithoutDebtIsOutOfScope(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"怎么注册支付宝", "支付宝怎么转账", "信用卡积分怎么兑换", "公司拖欠我三个月工资了，去哪里投诉", "微信怎么发红包"} {
		if r := kb.Answer(q); r.Topic != nil {
			t.Errorf("%q answered with %s (%.2f)", q, r.Topic.ID, r.Score)
		}
	}
	for q, want := range map[string]string{"借呗的客服热线是多少": "platform-alipay", "信用卡逾期了能申请分期吗": "credit-card", "微粒贷逾期会被起诉吗": "sued-risk"} {
		if r := kb.Answer(q); r.Topic == nil || r.Topic.ID != want {
			t.Errorf("%q: got %v, want %s", q, r.Topic, want)
		}
	}
}
