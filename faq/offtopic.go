package faq

import "strings"

// offTopic are phrases that name a problem of another domain that shares
// words with this one: unpaid wages (工资, 老板, 仲裁), a car accident
// (repair, 理赔), travel (visit), a broken network or device. A question
// holding one has the phrase blanked before ranking and its confidence
// halved: alone it is out of scope; next to a real debt question (拖欠工资，
// 网贷还不上了) the debt question still gets its answer. Normalised
// (Simplified, lower case); English phrases match whole words.
var offTopic = []string{
	// wages and employment ("工资还没发" is a payday, not a dispute: not here)
	"拖欠工资", "拖欠薪水", "拖欠薪资", "欠薪", "讨薪", "欠我工资", "欠我的工资", "不发工资", "工资不发",
	"克扣工资", "扣我工资", "加班费", "劳动仲裁", "劳动合同", "经济补偿金", "辞退补偿",
	"unpaid wages", "unpaid salary", "owed wages", "owes me wages", "overtime pay", "back pay", "wage theft",
	// road accidents
	"车祸", "交通事故", "撞车", "追尾", "剐蹭", "car accident", "car crash", "traffic accident", "fender bender",
	"修车", "维修费", "车险", "保险理赔", "car repair", "repair shop", "repairs", "insurance claim",
	// travel
	"旅游攻略", "景点", "好玩的地方", "去哪玩", "places to visit", "place to visit", "sightseeing", "tourist",
	"travel tips", "things to do in", "vacation",
	// devices and networks
	"wifi", "wi-fi", "路由器", "router", "宽带", "broadband", "网速", "断网", "死机", "当机", "开不了机", "蓝屏",
}

// offTopicPairs are the same for phrases with words between their two
// parts ("拖欠我三个月工资", "my boss still hasn't paid"): the second part
// follows the first within gap bytes, and the whole span is blanked.
var offTopicPairs = []struct {
	first, second []string
	gap           int
}{
	{[]string{"拖欠我", "拖欠了我", "欠我", "欠了我", "克扣"}, []string{"工资", "薪水", "薪资", "加班费"}, 24},
	// the employer not paying the user, not the user not paying a lender
	{[]string{"employer", "boss"}, []string{"hasn't paid", "has not paid", "haven't paid", "didn't pay", "did not pay", "won't pay",
		"not paid", "not paying", "owes me", "withheld", "withholding"}, 20},
}

// blankOffTopic blanks the off-topic phrases of s (normalised) and reports
// whether there was one.
func blankOffTopic(s string) (string, bool) {
	found := false
	for _, p := range offTopicPairs {
		for _, a := range p.first {
			i := indexWord(s, a)
			if i < 0 {
				continue
			}
			rest := s[i+len(a):]
			for _, b := range p.second {
				if j := indexWord(rest, b); j >= 0 && j <= p.gap {
					s = s[:i] + " " + rest[j+len(b):]
					found = true
					break
				}
			}
		}
	}
	for _, p := range offTopic {
		for i := indexWord(s, p); i >= 0; i = indexWord(s, p) {
			s = s[:i] + " " + s[i+len(p):]
			found = true
		}
	}
	return s, found
}

// indexWord is strings.Index, but an English phrase must stand as whole
// words ("wifi" not in "wifiless", "tourist" not in "touristy").
func indexWord(s, p string) int { return findWord(s, p, false) }

// findWord is the index of p in s where an ASCII p starts a word and, unless
// prefix, also ends one; a p with other characters is found anywhere.
func findWord(s, p string, prefix bool) int {
	if !isASCII(p) {
		return strings.Index(s, p)
	}
	for off := 0; ; {
		i := strings.Index(s[off:], p)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(p)
		if (i == 0 || !isWordByte(s[i-1])) && (prefix || end == len(s) || !isWordByte(s[end])) {
			return i
		}
		off = i + 1
	}
}

// debtSignals are the words of a question about debt: a loan, owing,
// repaying, being overdue, collectors, courts, the credit record, interest.
// A question with none of them ("怎么申请信用卡", "支付宝怎么转账", "老板不给我交社保")
// names this domain's platforms or people without its problem: it keeps
// 40 % of its confidence, so only a near-certain match is answered. Matched after
// normalising and aliasing (weilidai → 微粒贷 …); English as whole words or
// word starts.
var debtSignals = []string{
	"贷", "借", "欠", "债", "还款", "还钱", "还不", "还清", "还了", "还上", "还完", "逾期", "催", "起诉", "诉讼", "法院", "传票",
	"判决", "执行", "失信", "冻结", "征信", "利息", "罚息", "利率", "违约金", "分期", "协商", "本金", "花呗", "白条", "仲裁",
	"律师", "坐牢", "判刑", "恶意透支", "破产", "最低还", "停息", "挂账", "减免", "账单", "爆通讯录", "通讯录", "黑名单",
	"不还", "要还", "都还", "时效", "应急", "预备金", "12348", "12378", "12368", "12356", "被告", "开庭", "立案", "案件",
	"代理", "缴", "最低", "本息", "额度",
	"lawyer", "debt", "loan", "owe", "overdue", "repay", "paid back", "pay back", "pay off", "collector", "collection",
	"sue", "lawsuit", "court", "summons", "credit report", "credit record", "credit score", "interest", "penalt",
	"installment", "instalment", "bankrupt", "arbitrat", "jail", "prison", "freeze", "frozen", "settle", "negotiat",
	"late payment", "minimum payment", "harass", "legal aid", "judgment", "judgement", "enforcement", "emergency fund",
	"principal", "paid off", "limitation", "minimum due", "hardship",
}

// hasDebtSignal reports whether s (normalised, aliased) speaks of debt.
func hasDebtSignal(s string) bool {
	for _, w := range debtSignals {
		if findWord(s, w, true) >= 0 {
			return true
		}
	}
	return false
}
