// Package chart draws a negotiation plan's balance as a PNG chart: the
// balance left at the end of each month while a fixed amount is paid every
// month.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"
	"strings"
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

// cjkTypeface is the name the CJK font is registered under in gonum's font
// cache (font.DefaultCache, which plot's default text handler reads).
const cjkTypeface = "loanbot-cjk"

// cjkEnv names a font file to use before the system's.
const cjkEnv = "LOANBOT_CJK_FONT"

// Fonts that cover Chinese, in order of preference, after $LOANBOT_CJK_FONT:
// fonts-noto-cjk, fonts-wqy-microhei (both also have Latin glyphs), then
// fonts-droid-fallback (what the Docker image installs; it has no Latin
// glyphs, which is why Latin-only labels keep the default font). A file
// golang.org/x/image cannot read (fonts-wqy-microhei's collection, as of
// x/image v0.30) is passed over.
var cjkCandidates = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

var (
	loadOnce sync.Once
	cjkFace  *opentype.Font // nil: no CJK font found
)

// HasCJKFont reports whether a font with Chinese glyphs was found, so callers
// pass Chinese labels only then (else English).
func HasCJKFont() bool {
	loadOnce.Do(loadCJK)
	return cjkFace != nil
}

func loadCJK() {
	paths := cjkCandidates
	if p := os.Getenv(cjkEnv); p != "" {
		paths = append([]string{p}, paths...)
	}
	for _, p := range paths {
		if f, err := loadFont(p); err == nil {
			register(cjkTypeface, f)
			cjkFace = f
			return
		}
	}
}

// register adds f to gonum's font cache under the typeface name.
func register(typeface font.Typeface, f *opentype.Font) {
	font.DefaultCache.Add(font.Collection{{Font: font.Font{Typeface: typeface}, Face: f}})
}

// loadFont reads a .ttf/.otf, or the Simplified Chinese face of a .ttc/.otc
// (the first face when none is named SC). The font must have a glyph for 元.
func loadFont(path string) (*opentype.Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := opentype.Parse(data)
	if err != nil {
		coll, cerr := opentype.ParseCollection(data)
		if cerr != nil {
			return nil, fmt.Errorf("chart: %s: %w", path, err)
		}
		f, err = pickSC(coll)
		if err != nil {
			return nil, fmt.Errorf("chart: %s: %w", path, err)
		}
	}
	if i, err := f.GlyphIndex(nil, '元'); err != nil || i == 0 {
		return nil, fmt.Errorf("chart: %s has no Chinese glyphs", path)
	}
	return f, nil
}

// pickSC returns the face of a collection whose name ends in "SC" (Noto CJK
// holds JP, KR, SC, TC and HK faces, in that order), else the first one.
func pickSC(coll *opentype.Collection) (*opentype.Font, error) {
	var first *opentype.Font
	for i := 0; i < coll.NumFonts(); i++ {
		f, err := coll.Font(i)
		if err != nil {
			continue
		}
		if first == nil {
			first = f
		}
		if name, _ := f.Name(nil, 4); strings.HasSuffix(name, " SC") { // 4: full name
			return f, nil
		}
	}
	if first == nil {
		return nil, errors.New("no readable face in the collection")
	}
	return first, nil
}

// series is the balance (yuan) at the end of months 0..n: it starts at the
// debt and falls by monthlyFen each month (the last month pays the rest), and
// stops at 0 or after months months (60 when months is out of 1..60). It is
// nil when owedFen or monthlyFen is not positive.
func series(owedFen, monthlyFen int64, months int) []float64 {
	if owedFen <= 0 || monthlyFen <= 0 {
		return nil
	}
	if months <= 0 || months > maxMonths {
		months = maxMonths
	}
	out := []float64{float64(owedFen) / 100}
	for left, m := owedFen, 1; m <= months && left > 0; m++ {
		left = max(left-monthlyFen, 0)
		out = append(out, float64(left)/100)
	}
	return out
}

// Balance draws the remaining balance (yuan) at the end of each month 0..n,
// from owedFen paying monthlyFen a month (the last month pays the rest).
// months caps the x axis (max 60). It returns an 800×500 PNG.
//
// Labels with Chinese characters are drawn in the CJK font when HasCJKFont;
// without one they render as boxes or blanks, and Balance still succeeds.
func Balance(owedFen, monthlyFen int64, months int, l Labels) ([]byte, error) {
	if monthlyFen <= 0 {
		return nil, errors.New("chart: the monthly payment must be more than 0")
	}
	if owedFen <= 0 {
		return nil, errors.New("chart: the debt must be more than 0")
	}
	var cjk font.Typeface
	if HasCJKFont() {
		cjk = cjkTypeface
	}
	return render(series(owedFen, monthlyFen, months), l, cjk)
}

// render draws vals; labels that need it are set in the typeface cjk ("" for
// none: the default font, which has no Chinese glyphs).
func render(vals []float64, l Labels, cjk font.Typeface) ([]byte, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = l.Title, l.XAxis, l.YAxis
	p.Title.TextStyle.Font.Size = vg.Points(16)
	p.Title.Padding = vg.Points(6)
	useCJK(&p.Title.TextStyle.Font, p.Title.Text, cjk)
	// Tick labels are digits and stay in the default font: Droid Sans
	// Fallback has no Latin glyphs.
	useCJK(&p.X.Label.TextStyle.Font, p.X.Label.Text, cjk)
	useCJK(&p.Y.Label.TextStyle.Font, p.Y.Label.Text, cjk)

	last := len(vals) - 1
	p.Y.Min, p.Y.Max = 0, vals[0]*1.08
	p.X.Min, p.X.Max = -0.6, float64(last)+0.6
	p.Y.Tick.Marker = yuanTicks{}
	p.X.Tick.Marker = monthTicks{last: last}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)

	// The plot area is about 500pt wide: leave a gap between bars.
	bars, err := plotter.NewBarChart(barValues(vals), vg.Points(0.75*500/float64(len(vals)+1)))
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	bars.Color = color.RGBA{R: 0x4a, G: 0x90, B: 0xc8, A: 0xff}
	bars.LineStyle.Width = 0
	p.Add(bars)

	return pngOf(p, 8*vg.Inch, 5*vg.Inch)
}

// pngOf draws p on a w × h canvas at 100 dpi as PNG.
func pngOf(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(100))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// useCJK sets f to the typeface cjk when text has characters past the
// Latin, Greek and Cyrillic blocks the default font covers.
func useCJK(f *font.Font, text string, cjk font.Typeface) {
	if cjk == "" {
		return
	}
	if strings.ContainsFunc(text, func(r rune) bool { return r >= 0x2E80 }) {
		f.Typeface, f.Variant = cjk, ""
	}
}

type barValues []float64

func (b barValues) Len() int            { return len(b) }
func (b barValues) Value(i int) float64 { return b[i] }

// yuanTicks labels the y axis in yuan with thousands separators: 35,000.
type yuanTicks struct{}

func (yuanTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label == "" {
			continue
		}
		if t.Value == math.Trunc(t.Value) {
			ticks[i].Label = group(int64(t.Value))
		} else {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}

// monthTicks labels whole months, every 1, 2, 3, 6 or 12 months so there
// are at most 12 labels, plus the last month (the balance there is the one
// the plan ends on).
type monthTicks struct{ last int }

func (mt monthTicks) Ticks(min, max float64) []plot.Tick {
	step := 12
	for _, s := range []int{1, 2, 3, 6} {
		if (mt.last+s-1)/s <= 12 {
			step = s
			break
		}
	}
	var out []plot.Tick
	for m := 0; m <= mt.last; m++ {
		switch {
		case m == mt.last || m%step == 0 && mt.last-m >= (step+1)/2:
			out = append(out, plot.Tick{Value: float64(m), Label: strconv.Itoa(m)})
		case m%step == 0:
			out = append(out, plot.Tick{Value: float64(m)}) // too close to the last: unlabelled
		}
	}
	return out
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
