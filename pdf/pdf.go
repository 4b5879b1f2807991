// Package pdf turns a letter the bot wrote for a user (a repayment proposal
// 协商还款申请书, a hardship statement 困难情况说明, a complaint 投诉材料, a
// call-log export) into an A4 PDF the user can print, sign or attach to an
// e-mail. It owns the page layout and the choice of fonts; the text comes
// already written, in the user's script.
//
// Chinese is drawn with a CJK font found on the system ($LOANBOT_CJK_FONT,
// else the first usable of chart's list; in the Docker image that is
// fonts-droid-fallback's DroidSansFallbackFull.ttf). That font has no Latin
// letters or digits, so every character Liberation Sans has (compiled in,
// from codeberg.org/go-fonts/liberation, so English never depends on the
// system) is drawn with it, and the rest with the CJK font; a line switches
// font per run. Both fonts are embedded as subsets.
//
// To look at a sample letter (and regenerate docs/letter-page1.png), from
// the module root:
//
//	LOANBOT_PDF_SAMPLE=/tmp/letter.pdf go test ./pdf -run TestSampleLetter -count=1
//	pdftoppm -png -r 80 -f 1 -l 1 -singlefile /tmp/letter.pdf docs/letter-page1
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Doc is a letter, its text already in the user's script (zh-Hans, zh-Hant
// or English).
type Doc struct {
	// Title is centred above the text, larger.
	Title string
	// Paragraphs are separated by a half-line gap. A paragraph may hold
	// "\n" line breaks; a line starting with "· " or "1. " is a list item,
	// and its wrapped lines are indented under its text.
	Paragraphs []string
	// Footer is printed small at the bottom of every page, above the page
	// number (at most three lines; longer text is cut).
	Footer string
}

// ErrEmpty is returned for a Doc with no title and no text: an empty page is
// never what the user asked for.
var ErrEmpty = errors.New("pdf: document has no text")

// ErrNoCJKFont is returned when the text has Chinese characters and no CJK
// font was found (see Available). Callers test for it with errors.Is and
// offer the letter as text instead.
var ErrNoCJKFont = errors.New("pdf: no CJK font for Chinese text (set " + cjkEnv + " or install fonts-droid-fallback)")

// Page geometry, in mm (fpdf's unit here) and points for type sizes.
const (
	pageW, pageH = 210.0, 297.0 // A4 portrait
	margin       = 20.0
	textW        = pageW - 2*margin

	titleSize  = 16.0
	bodySize   = 11.5
	footerSize = 9.0

	// Chinese needs more air between lines than Latin text, whose ascenders
	// and descenders already separate lines.
	spacingCJK   = 1.5
	spacingLatin = 1.3

	maxFooterLines = 3
	pageNoBaseline = pageH - 10 // inside the bottom margin

	ptToMM = 25.4 / 72
)

// created is the creation date written into every PDF: a fixed one, so the
// same letter gives the same bytes (tests compare them) and the file does
// not tell anyone when the user made it.
var created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// listItem matches the marker of a list line ("· ", "• ", "1. ", "1、"),
// whose width becomes the indent of the item's wrapped lines.
var listItem = regexp.MustCompile(`^(?:[·•] |\d{1,3}(?:\. |、))`)

// Render lays d out on A4 pages and returns the PDF. Title and paragraphs
// are wrapped to the page width (between any two Chinese characters, at
// spaces in Latin text), pages break as needed, and each page carries the
// footer and its number ("1 / 2"). It returns ErrEmpty for a Doc without
// text and ErrNoCJKFont for Chinese text without a CJK font.
func Render(d Doc) ([]byte, error) {
	load()
	if strings.TrimSpace(d.Title) == "" && strings.TrimSpace(strings.Join(d.Paragraphs, "")) == "" {
		return nil, ErrEmpty
	}

	title, miss1 := shape(d.Title)
	footer, miss2 := shape(d.Footer)
	missing := miss1 || miss2
	paras := make([][][]glyph, len(d.Paragraphs))
	for i, p := range d.Paragraphs {
		var miss bool
		paras[i], miss = shape(p)
		missing = missing || miss
	}
	if missing {
		return nil, ErrNoCJKFont
	}

	f := newFpdf()
	f.SetTitle(d.Title, true)
	usesCJK := false
	if cjkFace != nil {
		usesCJK = anyCJK(title) || anyCJK(footer)
		for _, p := range paras {
			usesCJK = usesCJK || anyCJK(p)
		}
	}
	f.SetLang("en")
	if usesCJK {
		f.SetLang("zh")
	}

	w := widths{}
	measure(f, w, title...)
	measure(f, w, footer...)
	measure(f, w, []glyph{{'…', latin}})
	for _, p := range paras {
		measure(f, w, p...)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: loading fonts: %w", err)
	}

	pages := layout(title, paras, footer, usesCJK, w)
	draw(f, pages)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: writing: %w", err)
	}
	return buf.Bytes(), nil
}

// newFpdf returns an empty A4 document with both faces loaded.
func newFpdf() *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, 0) // Render breaks pages itself, knowing the count
	f.SetCreator("loanbot", false)
	// Each document gets its own copy of the font files: fpdf writes into
	// them while it cuts the subset it embeds, so sharing them between
	// renders running at once is a data race (seen under -race).
	f.AddUTF8FontFromBytes(latinFamily, "", bytes.Clone(latinFace.data))
	if cjkFace != nil {
		f.AddUTF8FontFromBytes(cjkFamily, "", bytes.Clone(cjkFace.data))
	}
	return f
}

func anyCJK(lines [][]glyph) bool {
	for _, l := range lines {
		for _, g := range l {
			if g.face == cjk {
				return true
			}
		}
	}
	return false
}

// measure fills w with the width at 1 pt of every glyph in lines. It runs
// before the first page exists: fpdf's SetFont writes to the page once there
// is one.
func measure(f *fpdf.Fpdf, w widths, lines ...[]glyph) {
	for _, l := range lines {
		for _, g := range l {
			if _, ok := w[g]; ok {
				continue
			}
			f.SetFont(familyOf(g.face), "", 1)
			w[g] = f.GetStringWidth(string(g.r))
		}
	}
}

func familyOf(id faceID) string {
	if id == cjk {
		return cjkFamily
	}
	return latinFamily
}

// placed is a line at its place on a page.
type placed struct {
	textLine
	size     float64 // pt
	top      float64 // mm from the top of the page
	height   float64 // mm
	centered bool
}

// page is what goes on one page.
type page struct {
	lines  []placed
	footer []placed
}

// layout wraps everything and distributes the lines over pages, before
// anything is drawn, so that each page's number can say how many there are.
func layout(title [][]glyph, paras [][][]glyph, footer [][]glyph, usesCJK bool, w widths) []page {
	spacing := spacingLatin
	if usesCJK {
		spacing = spacingCJK
	}
	bodyH := bodySize * ptToMM * spacing

	// The footer sits on top of the bottom margin, its last line just above
	// the page number's; the body stops above it.
	var foot []textLine
	for _, hard := range footer {
		foot = append(foot, wrap(hard, textW, 0, footerSize, w)...)
	}
	if len(foot) == 1 && len(foot[0].glyphs) == 0 {
		foot = nil
	}
	if len(foot) > maxFooterLines {
		foot = foot[:maxFooterLines]
		last := &foot[maxFooterLines-1]
		last.glyphs = append(last.glyphs[:len(last.glyphs):len(last.glyphs)], glyph{'…', latin})
		last.width = w.of(last.glyphs, footerSize)
	}
	footH := footerSize * ptToMM * 1.4
	bottom := pageH - margin - float64(len(foot))*footH
	if len(foot) > 0 {
		bottom -= bodyH / 2
	}
	var footer1 []placed
	for i, l := range foot {
		top := pageH - margin - float64(len(foot)-i)*footH
		footer1 = append(footer1, placed{textLine: l, size: footerSize, top: top, height: footH, centered: true})
	}

	pages := []page{{footer: footer1}}
	y := margin
	// put places a line, first moving to a new page unless keep lines
	// (this one and those after it) fit on this one.
	put := func(l textLine, size, h float64, centered bool, keep int) {
		if y+float64(keep)*h > bottom && y > margin {
			pages = append(pages, page{footer: footer1})
			y = margin
		}
		p := &pages[len(pages)-1]
		p.lines = append(p.lines, placed{textLine: l, size: size, top: y, height: h, centered: centered})
		y += h
	}
	gap := func(h float64) {
		if y > margin { // no gap at the top of a page
			y += h
		}
	}

	titleH := titleSize * ptToMM * spacing
	hasTitle := false
	for _, hard := range title {
		if len(hard) == 0 && !hasTitle {
			continue
		}
		for _, l := range wrap(hard, textW, 0, titleSize, w) {
			put(l, titleSize, titleH, true, 1)
			hasTitle = true
		}
	}
	if hasTitle {
		gap(bodyH)
	}
	for i, p := range paras {
		if i > 0 {
			gap(bodyH / 2)
		}
		var lines []textLine
		for _, hard := range p {
			hang := 0.0
			if m := listItem.FindString(string(runesOf(hard))); m != "" {
				hang = w.of(hard[:len([]rune(m))], bodySize)
			}
			lines = append(lines, wrap(hard, textW, hang, bodySize, w)...)
		}
		// A paragraph's first line is not left alone at the foot of a page,
		// nor its last line alone at the top of the next (an orphan, a
		// widow): a stray "敬礼！" on a page of its own reads like a mistake.
		n := len(lines)
		for i, l := range lines {
			keep := 1
			if (i == 0 && n >= 2) || (i == n-2 && n >= 3) {
				keep = 2
			}
			put(l, bodySize, bodyH, false, keep)
		}
	}
	return pages
}

func runesOf(g []glyph) []rune {
	rs := make([]rune, len(g))
	for i, gl := range g {
		rs[i] = gl.r
	}
	return rs
}

// draw puts the pages into f.
func draw(f *fpdf.Fpdf, pages []page) {
	for n, p := range pages {
		f.AddPage()
		f.SetTextColor(0, 0, 0)
		for _, l := range p.lines {
			drawLine(f, l)
		}
		f.SetTextColor(96, 96, 96)
		for _, l := range p.footer {
			drawLine(f, l)
		}
		no := strconv.Itoa(n+1) + " / " + strconv.Itoa(len(pages))
		f.SetFont(latinFamily, "", footerSize)
		f.Text((pageW-f.GetStringWidth(no))/2, pageNoBaseline, no)
	}
}

// drawLine draws l one run (one font) at a time. The baseline is put so
// that a line's glyphs sit in the middle of its height: 0.35 em below the
// middle suits both Latin capitals and CJK ideographs.
func drawLine(f *fpdf.Fpdf, l placed) {
	x := margin + l.indent
	if l.centered {
		x = margin + (textW-l.width)/2
	}
	baseline := l.top + l.height/2 + 0.35*l.size*ptToMM
	for _, r := range runs(l.glyphs) {
		f.SetFont(familyOf(r.face), "", l.size)
		if strings.TrimFunc(r.text, unicode.IsSpace) != "" {
			f.Text(x, baseline, r.text)
		}
		x += f.GetStringWidth(r.text)
	}
}
