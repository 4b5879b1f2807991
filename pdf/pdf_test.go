package pdf

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// SampleLetter is a repayment proposal as the bot would write it: two pages
// at 11.5 pt, with a list, line breaks, digits and Latin inside Chinese text.
// The names and numbers are made up. It is exported (in a test file only)
// for example_test.go, which writes it out for the screenshot.
func SampleLetter() Doc {
	return Doc{
		Title: "协商还款申请书",
		Paragraphs: []string{
			"尊敬的某某消费金融有限公司：",
			"本人张三，于 2023 年 3 月在贵公司 App 申请借款人民币 30,000.00 元（合同编号：XF20230315001），约定分 12 期还款。2024 年 1 月起本人所在公司裁员，本人失业近五个月，家庭收入大幅下降，导致自 2024 年 4 月起未能按期还款，截至目前已逾期 95 天，尚欠本金 18,500.00 元。",
			"本人从未想过逃避债务，失业期间一直在积极寻找工作。现本人已在一家物流公司重新就业，月收入约 4,500 元。扣除房租与基本生活开支后，每月可用于还款的金额约为 1,000 元。为此，特向贵公司申请如下：",
			"1. 停止计收逾期罚息和违约金，减免已产生的罚息 1,286.40 元；\n2. 将剩余本金 18,500.00 元分 18 期偿还，每期 1,027.78 元，每月 15 日前还款，首期自 2024 年 8 月开始；\n3. 在分期还款期间暂停催收，不联系本人的亲友及工作单位。",
			"本人承诺按以上方案按时还款。如收入情况好转，本人将提前还清剩余款项。随信附上本人的失业证明、新的劳动合同及近三个月的银行流水，请贵公司审核。",
			"本人目前每月的固定支出如下：",
			"· 房租：1,500 元（与他人合租，租期至 2025 年 2 月）；\n· 父母赡养费：800 元，父亲患有慢性病，需长期服药；\n· 交通与伙食：900 元；\n· 其他平台的协商还款：300 元（已与该平台达成分期协议）。",
			"以上支出均为维持基本生活所必需，本人已尽量压缩开支。恳请贵公司考虑本人的实际困难，给予协商还款的机会。在此期间如有任何疑问，可在工作日 18:00 以后致电 138****5678 与本人联系，或发送电子邮件至 zhangsan@example.com。",
			"本人理解按时还款是借款人的义务，此次逾期并非出于恶意。本人愿意配合贵公司核实相关情况，并按贵公司的要求补充材料。如贵公司对上述方案有不同意见，也请书面告知，本人愿意在能力范围内进一步协商。",
			"借款以来，本人已按时偿还前 3 期共计 7,500.00 元，此前从未有过逾期记录。本次逾期完全是因为突然失业、收入中断所致。失业期间，本人曾向亲友借款维持生活，目前仍欠亲友约 6,000 元，也在逐月归还。",
			"本人家中有一个正在上小学的孩子，配偶目前在家照顾孩子和生病的父亲，暂无固定收入，家庭的全部开支依靠本人一人的工资。如果继续按原合同还款，每月需还 2,900 余元，已超过本人收入的一半，本人确实无力承担。",
			"近期本人多次接到催收电话，其中部分电话打给了本人的同事和亲属，给本人的工作和生活造成了很大困扰。希望贵公司今后只与本人联系，本人保证保持电话畅通，及时回复贵公司的通知。",
			"此致\n敬礼！",
			"申请人：张三\n2024 年 7 月 20 日",
			"附件：\n1. 失业证明（复印件）\n2. 劳动合同（复印件）\n3. 2024 年 4 月至 6 月银行流水",
		},
		Footer: "本文件由 loanbot 协助生成，请核对内容后签名使用。",
	}
}

// englishLetter is a one-page hardship statement in English.
func englishLetter() Doc {
	return Doc{
		Title: "Statement of Financial Hardship",
		Paragraphs: []string{
			"To whom it may concern,",
			"I am writing to explain why I have not been able to repay my loan (contract no. XF20230315001) since April 2024. I lost my job in January and my family's income fell by more than half.",
			"· Rent: 1,500 yuan a month\n· Medicine for my father: 800 yuan a month",
			"I would like to propose repaying the remaining principal in 18 monthly instalments.",
		},
		Footer: "Prepared with loanbot",
	}
}

// extracted is what a reader gets back from a PDF: its text with all white
// space removed (lines wrap anywhere in Chinese, so sentences are compared
// without it) and its page count.
type extracted struct {
	text  string
	pages int
}

var pageObj = regexp.MustCompile(`/Type /Page\b`)

// readBack checks the PDF's structure and, when pdftotext (poppler-utils) is
// installed, extracts its text. Without pdftotext the text is "" and the
// page count comes from the page objects, so the structure is still checked.
func readBack(t *testing.T, b []byte) extracted {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", b[:min(len(b), 16)])
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		t.Error("no embedded TrueType font program (/FontFile2)")
	}
	pages := len(pageObj.FindAll(b, -1))
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Logf("pdftotext not installed (apt-get install poppler-utils): checked the PDF's structure only")
		return extracted{pages: pages}
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// pdftotext ends every page with a form feed.
	if n := bytes.Count(out, []byte("\f")); n != pages {
		t.Errorf("pdftotext found %d pages, the page tree %d", n, pages)
	}
	return extracted{text: squeeze(string(out)), pages: pages}
}

func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestRenderChineseLetterHasTwoPagesAndItsText(t *testing.T) {
	d := SampleLetter()
	b, err := Render(d)
	if !Available() {
		if !errors.Is(err, ErrNoCJKFont) {
			t.Fatalf("no CJK font: Render = %v, want ErrNoCJKFont", err)
		}
		t.Logf("no CJK font on this machine: checked only that Render says so")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	got := readBack(t, b)
	if got.pages != 2 {
		t.Errorf("pages = %d, want 2", got.pages)
	}
	if got.text != "" {
		for _, want := range []string{
			d.Title,
			"本人承诺按以上方案按时还款。",
			"每期1,027.78元", // digits (Latin face) inside Chinese (CJK face)
			"zhangsan@example.com",
			"1/2", "2/2",
		} {
			if !strings.Contains(got.text, squeeze(want)) {
				t.Errorf("extracted text lacks %q", want)
			}
		}
	}
}

func TestRenderEnglishLetterNeedsNoCJKFont(t *testing.T) {
	d := englishLetter()
	saved := cjkFace
	cjkFace = nil // as on a machine without fonts-droid-fallback
	defer func() { cjkFace = saved }()

	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	got := readBack(t, b)
	if got.pages != 1 {
		t.Errorf("pages = %d, want 1", got.pages)
	}
	if got.text != "" {
		for _, want := range []string{d.Title, "I would like to propose repaying the remaining principal in 18 monthly instalments.", "1/1"} {
			if !strings.Contains(got.text, squeeze(want)) {
				t.Errorf("extracted text lacks %q", want)
			}
		}
	}
}

func TestRenderChineseWithoutCJKFontSaysSo(t *testing.T) {
	saved := cjkFace
	cjkFace = nil
	defer func() { cjkFace = saved }()

	for _, d := range []Doc{
		{Title: "协商还款申请书", Paragraphs: []string{"Dear Sir"}},
		{Title: "Letter", Paragraphs: []string{"I owe 1,000 元."}},
		{Title: "Letter", Paragraphs: []string{"Fine"}, Footer: "「繁體」"},
	} {
		if _, err := Render(d); !errors.Is(err, ErrNoCJKFont) {
			t.Errorf("Render(%q) = %v, want ErrNoCJKFont", d.Title, err)
		}
	}
}

func TestRenderEmptyDocIsAnError(t *testing.T) {
	for _, d := range []Doc{
		{},
		{Title: "  ", Paragraphs: []string{"", "\n", " \t "}},
		{Footer: "only a footer"},
	} {
		if _, err := Render(d); !errors.Is(err, ErrEmpty) {
			t.Errorf("Render(%#v) = %v, want ErrEmpty", d, err)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	d := englishLetter()
	if Available() {
		d = SampleLetter()
	}
	a, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same Doc gave different bytes")
	}
}

func TestRenderLongParagraphBreaksPages(t *testing.T) {
	tests := []struct {
		name string
		para string
		cjk  bool
	}{
		{"Chinese", strings.Repeat("因失业导致逾期，申请分期还款。", 10000/15), true},
		{"English words", strings.Repeat("overdue loan ", 10000/13), false},
		{"one Latin word", strings.Repeat("x", 10000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cjk && !Available() {
				t.Skip("no CJK font") // TestRenderChineseWithoutCJKFontSaysSo covers this case
			}
			b, err := Render(Doc{Title: "Long", Paragraphs: []string{tt.para}})
			if err != nil {
				t.Fatal(err)
			}
			if got := readBack(t, b); got.pages < 3 {
				t.Errorf("pages = %d, want several", got.pages)
			}
		})
	}
}

func TestRenderOddCharactersDoNotPanic(t *testing.T) {
	odd := []string{
		"emoji 😀👍🏽👨‍👩‍👧 and 🇨🇳 flags",
		"combining: e\u0301 a\u0308\u0308\u0308 \u0301 at start, 中\u0301",
		"NUL \x00 and bell \a and \x1b[31m escape",
		"invalid UTF-8: \xff\xfe\xc3",
		"\U00010000 \U0010FFFF \uFFFF \uFFFE \uE000 private use, \U00020BB7 (𠮷, CJK ext. B)",
		"zero\u200bwidth\u200djoiner\u2060 and\u00a0nbsp, soft\u00adhyphen",
		"RTL עברית العربية mixed",
		"tabs\tand\r\nCRLF\rand\u2028separators\u2029",
		strings.Repeat("https://example.com/very/long/path?", 40),
		strings.Repeat("\u0301", 500),
		strings.Repeat("。", 300) + strings.Repeat("（", 300),
		"1. " + strings.Repeat("项", 200) + "\n· \n1.\n· " + strings.Repeat("a", 500),
		"　　全角空格缩进，繁體中文：協商還款申請書。",
		"",
		"\n\n\n",
	}
	for _, s := range odd {
		for _, d := range []Doc{
			{Title: s, Paragraphs: []string{s}},
			{Title: "T", Paragraphs: []string{s, s}, Footer: strings.Repeat(s+" ", 50)},
		} {
			b, err := Render(d)
			if errors.Is(err, ErrEmpty) || (errors.Is(err, ErrNoCJKFont) && !Available()) {
				continue
			}
			if err != nil {
				t.Errorf("Render(%q): %v", s, err)
				continue
			}
			readBack(t, b)
		}
	}
}

func TestRenderIsSafeForConcurrentUse(t *testing.T) {
	d := englishLetter()
	if Available() {
		d = SampleLetter()
	}
	want, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got, err := Render(d); err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent Render: err %v, same bytes %v", err, bytes.Equal(got, want))
			}
		})
	}
	wg.Wait()
}

func TestWrap(t *testing.T) {
	load()
	if !Available() {
		t.Skip("no CJK font: the cases are Chinese")
	}
	w := widths{}
	f := newFpdf()
	// Each case's line is as wide as fits, so the cases do not depend on
	// the fonts' metrics.
	tests := []struct {
		name, text, fits string
		want             []string
	}{
		{"Chinese breaks between any characters", "本人申请分期还款", "本人申请", []string{"本人申请", "分期还款"}},
		{"comma stays with the character before it", "本人申请，分期还款", "本人申请", []string{"本人申", "请，分期", "还款"}},
		{"opening bracket goes with the next character", "本人申（分期）", "本人申请", []string{"本人申", "（分期）"}},
		{"Latin words are not cut", "pay back the loan", "pay back", []string{"pay back", "the loan"}},
		{"a number beside Chinese is not cut", "欠款18,500.00元", "18,500.00", []string{"欠款", "18,500.00", "元"}},
		{"a word wider than the line is cut", strings.Repeat("m", 12), "mmmmm", []string{"mmmmm", "mmmmm", "mm"}},
		{"a combining mark stays with its letter", "e\u0301e\u0301e\u0301", "e\u0301e\u0301", []string{"e\u0301e\u0301", "e\u0301"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fits, _ := shape(tt.fits)
			measure(f, w, fits[0])
			width := w.of(fits[0], bodySize) + 0.001
			lines, _ := shape(tt.text)
			measure(f, w, lines[0])
			var got []string
			for _, l := range wrap(lines[0], width, 0, bodySize, w) {
				got = append(got, string(runesOf(l.glyphs)))
				if l.width > width {
					t.Errorf("line %q is %.1f mm wide, more than %.1f", string(runesOf(l.glyphs)), l.width, width)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrap(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// BenchmarkRender measures a two-page Chinese letter; most of the time is
// fpdf parsing and subsetting the 4 MB CJK font, which it redoes per
// document.
func BenchmarkRender(b *testing.B) {
	if !Available() {
		b.Skip("no CJK font")
	}
	d := SampleLetter()
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
