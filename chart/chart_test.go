package chart

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestSeriesEndsAtZeroAfterTheLastMonth(t *testing.T) {
	v, err := series(3500000, 210000, 17)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 18 || v[0] != 35000 || v[1] != 32900 || v[16] != 1400 || v[17] != 0 {
		t.Errorf("series = %v", v)
	}
	for i, x := range v {
		if x < 0 {
			t.Errorf("month %d negative: %v", i, x)
		}
	}
	if v, _ := series(100000000, 1000, 1429); len(v) != maxMonths+1 {
		t.Errorf("capped at %d months: got %d points", maxMonths, len(v))
	}
	for _, m := range []int64{0, -5} {
		if _, err := series(100000, m, 10); err == nil {
			t.Errorf("monthly %d: want an error, not a hang", m)
		}
	}
}

func TestBalanceIsAPNG(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Labels
	}{
		{"en", Labels{"Remaining balance (yuan)", "Month", "Remaining (yuan)"}},
		{"zh", Labels{"剩余欠款（元）", "月份", "剩余欠款（元）"}},
	} {
		if tc.name == "zh" && !HasCJKFont() {
			t.Log("no CJK font installed: Chinese labels not checked")
			continue
		}
		b, err := Balance(3500000, 210000, 17, tc.l)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if r := img.Bounds(); r.Dx() != 800 || r.Dy() != 500 {
			t.Errorf("%s: size %v", tc.name, r)
		}
		if dir := os.Getenv("CHART_OUT"); dir != "" {
			os.WriteFile(dir+"/chart-"+tc.name+".png", b, 0o644)
		}
	}
}

func BenchmarkBalance(b *testing.B) {
	HasCJKFont()
	for i := 0; i < b.N; i++ {
		if _, err := Balance(3500000, 210000, 17, Labels{"剩余欠款（元）", "月份", "剩余欠款（元）"}); err != nil {
			b.Fatal(err)
		}
	}
}
