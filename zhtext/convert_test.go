package zhtext

import (
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// commonSimplified are words the bot reads and writes every day; each must
// survive ToTraditional then ToSimplified unchanged.
var commonSimplified = []string{
	"还款", "协商", "逾期", "银行", "借呗", "花呗", "微粒贷", "网商贷", "信用卡", "征信",
	"催收", "利息", "本金", "分期", "减免", "停息挂账", "个性化分期", "律师函", "起诉", "法院",
	"头发", "发展", "以后", "皇后", "面条", "里面", "了解", "干净", "系统", "关系",
	"余额", "钟表", "后来", "只有", "一只", "台湾", "于是", "复杂", "回复", "答复",
	"范围", "准备", "制度", "征收", "冲突", "获得", "收获", "家人", "电话", "短信",
	"我欠了三万五，已经逾期两个月了，怎么办？",
}

func TestToTraditional(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc 123", "abc 123"},
		{"头发", "頭髮"},
		{"发展", "發展"},
		{"以后", "以後"},
		{"皇后", "皇后"},
		{"面条", "麵條"}, // OpenCC writes 麪, not 麵
		{"还款", "還款"},
		{"微粒贷逾期了", "微粒貸逾期了"},
		{"我的头发很长，以后再说", "我的頭髮很長，以後再說"},
		{"理发店发展得很快", "理髮店發展得很快"},
		{"wǒ 发", "wǒ 發"},
	}
	for _, tt := range tests {
		if got := ToTraditional(tt.in); got != tt.want {
			t.Errorf("ToTraditional(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestToSimplified(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"頭髮", "头发"},
		{"發展", "发展"},
		{"以後", "以后"},
		{"麵條", "面条"},
		{"麵條", "面条"},
		{"還款協商", "还款协商"},
		{"我欠了三萬塊", "我欠了三万块"},
		{"乾隆", "乾隆"}, // a phrase keeps 乾
		{"乾淨", "干净"},
		{"瞭解", "了解"},
		{"臺灣", "台湾"},
		{"裡面", "里面"},
		{"already simplified 还款", "already simplified 还款"},
	}
	for _, tt := range tests {
		if got := ToSimplified(tt.in); got != tt.want {
			t.Errorf("ToSimplified(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSimplifiedSurvivesRoundTrip(t *testing.T) {
	for _, w := range commonSimplified {
		tr := ToTraditional(w)
		if got := ToSimplified(tr); got != w {
			t.Errorf("ToSimplified(ToTraditional(%q)) = %q (via %q)", w, got, tr)
		}
	}
}

func TestIsTraditional(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"hello", false},
		{"我欠了三万块", false},
		{"我欠了三萬塊", true},
		{"逾期", false}, // the same in both scripts
		{"乾隆", false}, // ToSimplified keeps it
		{"還款", true},
		{"頭髮", true},
		{"Ｆ１２３", false},
	}
	for _, tt := range tests {
		if got := IsTraditional(tt.in); got != tt.want {
			t.Errorf("IsTraditional(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, w := range commonSimplified {
		if IsTraditional(w) {
			t.Errorf("IsTraditional(%q) = true for Simplified text", w)
		}
	}
}

func TestConversionReturnsUnchangedInputWithoutAllocating(t *testing.T) {
	for _, in := range []string{"plain ascii text", "我欠了三万五。已经逾期两个月了", "逾期"} {
		for name, f := range map[string]func(string) string{"ToSimplified": ToSimplified, "Width": Width, "Normalize": Normalize} {
			if got := f(in); unsafe.StringData(got) != unsafe.StringData(in) {
				t.Errorf("%s(%q) returned a copy", name, in)
			}
			if n := testing.AllocsPerRun(10, func() { f(in) }); n != 0 {
				t.Errorf("%s(%q): %v allocations, want 0", name, in, n)
			}
		}
	}
	if n := testing.AllocsPerRun(10, func() { ToTraditional("plain ascii text") }); n != 0 {
		t.Errorf("ToTraditional(ascii): %v allocations, want 0", n)
	}
}

func TestConversionPassesInvalidUTF8Through(t *testing.T) {
	for _, in := range []string{"\xff頭髮\xfe", "頭\xe9\xab", "\xe9"} {
		got := ToSimplified(in)
		if strings.Count(got, "\xff")+strings.Count(got, "\xfe") != strings.Count(in, "\xff")+strings.Count(in, "\xfe") {
			t.Errorf("ToSimplified(%q) = %q lost bytes", in, got)
		}
		_ = ToTraditional(in)
	}
}

// The generated tables must keep the shape convert.go reads them in.
func TestGeneratedTablesAreWellFormed(t *testing.T) {
	for name, chars := range map[string]string{"s2tChars": s2tChars, "t2sChars": t2sChars} {
		if !utf8.ValidString(chars) || utf8.RuneCountInString(chars)%2 != 0 || len(chars) < 1000 {
			t.Errorf("%s: not pairs of runes", name)
		}
	}
	for name, phrases := range map[string]string{"s2tPhrases": s2tPhrases, "t2sPhrases": t2sPhrases} {
		n := 0
		for line := range strings.Lines(phrases) {
			n++
			from, to, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
			if !ok || utf8.RuneCountInString(from) < 2 || utf8.RuneCountInString(from) != utf8.RuneCountInString(to) {
				t.Errorf("%s: malformed line %q", name, line)
			}
		}
		if n == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestWidth(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ｆ１２３", "F123"},
		{"３５０００", "35000"},
		{"a\u3000b", "a b"},
		{"！（）：，．％", "!():,.%"},
		{"０９：００", "09:00"},
		{"￥30000", "¥30000"},
		{"好的。、「」《》", "好的。、「」《》"}, // CJK punctuation stays
		{"ｈｅｌｌｏ　ｗｏｒｌｄ", "hello world"},
		{"mixed Ａ and A", "mixed A and A"},
	}
	for _, tt := range tests {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"hello", "hello"},
		{"  Hello   World \n", "hello world"},
		{"微粒貸　逾期", "微粒贷 逾期"},
		{"ＷＥＩＬＩＤＡＩ 逾期", "weilidai 逾期"},
		{"能\t\t起訴我嗎？", "能 起诉我吗?"},
		{"a\u00a0b", "a b"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
