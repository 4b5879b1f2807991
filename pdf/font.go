package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// cjkEnv names a font file to use before the system's (the same variable the
// chart package reads, so one setting serves both).
const cjkEnv = "LOANBOT_CJK_FONT"

// Fonts that cover Chinese, in order of preference, after $LOANBOT_CJK_FONT.
// The list is chart's, but fpdf embeds only TrueType-outline .ttf files: the
// .ttc collections of fonts-noto-cjk (CFF outlines) and fonts-wqy-microhei
// are passed over, which leaves fonts-droid-fallback, the one the Docker
// image installs.
var cjkCandidates = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// The fpdf family names the two faces are registered under.
const (
	latinFamily = "latin"
	cjkFamily   = "cjk"
)

// faceID says which face draws a glyph.
type faceID uint8

const (
	latin faceID = iota // Liberation Sans, compiled in
	cjk                 // the CJK font found on the system
)

// face is a font file and the BMP code points it has glyphs for. Coverage is
// worked out once, when the font is loaded, so that Render can pick a face
// per character without parsing the font again.
type face struct {
	family string
	path   string // "" for the compiled-in Latin face
	data   []byte
	has    *[0x10000 / 64]uint64 // bit r set: the font has a glyph for rune r
}

// covers reports whether f has a glyph for r. Runes outside the BMP are
// never covered: fpdf indexes glyph widths by BMP code point (and panics at
// U+10000), so they are drawn as a replacement box instead.
func (f *face) covers(r rune) bool {
	if f == nil || r < 0 || r > 0xFFFF {
		return false
	}
	return f.has[r/64]&(1<<(r%64)) != 0
}

var (
	loadOnce  sync.Once
	latinFace *face // never nil after load
	cjkFace   *face // nil: no usable CJK font
)

func load() {
	loadOnce.Do(func() {
		var err error
		latinFace, err = newFace(latinFamily, "", liberationsansregular.TTF)
		if err != nil {
			// The font is compiled in; failing to read it is a build problem.
			panic(fmt.Sprintf("pdf: compiled-in Liberation Sans: %v", err))
		}
		paths := cjkCandidates
		if p := os.Getenv(cjkEnv); p != "" {
			paths = append([]string{p}, paths...)
		}
		for _, p := range paths {
			if f, err := loadCJK(p); err == nil {
				cjkFace = f
				return
			}
		}
	})
}

// Available reports whether a font with Chinese glyphs was found that fpdf
// can embed. Without one Render still draws Latin text, and returns
// ErrNoCJKFont for text with Chinese characters, so callers can offer the
// letter as plain text instead.
func Available() bool {
	load()
	return cjkFace != nil
}

// FontPath returns the file of the CJK font in use, or "" when there is
// none; it is for diagnostics (a startup log line, a health check). Latin
// text always uses the Liberation Sans compiled into the binary.
func FontPath() string {
	load()
	if cjkFace == nil {
		return ""
	}
	return cjkFace.path
}

// loadCJK reads a font file and checks, in order, the things that would
// otherwise only fail inside fpdf: TrueType outlines (fpdf cannot embed CFF
// fonts or read collections), a glyph for 元, and fpdf accepting the file.
func loadCJK(path string) (*face, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(data, []byte("ttcf")):
		return nil, fmt.Errorf("pdf: %s is a font collection, which fpdf cannot embed", path)
	case bytes.HasPrefix(data, []byte("OTTO")):
		return nil, fmt.Errorf("pdf: %s has CFF outlines, which fpdf cannot embed", path)
	}
	f, err := newFace(cjkFamily, path, data)
	if err != nil {
		return nil, err
	}
	if !f.covers('元') {
		return nil, fmt.Errorf("pdf: %s has no Chinese glyphs", path)
	}
	// fpdf reports a font it cannot parse only by printing to stdout and
	// failing at SetFont; try it once here rather than in every Render.
	probe := fpdf.New("P", "mm", "A4", "")
	probe.AddUTF8FontFromBytes(cjkFamily, "", data)
	probe.SetFont(cjkFamily, "", 12)
	if err := probe.Error(); err != nil {
		return nil, fmt.Errorf("pdf: fpdf cannot use %s: %w", path, err)
	}
	return f, nil
}

// newFace parses data and records which BMP runes it has glyphs for.
func newFace(family, path string, data []byte) (*face, error) {
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("pdf: %s: %w", path, err)
	}
	f := &face{family: family, path: path, data: data, has: new([0x10000 / 64]uint64)}
	var buf sfnt.Buffer
	for r := rune(0x20); r <= 0xFFFF; r++ {
		if i, err := sf.GlyphIndex(&buf, r); err == nil && i != 0 {
			f.has[r/64] |= 1 << (r % 64)
		}
	}
	if !f.covers('A') && family == latinFamily {
		return nil, errors.New("pdf: Latin font has no glyph for A")
	}
	return f, nil
}
