package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"loanbot/pdf"
)

// TestSampleLetter renders the sample letter, and writes it to
// $LOANBOT_PDF_SAMPLE when that is set (see the package comment for the
// command that turns it into docs/letter-page1.png).
func TestSampleLetter(t *testing.T) {
	if !pdf.Available() {
		t.Skip("no CJK font: the sample letter is Chinese")
	}
	b, err := pdf.Render(pdf.SampleLetter())
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("LOANBOT_PDF_SAMPLE"); out != "" {
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes, CJK font %s)", out, len(b), pdf.FontPath())
	}
}

func ExampleRender() {
	b, err := pdf.Render(pdf.Doc{
		Title:      "Call log",
		Paragraphs: []string{"· 2024-07-01 09:12  Lender A, 3 min\n· 2024-07-01 21:40  Lender A, 1 min"},
		Footer:     "Exported by loanbot",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.HasPrefix(b, []byte("%PDF-")))
	// Output: true
}
