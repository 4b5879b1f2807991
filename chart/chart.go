// Package chart draws a negotiation plan as a PNG: the balance left at the
// end of each month while a fixed amount is paid every month.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"os"
	"strconv"
	"sync"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Labels are the chart's texts, already in the user's language.
type Labels struct{ Title, XAxis, YAxis string }

// maxMonths caps the x axis: past five years a plan is not a plan.
const maxMonths = 60

// cjkTypeface is the name the CJK font is registered under in gonum's cache.
const cjkTypeface = "loanbot-cjk"

// Fonts that cover Chinese, in order of preference: LOANBOT_CJK_FONT, then
// Debian's fonts-droid-fallback (what the Docker image installs), then
// fonts-noto-cjk. A file golang.org/x/image cannot read (fonts-wqy-microhei's
// collection is one) is passed over.
var cjkCandidates = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}

var (
	loadOnce sync.Once
	hasCJK   bool
)

// HasCJKFont reports whether a font with Chinese glyphs was found, so callers
// pass Chinese labels only then.
func HasCJKFont() bool {
	loadOnce.Do(loadCJK)
	return hasCJK
}

func loadCJK() {
	paths := cjkCandidates
	if p := os.Getenv("LOANBOT_CJK_FONT"); p != "" {
		paths = append([]string{p}, paths...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f, err := parseFont(data)
		if err != nil {
			continue
		}
		font.DefaultCache.Add(font.Collection{{Font: font.Font{Typeface: cjkTypeface}, Face: f}})
		hasCJK = true
		return
	}
}

// parseFont reads a .ttf/.otf, or the Simplified Chinese face of a .ttc.
func parseFont(data []byte) (*opentype.Font, error) {
	if f, err := opentype.Parse(data); err == nil {
		return f, nil
	}
	coll, err := opentype.ParseCollection(data)
	if err != nil {
		return nil, err
	}
	// Noto CJK collections: JP, KR, SC, TC, HK; pick the face named SC.
	pick := 0
	for i := 0; i < coll.NumFonts(); i++ {
		f, err := coll.Font(i)
		if err != nil {
			continue
		}
		name, _ := f.Name(nil, 4) // full name
		if bytes.Contains([]byte(name), []byte(" SC")) {
			pick = i
			break
		}
	}
	return coll.Font(pick)
}

// series is the balance (yuan) at the end of months 0..n: it starts at the
// debt and falls by monthly each month, never below zero.
func series(owedFen, monthlyFen int64, months int) ([]float64, error) {
	if monthlyFen <= 0 {
		return nil, errors.New("chart: the monthly payment must be more than 0")
	}
	if owedFen <= 0 {
		return nil, errors.New("chart: the debt must be more than 0")
	}
	if months <= 0 || months > maxMonths {
		months = maxMonths
	}
	out := []float64{float64(owedFen) / 100}
	left := owedFen
	for m := 1; m <= months && left > 0; m++ {
		left -= monthlyFen
		if left < 0 {
			left = 0
		}
		out = append(out, float64(left)/100)
	}
	return out, nil
}

// Balance draws the remaining balance at the end of each month as a PNG of
// 800×500 pixels.
func Balance(owedFen, monthlyFen int64, months int, l Labels) ([]byte, error) {
	vals, err := series(owedFen, monthlyFen, months)
	if err != nil {
		return nil, err
	}
	cjk := HasCJKFont()
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = l.Title, l.XAxis, l.YAxis
	if cjk {
		// Tick labels are digits and stay in the default font: fallback CJK
		// fonts (Droid Sans Fallback) have no Latin glyphs.
		for _, s := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font} {
			s.Typeface, s.Variant = cjkTypeface, ""
		}
	}
	p.Title.TextStyle.Font.Size = vg.Points(16)
	p.Y.Min, p.Y.Max = 0, vals[0]*1.08
	p.Y.Tick.Marker = yuanTicks{}
	p.X.Tick.Marker = monthTicks{}
	p.Add(plotter.NewGrid())

	bars, err := plotter.NewBarChart(barValues(vals), vg.Points(max(2, 500/float64(len(vals)))))
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	bars.Color = color.RGBA{R: 0x4a, G: 0x90, B: 0xc8, A: 0xff}
	bars.LineStyle.Width = 0
	p.Add(bars)
	c := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, 5*vg.Inch), vgimg.UseDPI(100))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

type barValues []float64

func (b barValues) Len() int            { return len(b) }
func (b barValues) Value(i int) float64 { return b[i] }

// yuanTicks labels the y axis in yuan with thousands separators.
type yuanTicks struct{}

func (yuanTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Label != "" {
			t.Label = group(int64(t.Value))
		}
		out = append(out, t)
	}
	return out
}

// monthTicks labels whole months only.
type monthTicks struct{}

func (monthTicks) Ticks(min, max float64) []plot.Tick {
	step := 1
	for (max-min)/float64(step) > 12 {
		step++
	}
	var out []plot.Tick
	for m := int(min); float64(m) <= max; m++ {
		if m%step == 0 {
			out = append(out, plot.Tick{Value: float64(m), Label: strconv.Itoa(m)})
		}
	}
	return out
}

func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
