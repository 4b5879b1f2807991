package faq

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
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

// TestEvaluationSet: the questions of testdata/eval*.tsv were written apart
// from the topics' phrasings; top-1 accuracy in scope must reach 95 %,
// out-of-scope rejection 90 %, and the crisis check must catch every crisis
// line and no other.
func TestEvaluationSet(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var in, inOK, out, outOK, crisis, crisisOK, falseCrisis int
	for _, c := range readEval(t) {
		r := kb.Answer(c.q)
		got := ""
		if r.Topic != nil {
			got = r.Topic.ID
		}
		switch {
		case c.want == "crisis-support":
			crisis++
			if IsCrisis(c.q) {
				crisisOK++
			} else {
				t.Logf("crisis missed: %q", c.q)
			}
		case c.want == "-":
			out++
			if got == "" {
				outOK++
			} else {
				t.Logf("out of scope answered %s (%.2f): %q", got, r.Score, c.q)
			}
			if IsCrisis(c.q) {
				falseCrisis++
				t.Logf("crisis on ordinary text: %q", c.q)
			}
		default:
			in++
			if got == c.want {
				inOK++
			} else {
				t.Logf("want %s, got %q (%.2f): %q", c.want, got, r.Score, c.q)
			}
			if IsCrisis(c.q) {
				falseCrisis++
				t.Logf("crisis on ordinary text: %q", c.q)
			}
		}
	}
	accIn := float64(inOK) / float64(max(in, 1))
	accOut := float64(outOK) / float64(max(out, 1))
	t.Logf("in scope: %d/%d = %.1f%%; out of scope rejected: %d/%d = %.1f%%; crisis caught: %d/%d; false crisis: %d",
		inOK, in, 100*accIn, outOK, out, 100*accOut, crisisOK, crisis, falseCrisis)
	if in < 200 || out < 30 {
		t.Errorf("the set is too small: %d in scope, %d out of scope (want 200 and 30)", in, out)
	}
	if accIn < 0.95 {
		t.Errorf("top-1 accuracy in scope %.1f%% < 95%%", 100*accIn)
	}
	if accOut < 0.90 {
		t.Errorf("out of scope rejected %.1f%% < 90%%", 100*accOut)
	}
	if crisisOK != crisis || falseCrisis > 0 {
		t.Errorf("crisis: caught %d of %d, %d false", crisisOK, crisis, falseCrisis)
	}
}

func BenchmarkAnswer(b *testing.B) {
	kb, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	cases := readEval(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		kb.Answer(cases[i%len(cases)].q)
	}
}

func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Load(); err != nil {
			b.Fatal(err)
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
	for q, want := range map[string]string{"借呗的客服电话是多少": "platform-alipay", "信用卡逾期了能申请分期吗": "credit-card", "微粒贷逾期会被起诉吗": "sued-risk"} {
		if r := kb.Answer(q); r.Topic == nil || r.Topic.ID != want {
			t.Errorf("%q: got %v, want %s", q, r.Topic, want)
		}
	}
}
