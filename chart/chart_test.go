package chart

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	en = Labels{"Remaining balance", "Month", "Remaining (yuan)"}
	zh = Labels{"剩余欠款", "月份", "剩余欠款（元）"}
)

func TestSeries(t *testing.T) {
	// 35,000 yuan at 2,100 a month: 16 full months, the 17th pays 1,400.
	v := series(3500000, 210000, 60)
	if len(v) != 18 || v[0] != 35000 || v[1] != 32900 || v[16] != 1400 || v[17] != 0 {
		t.Errorf("series = %v", v)
	}
	for i, x := range v {
		if x < 0 {
			t.Errorf("month %d negative: %v", i, x)
		}
	}
	if w := series(3500000, 210000, 17); len(w) != 18 || w[17] != 0 {
		t.Errorf("months = 17: %v", w)
	}
	if w := series(3500000, 210000, 5); len(w) != 6 || w[5] != 24500 {
		t.Errorf("months = 5 caps the axis: %v", w)
	}
	// 1,000,000 yuan at 10 a month would take 100,000 months.
	for _, m := range []int{0, -1, 60, 61, 1429} {
		if w := series(100000000, 1000, m); len(w) != maxMonths+1 || w[maxMonths] <= 0 {
			t.Errorf("months = %d: got %d points, want %d", m, len(w), maxMonths+1)
		}
	}
	if w := series(1, 100, 10); len(w) != 2 || w[0] != 0.01 || w[1] != 0 {
		t.Errorf("1 fen: %v", w)
	}
	for _, m := range []int64{0, -5} {
		if w := series(100000, m, 10); w != nil {
			t.Errorf("monthly %d: %v", m, w)
		}
	}
}

func TestBalanceRejectsNonPositive(t *testing.T) {
	for _, c := range [][2]int64{{100000, 0}, {100000, -100}, {0, 100}, {-1, 100}} {
		if b, err := Balance(c[0], c[1], 12, en); err == nil {
			t.Errorf("Balance(%d, %d): %d bytes, want an error", c[0], c[1], len(b))
		}
	}
}

func TestBalanceIsAPNG(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Labels
	}{{"en", en}, {"zh", zh}} {
		// Chinese labels without a CJK font still make a chart.
		b, err := Balance(3500000, 210000, 17, tc.l)
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, b)
		save(t, "chart-"+tc.name+".png", b)
		if tc.name == "zh" && !HasCJKFont() {
			t.Log("no CJK font installed: the Chinese labels are not checked")
			continue
		}
		if ink := inkRows(img, 0, 40); ink == 0 {
			t.Errorf("%s: no title drawn", tc.name)
		}
		if ink := inkRows(img, 480, 500); ink == 0 {
			t.Errorf("%s: no x axis label drawn", tc.name)
		}
	}
}

func TestCJKFont(t *testing.T) {
	if !HasCJKFont() {
		t.Skip("no CJK font installed")
	}
	for _, r := range "剩余欠款元月份" {
		if i, err := cjkFace.GlyphIndex(nil, r); err != nil || i == 0 {
			t.Errorf("the CJK font has no glyph for %q", r)
		}
	}
	// The Chinese title is not drawn with the default font's boxes.
	var boxes, glyphs image.Image
	if b, err := render(series(3500000, 210000, 17), zh, ""); err == nil {
		boxes = decode(t, b)
	}
	if b, err := render(series(3500000, 210000, 17), zh, cjkTypeface); err == nil {
		glyphs = decode(t, b)
	}
	if boxes == nil || glyphs == nil || inkRows(boxes, 0, 40) == inkRows(glyphs, 0, 40) {
		t.Error("the Chinese title looks the same with and without the CJK font")
	}
}

// Droid Sans Fallback, what the Docker image ships, has no Latin glyphs:
// English labels must still be drawn in the default font.
func TestLatinLabelsWithDroid(t *testing.T) {
	const path = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
	f, err := loadFont(path)
	if err != nil {
		t.Skip(path, ": ", err)
	}
	register("test-droid", f)
	b, err := render(series(3500000, 210000, 17), en, "test-droid")
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if inkRows(img, 0, 40) == 0 || inkRows(img, 480, 500) == 0 {
		t.Error("English labels vanished with a Latin-less CJK font loaded")
	}
	b, err = render(series(3500000, 210000, 17), zh, "test-droid")
	if err != nil {
		t.Fatal(err)
	}
	save(t, "chart-zh-droid.png", b)
}

func TestLoadFontRejects(t *testing.T) {
	if _, err := loadFont(filepath.Join(t.TempDir(), "none.ttf")); err == nil {
		t.Error("a missing file loaded")
	}
	bad := filepath.Join(t.TempDir(), "bad.ttf")
	os.WriteFile(bad, []byte("not a font"), 0o644)
	if _, err := loadFont(bad); err == nil {
		t.Error("garbage loaded")
	}
}

func TestBalanceConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Balance(100000*int64(i+1), 20000, 60, zh); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestLongPlan(t *testing.T) {
	b, err := Balance(100000000, 1500000, 0, en) // 1,000,000 yuan: capped at 60 months
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b)
	save(t, "chart-long.png", b)
}

func TestMonthTicks(t *testing.T) {
	for last, want := range map[int]string{
		1:  "0 1",
		12: "0 1 2 3 4 5 6 7 8 9 10 11 12",
		17: "0 2 4 6 8 10 12 14 16 17",
		20: "0 2 4 6 8 10 12 14 16 18 20",
		25: "0 3 6 9 12 15 18 21 25",
		60: "0 6 12 18 24 30 36 42 48 54 60",
	} {
		var got []byte
		for _, tk := range (monthTicks{last: last}).Ticks(0, float64(last)) {
			if tk.Label != "" {
				got = append(append(got, ' '), tk.Label...)
			}
		}
		if string(got[1:]) != want {
			t.Errorf("last %d: %q, want %q", last, got[1:], want)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 35000: "35,000", 1234567: "1,234,567"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q", n, got)
		}
	}
}

func BenchmarkBalance(b *testing.B) {
	HasCJKFont()
	for b.Loop() {
		if _, err := Balance(3500000, 210000, 17, zh); err != nil {
			b.Fatal(err)
		}
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 800 || r.Dy() != 500 {
		t.Errorf("size %v, want 800×500", r)
	}
	return img
}

// inkRows counts the dark pixels in rows y0..y1.
func inkRows(img image.Image, y0, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r+g+b < 3*0x8000 {
				n++
			}
		}
	}
	return n
}

// save writes b to $CHART_OUT/name, to look at (CHART_OUT=/tmp).
func save(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("CHART_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

func TestDebtsIsAPNGForAPhone(t *testing.T) {
	lines := []Line{{Name: "信用卡", Balances: []int64{60000_00, 57000_00, 54000_00, 0}}, {Name: "美团", Balances: []int64{8000_00, 7900_00, 7800_00, 0}}}
	for i := 0; i < 9; i++ { // more lenders than colours
		lines = append(lines, Line{Name: "x", Balances: []int64{100_00, 50_00, 0, 0}})
	}
	pngData, err := Debts(lines, "其他", Labels{Title: "欠款还清的过程", XAxis: "月", YAxis: "元"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil || img.Bounds().Dx() != 600 || img.Bounds().Dy() != 720 {
		t.Fatalf("not a 600×720 PNG: %v %v", err, img)
	}
	if _, err := Debts(nil, "", Labels{}); err == nil {
		t.Error("no debts drew a chart")
	}
}
