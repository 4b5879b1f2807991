package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"loanbot/bot"
	"loanbot/store/storetest"
)

// prepDone runs /prep to its plan: 微粒贷 35,000, 60 days, income 8,000,
// expenses 5,000, lost the job, instalments → 2,100 a month.
func prepDone(t *testing.T, e *bot.Engine, u string) {
	t.Helper()
	for _, s := range []string{"/prep", "微粒贷", "3万5", "两个月", "8000", "5000", "skip", "失业", "分期"} {
		chat(t, e, u, s)
	}
	if got := chat(t, e, u, "确认"); !strings.Contains(got, "2,100") {
		t.Fatalf("plan: %s", got)
	}
}

// letter sends text and returns the replies, with their documents.
func letter(t *testing.T, e *bot.Engine, u, text string) []bot.Reply {
	t.Helper()
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return reps
}

// /prep → /letter → a proposal that carries the plan's monthly amount, the
// lender and the reason, the user's own words kept, as text and as a PDF.
func TestLetterProposalFromThePlan(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("letter")
	prepDone(t, e, u)
	transcript(t, e, u, []step{
		{"/letter", "协商还款申请书"},
		{"协商还款申请书", "署名"},
		{"张三", "合同编号"},
		{"WLD-2024-0001", "自己的话"},
	})
	reps := letter(t, e, u, "去年十月被公司裁员，现在在找工作")
	got := render(reps)
	for _, want := range []string{"协商还款申请书", "微粒贷", "35,000元", "2,100元", "失业", "WLD-2024-0001", "张三", "去年十月被公司裁员，现在在找工作"} {
		if !strings.Contains(got, want) {
			t.Errorf("letter lacks %q:\n%s", want, got)
		}
	}
	if d := reps[0].Document; d == nil || !bytes.HasPrefix(d.Data, []byte("%PDF-")) || d.MIME != "application/pdf" {
		t.Errorf("no PDF with the letter: %+v", d)
	}
	// The name is asked once.
	transcript(t, e, u, []step{{"/letter", "困难情况说明"}, {"困难情况说明", "自己的话"}})
	if got := chat(t, e, u, "跳过"); !strings.Contains(got, "离职证明") || !strings.Contains(got, "张三") {
		t.Errorf("hardship statement: %s", got)
	}
}

// A checked collector's message → a complaint that quotes it, with what
// each claim is and its basis.
func TestCheckedMessageBecomesAComplaint(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("complaint")
	const sms = "【催收通知】您已涉嫌诈骗，明日移交公安机关，再不还款就通知你单位和全部通讯录"
	got := chat(t, e, u, sms) // pasted without /check
	for _, want := range []string{"诈骗", "通讯录", "依据"} {
		if !strings.Contains(got, want) {
			t.Errorf("check lacks %q:\n%s", want, got)
		}
	}
	transcript(t, e, u, []step{
		{"/letter complaint", "署名"},
		{"李四", "合同编号"},
		{"不知道", "自己的话"},
	})
	got = chat(t, e, u, "跳过")
	for _, want := range []string{"投诉材料", "李四", "您已涉嫌诈骗", "12378"} {
		if !strings.Contains(got, want) {
			t.Errorf("complaint lacks %q:\n%s", want, got)
		}
	}
}

// English and Traditional readers get their letters and checks.
func TestLetterAndCheckInEnglishAndTraditional(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	en := storetest.User("letter-en")
	prepDone(t, e, en)
	transcript(t, e, en, []step{
		{"/lang", ""}, {"English", "English"},
		{"/letter proposal", "signed with"},
		{"Zhang San", "contract"},
		{"skip", "own words"},
		{"skip", "Repayment proposal"},
		{"/check They said they will freeze your WeChat and Alipay tomorrow", "court"},
	})
	hant := storetest.User("letter-hant")
	prepDone(t, e, hant)
	transcript(t, e, hant, []step{
		{"/lang", ""}, {"繁體中文", ""},
		{"/letter proposal", "署名"},
		{"張三", "合同編號"},
		{"跳過", "自己的話"},
		{"跳過", "協商還款申請書"},
		{"/check 已立案，法院將上門執行並凍結你的微信支付寶", "法院"},
	})
}

// /check works in the middle of a flow, and the flow's question follows.
func TestCheckMidFlowKeepsThePlace(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("check-mid")
	transcript(t, e, u, []step{
		{"/prep", "是哪个平台的欠款"},
		{"微粒贷", "一共欠多少"},
		{"/check 您已涉嫌诈骗，明日移交公安机关", "我们刚才说到这里"},
		{"3万5", "逾期多久"},
	})
}
