package lenders

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDirectoryIsValid(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	if n := len(All()); n < 25 {
		t.Errorf("%d lenders, want at least 25", n)
	}
	ids := map[string]bool{}
	for _, l := range All() {
		if ids[l.ID] {
			t.Errorf("duplicate id %q", l.ID)
		}
		ids[l.ID] = true
		if ByID(l.ID) != l {
			t.Errorf("ByID(%q) is not the lender", l.ID)
		}
		if l.Name.In("zh-Hans") == "" || l.Name.In("en") == "" || l.Contact.In("zh-Hans") == "" || l.Contact.In("en") == "" {
			t.Errorf("%s: missing a name or contact", l.ID)
		}
		if l.Name.In("zh-Hant") != l.Name.In("zh-Hans") {
			t.Errorf("%s: zh-Hant readers should get the zh-Hans text to convert", l.ID)
		}
	}
}

// TestAliasNamesOneLender pins that no name leads to two lenders, whatever
// script or width it is typed in.
func TestAliasNamesOneLender(t *testing.T) {
	owner := map[string]string{}
	for _, l := range All() {
		for _, list := range [][]string{l.Aliases, l.Exact} {
			for _, a := range list {
				c, _ := canon(a)
				if o, ok := owner[c]; ok && o != l.ID {
					t.Errorf("alias %q is %s's and %s's", a, o, l.ID)
				}
				owner[c] = l.ID
				if got, ok := Find(a); !ok || got != l {
					t.Errorf("Find(%q) = %v, want %s", a, id(got), l.ID)
				}
			}
		}
		for _, p := range l.Pinyin {
			if got, ok := Find(p); !ok || got != l {
				t.Errorf("Find(%q) = %v, want %s", p, id(got), l.ID)
			}
		}
	}
}

func TestEveryPhoneHasTwoSourcesAndADate(t *testing.T) {
	for _, l := range All() {
		if l.Phone == "" {
			continue
		}
		if len(l.PhoneSources) < 2 || l.PhoneSources[0] == l.PhoneSources[1] || l.PhoneChecked == "" {
			t.Errorf("%s: phone %s without two sources and a date", l.ID, l.Phone)
		}
	}
}

// TestNegotiateChoicesExist pins the ids dialogs/negotiate.go stores.
func TestNegotiateChoicesExist(t *testing.T) {
	for _, id := range []string{"weilidai", "jiebei", "huabei", "mybank", "card", "other"} {
		if ByID(id) == nil {
			t.Errorf("no lender %q", id)
		}
	}
}

func TestKindsDecideLicenceAndCap(t *testing.T) {
	tests := []struct {
		id       string
		licensed bool
		cap      Cap
	}{
		{"weilidai", true, CapExempt},
		{"jiebei", true, CapExempt},
		{"mashang", true, CapExempt},
		{"cmb", true, CapExempt},
		{"card", true, CapExempt},
		{"meituan", false, CapDepends},
		{"qifu", false, CapDepends},
		{"other", false, CapDepends},
	}
	for _, tt := range tests {
		l := ByID(tt.id)
		if l.Licensed() != tt.licensed || l.PrivateLendingCap() != tt.cap {
			t.Errorf("%s: Licensed %v cap %v, want %v %v", tt.id, l.Licensed(), l.PrivateLendingCap(), tt.licensed, tt.cap)
		}
	}
	micro := &Lender{Kind: Microloan}
	if micro.Licensed() || micro.PrivateLendingCap() != CapExempt {
		t.Error("a microloan company is not a licensed lender but is outside the private-lending cap")
	}
	var none *Lender
	if none.Licensed() || none.PrivateLendingCap() != CapDepends {
		t.Error("an unknown lender: not known to be licensed, cap depends")
	}
}

func TestFindNamesTheLender(t *testing.T) {
	tests := []struct{ text, want string }{
		// exact names and names inside a message
		{"微粒贷", "weilidai"},
		{"美团欠了8000", "meituan"},
		{"我借呗逾期三个月了", "jiebei"},
		{"花呗还不上怎么办", "huabei"},
		{"网商贷逾期会被起诉吗", "mybank"},
		{"京东金条欠了两万", "jd"},
		{"京东白条逾期", "jd"},
		{"360借条天天打电话", "qifu"},
		{"分期乐催收爆通讯录", "fenqile"},
		{"安逸花能协商吗", "mashang"},
		{"马上消费金融起诉我了", "mashang"},
		{"招联好期贷逾期", "zhaolian"},
		{"度小满有钱花", "duxiaoman"},
		{"中银消费金融来电话了", "boccfc"},
		{"兴业消费金融", "cibcfc"},
		{"宁银消费金融逾期", "nbcbcfc"},
		{"拍拍贷", "paipaidai"},
		{"平安普惠的借款", "puhui"},
		{"小赢卡贷", "xiaoying"},
		{"你我贷逾期", "niwodai"},
		{"洋钱罐", "yangqianguan"},
		{"还呗", "huanbei"},
		{"白条", "jd"},
		{"信用卡逾期了", "card"},
		// a bank's card beats "a credit card"; a specific lender beats generic
		{"招行信用卡逾期5万", "cmb"},
		{"工商银行信用卡", "icbc"},
		{"建行的卡还不上", "ccb"},
		{"中国银行信用卡", "boc"},
		{"农行信用卡", "abc"},
		{"交通银行信用卡", "bocom"},
		{"浦发信用卡", "spdb"},
		{"中信银行", "citic"},
		{"广发信用卡", "cgb"},
		{"平安银行信用卡", "pingan"},
		{"中行", "boc"},
		// typos and wrong characters
		{"微立贷", "weilidai"},
		{"借贝逾期", "jiebei"},
		{"花贝", "huabei"},
		{"网上贷", "mybank"},
		{"京东金调逾期了", "jd"},
		{"招连金融", "zhaolian"},
		{"安意花", "mashang"},
		{"拍拍带", "paipaidai"},
		// pinyin, with and without spaces, with a slip
		{"jiebei", "jiebei"},
		{"wei li dai overdue", "weilidai"},
		{"i owe huabie 3000", "huabei"},
		{"fenqile", "fenqile"},
		{"huanbei", "huanbei"},
		// Traditional, full-width, case
		{"微粒貸逾期了", "weilidai"},
		{"分期樂", "fenqile"},
		{"還唄", "huanbei"},
		{"ＷｅＢａｎｋ", "weilidai"},
		{"ＪＤ金條", "jd"},
		// English
		{"I owe WeBank money", "weilidai"},
		{"my credit card is overdue", "card"},
		{"China Merchants Bank called me", "cmb"},
		{"MYbank loan", "mybank"},
		{"Meituan", "meituan"},
	}
	for _, tt := range tests {
		got, ok := Find(tt.text)
		if !ok || got.ID != tt.want {
			t.Errorf("Find(%q) = %s, want %s", tt.text, id(got), tt.want)
		}
	}
}

func TestFindIgnoresEverydayWords(t *testing.T) {
	for _, text := range []string{
		"", "今天", "我想问一下", "银行卡被冻结", "银行", "银行给我打电话", "我的银行卡",
		"我分期了还是还不上", "还被催收骚扰", "那就还呗还能怎么办", "我没有钱花了",
		"花钱", "借钱", "我住在北京东城区", "施工行业", "马上还", "信也不信", "卡在这一步了",
		"I went to my bank", "hello", "card games", "其他", "其中行为", "欠了网贷",
		"会坐牢吗", "支付宝", "蚂蚁", "平安", "金融", "消费金融", "中国银行业协会",
	} {
		if got, ok := Find(text); ok {
			t.Errorf("Find(%q) = %s, want none", text, got.ID)
		}
	}
}

func TestFindRefusesAnAmbiguousTypo(t *testing.T) {
	// 京东金条 and 京东白条 are one entry, so a slip between them is fine;
	// two different lenders one slip away must give none.
	d := &directory{}
	a := alias{runes: []rune("甲乙丙丁"), reads: [][]string{readings('甲'), readings('乙'), readings('丙'), readings('丁')}, l: &Lender{ID: "a"}}
	b := alias{runes: []rune("甲乙丙钉"), reads: [][]string{readings('甲'), readings('乙'), readings('丙'), readings('钉')}, l: &Lender{ID: "b"}}
	d.fuzzy = []alias{a, b}
	if l := d.typo("甲乙丙顶"); l != nil {
		t.Errorf("typo = %s, want none", l.ID)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	good := "- {id: a, kind: bank, name: {zh-Hans: 甲, en: A}, lender: {zh-Hans: 甲, en: A}, contact: {zh-Hans: 甲, en: A}, aliases: [甲银行], reviewed: \"2026-11-29\"}\n"
	if _, err := parse([]byte(good)); err != nil {
		t.Fatalf("good entry rejected: %v", err)
	}
	tests := map[string]string{
		"duplicate id":        good + good,
		"alias of two":        good + strings.Replace(good, "id: a", "id: b", 1),
		"unknown kind":        strings.Replace(good, "kind: bank", "kind: pawnshop", 1),
		"missing en name":     strings.Replace(good, "name: {zh-Hans: 甲, en: A}", "name: {zh-Hans: 甲}", 1),
		"bad date":            strings.Replace(good, "2026-11-29", "soon", 1),
		"misspelt field":      strings.Replace(good, "aliases:", "alias:", 1),
		"phone with 1 source": strings.Replace(good, "reviewed:", "phone: \"95000\", phone_sources: [x], phone_checked: \"2026-11-29\", reviewed:", 1),
		"unsourced number":    strings.Replace(good, "contact: {zh-Hans: 甲, en: A}", "contact: {zh-Hans: 打 95000, en: A}", 1),
		"no aliases":          strings.Replace(good, "aliases: [甲银行], ", "", 1),
		"upper-case id":       strings.Replace(good, "id: a", "id: A", 1),
		"not yaml":            "- [",
	}
	for name, y := range tests {
		if _, err := parse([]byte(y)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"美团欠了8000", "微立贷", "wei li dai", "招行信用卡", "北京东路", "ＪＤ金條", "\xff借呗", "huabie", "还呗"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := Find(s)
		if ok != (l != nil) {
			t.Fatalf("Find(%q) = %v, %v", s, l, ok)
		}
		if ok && ByID(l.ID) != l {
			t.Fatalf("Find(%q) returned a lender not in the directory", s)
		}
		if ok && l.ID == "other" {
			t.Fatalf("Find(%q) named the none-of-these entry", s)
		}
		if !utf8.ValidString(s) {
			return
		}
		// Finding is deterministic and the same in either script.
		if l2, _ := Find(s); l2 != l {
			t.Fatalf("Find(%q) changed between calls", s)
		}
	})
}

func id(l *Lender) string {
	if l == nil {
		return "none"
	}
	return l.ID
}
