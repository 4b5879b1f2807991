package bot_test

import (
	"context"
	"strings"
	"testing"

	"loanbot/bot"
	"loanbot/store/storetest"
)

// The issue's own example: 35,000 owed, 8,000 income, 5,000 expenses, no
// other debts → (8000 − 5000) × 70 % = 2,100 a month, 17 months.
func TestPrepByFreeTextInSimplifiedChinese(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("prep-hans")
	transcript(t, e, u, []step{
		{"/prep", "是哪个平台的欠款"},
		{"微粒贷", "现在一共欠多少"},
		{"很多", "我没看出这是多少钱"},
		{"-5", "不能是负数"},
		{"0", "要大于0"},
		{"3万5", "逾期多久"},
		{"两个月", "税后收入"},
		{"8000", "必要的生活开支"},
		{"5000", "其他欠款每月"},
		{"skip", "主要原因"},
		{"失业", "希望和平台谈成什么"},
		{"分期", "平台：微粒贷"},
	})
	got := chat(t, e, u, "确认")
	for _, want := range []string{"建议每月还2,100元", "约17个月还清", "95384", "分期", "离职证明", "以贷养贷", "书面"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	// The plan is saved: /plan shows it again.
	if got := chat(t, e, u, "/plan"); !strings.Contains(got, "2,100元") {
		t.Errorf("/plan: %s", got)
	}
}

func TestPrepInEnglishWithBackAndEditFromSummary(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("prep-en")
	transcript(t, e, u, []step{
		{"/lang", ""}, {"English", "English"},
		{"/prep", "which lender"},
		{"credit card", "How much do you owe"},
		{"back", "which lender"},
		{"credit card", "How much do you owe"},
		{"¥50,000", "How long have you been overdue"},
		{"back", "How much do you owe"},
		{"50k", "How long"},
		{"3 months", "after tax"},
		{"back", "How long"},
		{"90 days", "after tax"},
		{"10000", "essentials"},
		{"back", "after tax"},
		{"10000", "essentials"},
		{"6000", "other debts"},
		{"back", "essentials"},
		{"6000", "other debts"},
		{"1000", "main reason"},
		{"back", "other debts"},
		{"1000", "main reason"},
		{"illness", "agree with the lender"},
		{"back", "main reason"},
		{"illness", "agree with the lender"},
		{"not sure", "Owed: ¥50,000"},
		{"Edit income", "after tax"},
		{"12000", "Monthly income: ¥12,000"}, // an edit returns to the summary
	})
	got := chat(t, e, u, "Confirm, make my plan")
	// (12000 − 6000 − 1000) × 70 % = 3,500 a month → 15 months; a card → personalised instalments.
	for _, want := range []string{"offer ¥3,500 a month", "about 15 months", "Personalised instalments", "up to five years", "may refuse", "diagnosis"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
}

func TestPrepInTraditionalChineseResumesAfterRestart(t *testing.T) {
	st := storetest.Store(t)
	u := storetest.User("prep-hant")
	transcript(t, newEngine(t, st), u, []step{
		{"/lang", ""}, {"繁體中文", "繁體"},
		{"/prep", "是哪個平臺的欠款"},
		{"網商貸", "現在一共欠多少"},
		{"兩萬", "逾期多久"},
	})
	transcript(t, newEngine(t, st), u, []step{ // a new process
		{"還沒逾期", "稅後收入"},
		{"失業", "必要的生活開支"}, // the "no income" button by its word
		{"3000", "其他欠款"},
		{"沒有", "主要原因"},
		{"疾病/意外", "希望"},
		{"延期", "平臺：網商貸"},
	})
	got := chat(t, newEngine(t, st), u, "1") // button 1: confirm
	for _, want := range []string{"沒有結餘", "12348", "延期", "95188"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
}

func TestPrepRejectsImplausibleNumbers(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("prep-range")
	transcript(t, e, u, []step{
		{"/prep", ""}, {"借呗", "欠多少"},
		{"2亿", "不超过1亿元"},
		{"20000", "逾期多久"},
		{"10天", "收入"},
		{"5000", "开支"},
		{"50000000", "一千倍以上"},
		{"4000", "其他欠款"},
	})
}

func TestPlanChartIsAnImage(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("chart")
	for _, s := range []string{"/prep", "花呗", "12000", "30天", "6000", "3000", "0", "其他", "不确定", "确认"} {
		chat(t, e, u, s)
	}
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: "cmd:/plan chart"})
	if err != nil || len(reps) != 1 || reps[0].Image == nil || len(reps[0].Image.Data) < 1000 {
		t.Fatalf("chart: err=%v replies=%+v", err, reps)
	}
	if string(reps[0].Image.Data[1:4]) != "PNG" {
		t.Error("chart is not a PNG")
	}
}

func TestCallLogSavedAndListed(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("log")
	transcript(t, e, u, []step{
		{"/log", "什么时候打的"},
		{"刚刚", "哪个平台"},
		{"微粒贷", "工号"},
		{"A1234", "提出了什么方案"},
		{"分12期", "谈成了什么"},
		{"skip", "下一步要做什么"},
		{"提交证明", "下一步是哪天"},
		{"2026-12-01", "那天提醒我"},
		{"/logs", "A1234"},
	})
	if n, _ := st.UserKeyCount(context.Background(), "test:"+u); n < 2 {
		t.Fatalf("keys: %d", n)
	}
	transcript(t, e, u, []step{{"/forget", ""}, {"确认", "已删除"}})
	if n, _ := st.UserKeyCount(context.Background(), "test:"+u); n != 0 {
		t.Errorf("%d keys left after /forget", n)
	}
}
