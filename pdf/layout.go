package pdf

import (
	"strings"
	"unicode"
)

// glyph is one character as it will be drawn: the rune (after replacement of
// what no font has) and the face that draws it.
type glyph struct {
	r    rune
	face faceID
}

// textLine is one line as it will be drawn, already wrapped.
type textLine struct {
	glyphs []glyph
	indent float64 // mm from the left margin
	width  float64 // mm, indent excluded
}

// replacement stands in for a character neither face can draw (emoji, runes
// outside the BMP, invalid UTF-8): a visible box says something was there,
// where an empty glyph would silently drop it.
const replacement = '□'

// shape turns text into glyphs, one slice per hard line ("\n"). It drops
// control and format characters, which have no glyph and would confuse the
// line breaker, and reports whether some character needs a CJK font that is
// missing.
func shape(s string) (lines [][]glyph, missingCJK bool) {
	s = strings.ToValidUTF8(s, string(replacement))
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\t", "    ").Replace(s)
	for _, hard := range strings.Split(s, "\n") {
		var line []glyph
		for _, r := range hard {
			if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
				continue
			}
			switch {
			case latinFace.covers(r):
				line = append(line, glyph{r, latin})
			case cjkFace.covers(r):
				line = append(line, glyph{r, cjk})
			default:
				if cjkFace == nil && isWide(r) {
					missingCJK = true
				}
				line = append(line, glyph{replacement, latin})
			}
		}
		lines = append(lines, line)
	}
	return lines, missingCJK
}

// isWide reports whether r is a character of Chinese (or Japanese, Korean)
// script or punctuation: one a line may break before or after, and one the
// Latin face cannot draw.
func isWide(r rune) bool {
	switch {
	case r >= 0x3000 && r <= 0x303F, // CJK punctuation, ideographic space
		r >= 0xFF00 && r <= 0xFFEF, // full-width forms
		r >= 0xFE30 && r <= 0xFE4F: // CJK compatibility forms
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// A line must not start with noStart (closing punctuation) nor end with
// noEnd (opening punctuation): the Chinese rule (禁则) that keeps ，and 。
// with the character before them.
const (
	noStart = "，。、；：？！）】」』》〉〕〗”’…—·．,.;:?!)]}%％"
	noEnd   = "（【「『《〈〔〖“‘([{"
)

// span is an unbreakable piece of a hard line: a Latin word, one CJK
// character with the punctuation glued to it, or a run of spaces.
type span struct {
	start, end int
	space      bool
}

// spans cuts a hard line where a line may break: at spaces, and on either
// side of a CJK character unless punctuation forbids it.
func spans(g []glyph) []span {
	var out []span
	open := false // the last span is a Latin word still being read
	for i, gl := range g {
		r := gl.r
		n := len(out)
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me) && n > 0:
			out[n-1].end = i + 1 // a combining mark stays with its base
		case r == ' ':
			if n > 0 && out[n-1].space {
				out[n-1].end = i + 1
			} else {
				out = append(out, span{i, i + 1, true})
			}
			open = false
		case isWide(r):
			out = append(out, span{i, i + 1, false})
			open = false
		default:
			if open {
				out[n-1].end = i + 1
			} else {
				out = append(out, span{i, i + 1, false})
				open = true
			}
		}
	}
	// Glue punctuation to its neighbour.
	merged := out[:0]
	for _, s := range out {
		if m := len(merged); m > 0 && !s.space && !merged[m-1].space {
			prev := &merged[m-1]
			if strings.ContainsRune(noStart, g[s.start].r) || strings.ContainsRune(noEnd, g[prev.end-1].r) {
				prev.end = s.end
				continue
			}
		}
		merged = append(merged, s)
	}
	return merged
}

// wrap breaks one hard line into lines at most width mm wide at size pt.
// Lines after the first are indented by hang (a list item's text lines up
// under its first word). Spaces where a line breaks are dropped; a span
// wider than a whole line (a long URL, a paragraph without spaces in Latin
// script) is cut between characters.
func wrap(g []glyph, width, hang, size float64, w widths) []textLine {
	var out []textLine
	cur := textLine{}
	content := false // cur has something besides spaces at its start
	flush := func() {
		// Trailing spaces take no room on paper.
		for len(cur.glyphs) > 0 && cur.glyphs[len(cur.glyphs)-1].r == ' ' {
			cur.glyphs = cur.glyphs[:len(cur.glyphs)-1]
		}
		cur.width = w.of(cur.glyphs, size)
		out = append(out, cur)
		cur = textLine{indent: hang}
		content = false
	}
	for _, s := range spans(g) {
		piece := g[s.start:s.end]
		if s.space {
			if len(out) > 0 && len(cur.glyphs) == 0 {
				continue // no leading spaces on a wrapped line
			}
			cur.glyphs = append(cur.glyphs, piece...)
			continue
		}
		for len(piece) > 0 {
			avail := width - cur.indent
			used := w.of(cur.glyphs, size)
			pw := w.of(piece, size)
			if used+pw <= avail+0.01 {
				cur.glyphs = append(cur.glyphs, piece...)
				content = true
				break
			}
			if content {
				flush()
				continue
			}
			// Alone on the line and still too wide: cut it.
			n := fit(piece, avail-used, size, w)
			cur.glyphs = append(cur.glyphs, piece[:n]...)
			piece = piece[n:]
			flush()
		}
	}
	if len(cur.glyphs) > 0 || content || len(out) == 0 {
		flush()
	}
	return out
}

// fit returns how many glyphs of g fit in room mm, cutting only before a
// base character (never between a letter and its combining mark), and at
// least one character so that wrapping always moves on.
func fit(g []glyph, room, size float64, w widths) int {
	n, used := 0, 0.0
	for n < len(g) {
		end := n + 1
		for end < len(g) && unicode.In(g[end].r, unicode.Mn, unicode.Me) {
			end++
		}
		cw := w.of(g[n:end], size)
		if n > 0 && used+cw > room {
			break
		}
		used += cw
		n = end
	}
	return n
}

// widths measures glyphs. Widths are in mm at 1 pt; fpdf's own measure is
// linear in the size, so one table serves every size.
type widths map[glyph]float64

func (w widths) of(g []glyph, size float64) float64 {
	sum := 0.0
	for _, gl := range g {
		sum += w[gl]
	}
	return sum * size
}

// runs groups a line's glyphs by face, for drawing one font at a time.
func runs(g []glyph) []run {
	var out []run
	for start := 0; start < len(g); {
		end := start + 1
		for end < len(g) && g[end].face == g[start].face {
			end++
		}
		var b strings.Builder
		for _, gl := range g[start:end] {
			b.WriteRune(gl.r)
		}
		out = append(out, run{face: g[start].face, text: b.String()})
		start = end
	}
	return out
}

// run is a stretch of a line drawn in one face.
type run struct {
	face faceID
	text string
}
