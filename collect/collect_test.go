package collect

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"loanbot/i18n"
)

func TestMain(m *testing.M) {
	if err := Load(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func ids(cs []Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// collectorMessages are collection texts written for the tests in the
// shapes borrowers paste: SMS with short links, WeChat voice transcripts
// without punctuation, long threats, Traditional and full-width text,
// English. want lists the claims in the order they appear; exact asks for
// nothing else.
var collectorMessages = []struct {
	text  string
	want  []string
	exact bool
}{
	// zh-Hans SMS
	{"您已涉嫌诈骗，明日移交公安机关", []string{"criminal-threat"}, true},
	{"已立案，法院将上门执行并冻结你的微信支付宝", []string{"court-notice-claim", "enforcement-claim", "freeze-accounts"}, true},
	{"再不还就通知你单位和全部通讯录", []string{"contact-third-parties", "contact-list-blast"}, true},
	{"请转账到以下个人账户：6222 0000 1111 2222 张某", []string{"personal-account"}, true},
	{"【法务中心】您在XX平台的借款已逾期97天，我司已将案件提交律师事务所，3日内未处理将正式立案，详情 http://t.cn/A6xYz9 回T退订", []string{"lawyer-letter", "court-notice-claim"}, true},
	{"【催收通知】尊敬的李先生，您的欠款已移交公安经侦部门，涉嫌贷款诈骗，请于今日18点前还清，否则后果自负。", []string{"criminal-threat"}, true},
	{"您的传票已生成，案号(2026)粤0305民初12345号，请点击 http://t.cn/Rx8kq 查看并联系承办人", []string{"court-notice-claim"}, true},
	{"最后通知：今天不还款，明天安排外访人员到你家和你单位上门核实", []string{"door-visit"}, true},
	{"我们会把你的欠款信息发给你通讯录里的每一个人，让大家看看你是什么人", []string{"contact-list-blast"}, true},
	{"你这个老赖，不要脸，借钱不还不得好死", []string{"insult"}, true},
	{"再不还钱你出门小心点，我们知道你住哪", []string{"violence-threat"}, true},
	{"逾期将上报央行征信，影响你一辈子，征信永久留下污点", []string{"credit-forever"}, true},
	{"已将你列入失信被执行人名单，全国限制高消费，不能坐飞机高铁", []string{"blacklist-threat"}, true},
	{"您的欠款父债子还，你的紧急联系人要承担连带责任", []string{"family-liability"}, true},
	{"专业征信洗白，内部渠道删除逾期记录，三天见效，加V：xyz123", []string{"credit-repair-offer"}, true},
	{"我司将向法院起诉，届时你名下所有银行卡将被冻结", []string{"lawsuit-threat", "freeze-accounts"}, true},
	{"已发律师函至你户籍地，请于48小时内联系处理", []string{"lawyer-letter"}, true},
	{"今天不处理我们就把你的照片做成老赖海报发朋友圈和抖音曝光", []string{"public-exposure"}, true},
	{"你已构成信用卡恶意透支，银行将报案处理", []string{"card-malicious-overdraft"}, true},
	{"你有能力不还就是拒执罪，等着坐牢吧", []string{"refuse-judgment-crime", "criminal-threat"}, true},
	{"扫码还款，收款码如下，还完截图发我", []string{"personal-account"}, true},
	// WeChat voice transcripts, no punctuation
	{"喂你好我是微粒贷委外的你这个欠款已经逾期很久了我们这边马上就要联系你单位领导还有你家人了你自己考虑清楚", []string{"contact-third-parties"}, true},
	{"我跟你说你再不还我们就派人上门去你家找你父母你父母也要负责还的知道吗", []string{"door-visit", "contact-third-parties", "family-liability"}, true},
	{"你现在不还的话我们法务部已经准备起诉了到时候法院直接冻结你的支付宝微信零钱你一分钱都用不了", []string{"lawyer-letter", "lawsuit-threat", "freeze-accounts"}, true},
	{"别以为躲着就没事我们已经报警了警察很快就会上门抓你", []string{"criminal-threat"}, false},
	// long threat
	{strings.Repeat("欠债还钱天经地义。", 20) + "你的案件已经进入司法程序，法院会查封你名下的房子和车子。" + strings.Repeat("请尽快联系我们。", 30) + "不还就爆你通讯录。", []string{"lawsuit-threat", "freeze-accounts", "contact-list-blast"}, true},
	// zh-Hant
	{"您已涉嫌詐騙，明日移交公安機關", []string{"criminal-threat"}, true},
	{"已立案，法院將上門執行並凍結你的微信支付寶", []string{"court-notice-claim", "enforcement-claim", "freeze-accounts"}, true},
	{"再不還就通知你單位和全部通訊錄", []string{"contact-third-parties", "contact-list-blast"}, true},
	{"請轉帳到以下個人賬戶", []string{"personal-account"}, true},
	{"【法務部】您的欠款已嚴重逾期，律師函已寄出，將追究您的刑事責任。", []string{"lawyer-letter", "criminal-threat"}, true},
	{"你個老賴，全家死光，出門小心", []string{"insult", "violence-threat"}, true},
	{"將你列入黑名單，並通知你公司人事部門", []string{"blacklist-threat", "contact-third-parties"}, true},
	{"我們明天派人上門催收，地址已鎖定", []string{"door-visit"}, true},
	// full-width
	{"ＸＸ金融：您已逾期，今日不還款將移交公安，詳情ｈｔｔｐ：／／ｔ．ｃｎ／ａｂｃ", []string{"criminal-threat"}, true},
	{"传票编号：２０２６０１０１，开庭时间已确定，请勿错过", []string{"court-notice-claim"}, true},
	// English
	{"FINAL NOTICE: Your loan is 90 days overdue. Your case has been filed and you will be ARRESTED for fraud if you do not pay today. http://t.cn/xYz1", []string{"court-notice-claim", "criminal-threat"}, true},
	{"We will freeze your WeChat and Alipay accounts and contact your employer tomorrow.", []string{"freeze-accounts", "contact-third-parties"}, true},
	{"Pay now or we will send a message to everyone in your contact list.", []string{"contact-list-blast"}, true},
	{"Transfer the money to the following account: 6222 1234 (personal account of our agent).", []string{"personal-account"}, true},
	{"This is a lawyer’s letter from the law firm representing the lender.", []string{"lawyer-letter"}, true},
	{"We can repair your credit and remove overdue records for a small fee.", []string{"credit-repair-offer"}, true},
	{"You idiot, pay up or you'll regret it. We know where you live.", []string{"insult", "violence-threat"}, true},
	{"Your family will have to pay your debts, they are jointly liable.", []string{"family-liability"}, false},
	{"You are now on the blacklist and a travel ban will follow.", []string{"blacklist-threat"}, true},
	{"Our team will visit your home and your workplace this week.", []string{"door-visit", "contact-third-parties"}, true},
	{"We are taking legal action; expect a lawsuit and enforcement by the court bailiffs.", []string{"lawsuit-threat", "enforcement-claim"}, true},
}

func TestCheckFindsCollectorClaims(t *testing.T) {
	if len(collectorMessages) < 40 {
		t.Fatalf("only %d collector messages, want at least 40", len(collectorMessages))
	}
	for _, tc := range collectorMessages {
		got := ids(Check(tc.text))
		if tc.exact {
			if !slices.Equal(got, tc.want) {
				t.Errorf("Check(%q) = %v, want exactly %v", tc.text, got, tc.want)
			}
		} else {
			// The wanted claims, in this order, among possibly others.
			i := 0
			for _, id := range got {
				if i < len(tc.want) && id == tc.want[i] {
					i++
				}
			}
			if i < len(tc.want) {
				t.Errorf("Check(%q) = %v, want at least %v in order", tc.text, got, tc.want)
			}
		}
		if !LooksLikeCollection(tc.text) {
			t.Errorf("LooksLikeCollection(%q) = false", tc.text)
		}
	}
}

// lenderMessages are ordinary messages from lenders: due-date notices,
// official offers, payment confirmations, customer-service replies. None
// may be told it is false or unlawful. collection marks the ones that are
// about an overdue debt, which the bot may offer to check.
var lenderMessages = []struct {
	text       string
	collection bool
}{
	{"【微众银行】您的微粒贷本期应还1,234.56元，还款日为3月20日，请确保绑定银行卡余额充足。", false},
	{"【招商银行】您尾号1234的信用卡本期账单已出，最低还款额500.00元，到期还款日04月05日。", false},
	{"【网商银行】您的网商贷已还款成功，本次还款金额2,000.00元，感谢您的支持。", false},
	{"尊敬的客户，您申请的分期还款方案已审核通过，共分12期，每期还款860元，请在App内确认。", false},
	{"您好，这里是官方客服。我们不会要求您向任何个人账户转账，请通过官方App还款，谨防诈骗。", false},
	{"温馨提示：谨防“征信修复”骗局，征信记录不能花钱删除。", false},
	{"Your repayment of CNY 1,500.00 has been received. Thank you.", false},
	{"Reminder: your instalment of CNY 860 is due on 20 March. Please pay in the official app.", false},
	{"Hello, this is customer service. We never ask you to pay into a personal account. Beware of fraud.", false},
	{"您好，您的提前还款申请已受理，预计1个工作日内完成。", false},
	{"【花呗】本月账单1,024.00元，4月10日到期，可在支付宝内查看明细。", false},
	{"您的借款额度已提升至50,000元，欢迎使用。", false},
	{"感谢您的耐心等待，关于减免罚息的申请，我们会在3个工作日内回复您。", false},
	{"您好，您的还款计划已变更，请登录App查看新的还款日期。", false},
	{"您本期账单已逾期2天，请尽快在App内还款，逾期信息将按规定报送征信。", true},
	{"【XX消费金融】您的借款已逾期，如有困难可在App内申请协商还款，我司客服将与您联系。", false},
	{"您已逾期15天，我行将依法通过诉讼途径追索欠款，请尽快还款。", true},
	{"本行信用卡中心温馨提示：您的卡片已逾期，请于5日内还款。催收通知仅通过官方号码发送。", true},
	{"您好，很高兴为您服务，请问还有什么可以帮您？", false},
	{"Your statement is ready. Minimum payment CNY 300 due 5 April. Log in to the app for details.", false},
}

func TestCheckLeavesLenderMessagesAlone(t *testing.T) {
	if len(lenderMessages) < 20 {
		t.Fatalf("only %d lender messages, want at least 20", len(lenderMessages))
	}
	for _, tc := range lenderMessages {
		for _, c := range Check(tc.text) {
			if c.Verdict == False || c.Verdict == Unlawful {
				t.Errorf("Check(%q): %s (%s) on an ordinary lender message", tc.text, c.ID, c.Verdict)
			}
		}
		if got := LooksLikeCollection(tc.text); got != tc.collection {
			t.Errorf("LooksLikeCollection(%q) = %v, want %v", tc.text, got, tc.collection)
		}
	}
}

func TestCheckReportsEachClaimOnceInOrder(t *testing.T) {
	text := "冻结你的微信。已立案。再说一次冻结你的支付宝，已立案，移交公安。"
	got := ids(Check(text))
	want := []string{"freeze-accounts", "court-notice-claim", "criminal-threat"}
	if !slices.Equal(got, want) {
		t.Errorf("Check = %v, want %v", got, want)
	}
}

func TestCheckPhrasePartsStayInOneSentence(t *testing.T) {
	if got := ids(Check("我们可以冻结。你的微信是多少？")); len(got) != 0 {
		t.Errorf("parts in two sentences matched: %v", got)
	}
	if got := ids(Check("冻结\n微信")); len(got) != 0 {
		t.Errorf("parts on two lines matched: %v", got)
	}
}

func TestCheckEnglishMatchesWholeWords(t *testing.T) {
	for _, s := range []string{"There is an issue with your statement.", "The policeman's hat", "antifraud team"} {
		if got := Check(s); len(got) != 0 {
			t.Errorf("Check(%q) = %v, want nothing", s, ids(got))
		}
	}
}

func TestQuoteIsFromTheMessageAsTyped(t *testing.T) {
	for _, tc := range []struct{ text, id, quote string }{
		{"您已涉嫌詐騙，明日移交公安機關", "criminal-threat", "您已涉嫌詐騙"},
		{"ＸＸ：今日不還款將移交公安", "criminal-threat", "ＸＸ：今日不還款將移交公安"},
		{"Hello.\nWe will contact   your employer tomorrow, sir.", "contact-third-parties", "will contact your employer tomorrow"},
	} {
		for _, c := range Check(tc.text) {
			if c.ID == tc.id && c.Quote != tc.quote {
				t.Errorf("Check(%q): %s quote %q, want %q", tc.text, c.ID, c.Quote, tc.quote)
			}
		}
	}
	long := strings.Repeat("你", 200) + "移交公安" + strings.Repeat("我", 200)
	for _, c := range Check(long) {
		if n := utf8.RuneCountInString(c.Quote); n > maxQuote || !strings.Contains(c.Quote, "移交公安") {
			t.Errorf("long message: quote %q (%d runes)", c.Quote, n)
		}
	}
}

func TestClaimsHaveBothLanguages(t *testing.T) {
	for _, c := range Check("移交公安") {
		if c.Say.In(i18n.ZhHans) == "" || c.Say.In(i18n.En) == "" || c.Say.In(i18n.ZhHant) != c.Say.In(i18n.ZhHans) {
			t.Errorf("%s: say %v", c.ID, c.Say)
		}
	}
	for _, lang := range []string{i18n.ZhHans, i18n.ZhHant, i18n.En} {
		a := Advice(lang)
		if len(a) < 4 {
			t.Errorf("Advice(%s) = %d lines", lang, len(a))
		}
		all := strings.Join(a, "\n")
		for _, want := range []string{"12378", "110"} {
			if !strings.Contains(all, want) {
				t.Errorf("Advice(%s) lacks %s", lang, want)
			}
		}
		// Platform before regulator before police.
		if p, r := strings.Index(all, "12378"), strings.Index(all, "110"); r < p {
			t.Errorf("Advice(%s): 110 before 12378", lang)
		}
	}
}

// forbidden are strings the domain facts' "Do not state" and "Never say"
// lists rule out, as they would appear in a rule.
var forbidden = []string{
	"每天最多", "3次", "三次", "art. 42", "第42条", "42条", "times a day",
	"法释", "法发", // document numbers of Supreme Court interpretations
	"12363", "24%红线", "助贷新规",
	"失信名单期限", "年内", // 失信名单期限 and other durations not in the facts
	"仲裁法 arts. 58", "6个月",
	"不会起诉", "不会被起诉", "will not sue", "won't sue", "不会上征信",
}

func TestRulesAreValid(t *testing.T) {
	rs, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rs.rules {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		if len(r.Phrases) == 0 {
			t.Errorf("%s: no phrases", r.ID)
		}
		if !slices.Contains(verdicts, r.Verdict) {
			t.Errorf("%s: verdict %q", r.ID, r.Verdict)
		}
		if r.Say[i18n.ZhHans] == "" || r.Say[i18n.En] == "" || r.Basis == "" {
			t.Errorf("%s: say or basis missing", r.ID)
		}
		if r.Basis == "—" && r.ID != "personal-account" {
			t.Errorf("%s: basis \"—\" is only for practice advice", r.ID)
		}
		// Each claim must find its own phrases.
		for _, p := range r.Phrases {
			probe := strings.NewReplacer("…", " ", "...", " ", "*", "").Replace(p)
			if strings.Contains(probe, "|") {
				continue // alternatives: covered by the message tables
			}
			if got := ids(Check(probe)); !slices.Contains(got, r.ID) && !yielded(rs, r, got) {
				t.Errorf("%s: phrase %q alone gives %v", r.ID, p, got)
			}
		}
	}
	if len(rs.rules) < 15 {
		t.Errorf("only %d claims", len(rs.rules))
	}
	text := strings.ToLower(string(data))
	for _, f := range forbidden {
		if strings.Contains(text, strings.ToLower(f)) {
			t.Errorf("rules.yaml contains forbidden %q", f)
		}
	}
}

func yielded(rs *ruleSet, r *rule, got []string) bool {
	for _, j := range r.yield {
		if slices.Contains(got, rs.rules[j].ID) {
			return true
		}
	}
	return false
}

func TestParseRejectsBadRules(t *testing.T) {
	for name, y := range map[string]string{
		"empty":          "claims: []\n",
		"bad verdict":    "claims:\n- {id: a, verdict: maybe, phrases: [x], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"no phrases":     "claims:\n- {id: a, verdict: \"false\", phrases: [], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"no en":          "claims:\n- {id: a, verdict: \"false\", phrases: [x], say: {zh-Hans: 甲}, basis: b, reviewed: 2026-11-29}\n",
		"empty part":     "claims:\n- {id: a, verdict: \"false\", phrases: [\"x…\"], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"unknown field":  "claims:\n- {id: a, verdict: \"false\", phrase: [x], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"bad yield":      "claims:\n- {id: a, verdict: \"false\", phrases: [x], yield_to: [b], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"not yaml":       "claims: [\n",
		"no reviewed":    "claims:\n- {id: a, verdict: \"false\", phrases: [x], say: {zh-Hans: 甲, en: a}, basis: b}\n",
		"duplicate ids":  "claims:\n- {id: a, verdict: \"false\", phrases: [x], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n- {id: a, verdict: \"false\", phrases: [y], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\n",
		"missing advice": "claims:\n- {id: a, verdict: \"false\", phrases: [x], say: {zh-Hans: 甲, en: a}, basis: b, reviewed: 2026-11-29}\nmarkers: {debt: [x], action: [y]}\n",
	} {
		if _, err := parse([]byte(y)); err == nil {
			t.Errorf("%s: parse accepted bad rules", name)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, tc := range collectorMessages {
		f.Add(tc.text)
	}
	for _, tc := range lenderMessages {
		f.Add(tc.text)
	}
	f.Add("冻结冻结冻结…微信|")
	f.Add("\xff\xfe冻结\x00微信")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range Check(s) {
			if c.ID == "" || utf8.RuneCountInString(c.Quote) > maxQuote {
				t.Errorf("Check(%q): claim %+v", s, c)
			}
		}
		LooksLikeCollection(s)
	})
}

// bigMessages are 64 KB inputs: a realistic mix, and texts built to make a
// matcher backtrack or rescan (a first part repeated with no second part,
// one long English word, unbroken repeats of the markers).
func bigMessages() map[string]string {
	const size = 64 << 10
	fill := func(unit string) string {
		s := strings.Repeat(unit, size/len(unit)+1)
		return strings.ToValidUTF8(s[:size], "")
	}
	var mix strings.Builder
	for mix.Len() < size {
		for _, tc := range collectorMessages {
			mix.WriteString(tc.text)
			mix.WriteString("\n")
		}
	}
	return map[string]string{
		"mix":         strings.ToValidUTF8(mix.String()[:size], ""),
		"traditional": fill("您的欠款已嚴重逾期，律師函已寄出，將凍結您名下的財產並通知家人。"),
		"first-part":  fill("冻结"),
		"near-miss":   fill("冻结你的这个那个这个那个这个那个"),
		"word":        fill("a"),
		"english":     fill("freeze freeze your the the the the the the the the the the account "),
		"markers":     fill("逾期通知"),
	}
}

func BenchmarkCheck64K(b *testing.B) {
	for name, s := range bigMessages() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				Check(s)
			}
		})
	}
}
