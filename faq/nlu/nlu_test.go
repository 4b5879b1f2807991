package nlu

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// Chinese, toneless pinyin and a homophone typo of the same question meet
// on pinyin features.
func TestPinyinFeaturesAreShared(t *testing.T) {
	han := map[string]bool{}
	for _, f := range Features("逾期会被起诉吗") {
		han[f] = true
	}
	for _, s := range []string{"yuqi hui bei qisu ma", "yu qi hui bei qi su ma", "预期会被起诉吗"} {
		shared := 0
		for _, f := range Features(s) {
			if strings.HasPrefix(f, "p:") && han[f] {
				shared++
			}
		}
		if shared < 3 {
			t.Errorf("%q shares %d pinyin pairs with 逾期会被起诉吗: %v", s, shared, Features(s))
		}
	}
	for _, f := range Features("can they sue me for the loan") {
		if strings.HasPrefix(f, "p:") || strings.HasPrefix(f, "s:") {
			t.Errorf("English read as pinyin: %s", f)
		}
	}
}

func TestSegmentPinyin(t *testing.T) {
	for in, want := range map[string]string{"weilidai": "wei li dai", "zhengxin": "zheng xin", "xiabeizi": "xia bei zi"} {
		got, ok := segmentPinyin(in)
		if !ok || strings.Join(got, " ") != want {
			t.Errorf("segmentPinyin(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	if _, ok := segmentPinyin("court"); ok {
		t.Error("court is not pinyin")
	}
	if got := PinyinVariants("一了百了"); len(got) < 2 || !contains(got, "yi liao bai liao") {
		t.Errorf("PinyinVariants(一了百了) = %v", got)
	}
	if got := Pinyin("还款"); got != "huan kuan" {
		t.Errorf("Pinyin(还款) = %q", got)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// A model learns a separable toy task, and survives writing and reading
// (16-bit weights) with the same predictions to three decimals.
func TestTrainWriteRead(t *testing.T) {
	ex := []Example{
		{Text: "会被起诉吗", Class: 0}, {Text: "起诉我怎么办", Class: 0}, {Text: "被起诉了", Class: 0},
		{Text: "征信会花吗", Class: 1}, {Text: "征信多久恢复", Class: 1}, {Text: "查征信", Class: 1},
	}
	m := Train([]string{"sued", "credit"}, ex, Options{Epochs: 30, L2: 1e-5, Rate: 0.5, MinDF: 1, Seed: 1})
	if p := m.Predict("平台起诉"); p[0] < 0.5 {
		t.Errorf("平台起诉: %v", p)
	}
	if p := m.Predict("征信报告"); p[1] < 0.5 {
		t.Errorf("征信报告: %v", p)
	}
	m.Source = "test"
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "test" || len(r.Classes) != 2 || r.NumFeatures() != m.NumFeatures() {
		t.Fatalf("read back %+v", r)
	}
	a, b := m.Predict("起诉征信"), r.Predict("起诉征信")
	if math.Abs(a[0]-b[0]) > 1e-3 {
		t.Errorf("predictions differ after the round trip: %v vs %v", a, b)
	}
	m.Temp = float32(math.NaN())
	buf.Reset()
	m.WriteTo(&buf)
	if _, err := Read(buf.Bytes()); err == nil {
		t.Error("a model with a NaN temperature is read")
	}
	if _, err := Read([]byte("not a model")); err == nil {
		t.Error("garbage read as a model")
	}
}

// A long word that almost splits into syllables is refused at once, not
// after exponential backtracking (this took minutes before).
func TestSegmentPinyinIsLinear(t *testing.T) {
	for _, w := range []string{strings.Repeat("an", 19) + "q", strings.Repeat("ne", 19) + "q", strings.Repeat("na", 19) + "q"} {
		if _, ok := segmentPinyin(w); ok {
			t.Errorf("%s split", w)
		}
	}
	Features(strings.Repeat(strings.Repeat("an", 19)+"q ", 100))
}
