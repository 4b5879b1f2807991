package chart

import (
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Line is one lender's balance (fen) at the end of months 0..n.
type Line struct {
	Name     string
	Balances []int64
}

// palette tells lenders apart, also for readers with red-green colour
// blindness (Okabe–Ito).
var palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, {0xe6, 0x9f, 0x00, 0xff}, {0x00, 0x9e, 0x73, 0xff}, {0xcc, 0x79, 0xa7, 0xff},
	{0x56, 0xb4, 0xe9, 0xff}, {0xd5, 0x5e, 0x00, 0xff}, {0xf0, 0xe4, 0x42, 0xff}, {0x55, 0x55, 0x55, 0xff},
}

// Debts draws the total debt month by month as stacked bars, one colour a
// lender, with a legend: a 600×720 PNG whose texts stay readable on a
// 360-pixel-wide phone screen (larger type than Balance's). Lenders past
// the palette are drawn together as the last one, named other.
func Debts(lines []Line, other string, l Labels) ([]byte, error) {
	if len(lines) == 0 || len(lines[0].Balances) == 0 {
		return nil, errors.New("chart: no debts")
	}
	if len(lines) > len(palette) {
		rest := Line{Name: other, Balances: make([]int64, len(lines[0].Balances))}
		for _, ln := range lines[len(palette)-1:] {
			for i := range rest.Balances {
				if i < len(ln.Balances) {
					rest.Balances[i] += ln.Balances[i]
				}
			}
		}
		lines = append(lines[:len(palette)-1:len(palette)-1], rest)
	}
	months := min(len(lines[0].Balances), maxMonths+1)
	var cjk font.Typeface
	if HasCJKFont() {
		cjk = cjkTypeface
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = l.Title, l.XAxis, l.YAxis
	p.Title.TextStyle.Font.Size = vg.Points(22)
	p.Title.Padding = vg.Points(8)
	for _, f := range []*font.Font{&p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font} {
		f.Size = vg.Points(17)
	}
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(15), vg.Points(15)
	useCJK(&p.Title.TextStyle.Font, p.Title.Text, cjk)
	useCJK(&p.X.Label.TextStyle.Font, p.X.Label.Text, cjk)
	useCJK(&p.Y.Label.TextStyle.Font, p.Y.Label.Text, cjk)
	var total float64
	for _, ln := range lines {
		total += float64(ln.Balances[0]) / 100
	}
	p.Y.Min, p.Y.Max = 0, total*1.1
	p.X.Min, p.X.Max = -0.6, float64(months-1)+0.6
	p.Y.Tick.Marker = yuanTicks{}
	p.X.Tick.Marker = monthTicks{last: months - 1}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(16)
	width := vg.Points(0.8 * 430 / float64(months+1))
	var below *plotter.BarChart
	for i, ln := range lines {
		vals := make(barValues, months)
		for m := range vals {
			if m < len(ln.Balances) {
				vals[m] = float64(ln.Balances[m]) / 100
			}
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(ln.Name, bars)
		useCJK(&p.Legend.TextStyle.Font, ln.Name, cjk)
	}
	return pngOf(p, 6*vg.Inch, 7.2*vg.Inch)
}
