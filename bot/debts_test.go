package bot_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"loanbot/bot"
	"loanbot/store/storetest"
)

// The case, typed as people type: a card of 60,000 overdue 100
// days, 微粒贷 35,000, 美团 8,000 costing 12 × 1,000 on 9,000 received;
// income 9,000, expenses 5,000.
func TestDebtsThreeByFreeTextToAPlan(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("debts")
	transcript(t, e, u, []step{
		{"/debts", "还没有记录欠款"},
		{"/debt", "哪个平台或银行"},
		{"信用卡 欠6万 逾期100天", "每个月应还多少"}, // owed and overdue taken from the one message
		{"不知道", "有没有被起诉"},
		{"没有", "实际成本"},
		{"不知道", "请核对这笔欠款"},
		{"保存", "记下了"},
		{"/debt 微粒贷 欠35000 每月还2000 逾期20天", "有没有被起诉"},
		{"没有", "实际成本"},
		{"skip", "微粒贷"},
		{"保存", "共2笔"},
		{"/debt", "哪个平台"},
		{"美团 欠8000 每月还1000 逾期10天", "有没有被起诉"},
		{"没有", "实际成本"},
		{"到手9000，每月还1000，还12期", "56.75%"},
		{"保存", "共3笔，合计欠103,000元"},
	})
	// The plan asks the budget once.
	transcript(t, e, u, []step{
		{"/debts plan", "税后收入"},
		{"9000", "必要的生活开支"},
	})
	got := chat(t, e, u, "5000")
	for _, want := range []string{"每月最多拿出2,800元", "1. 信用卡", "2. 美团", "3. 微粒贷", "恶意透支", "先还成本最高的", "平均分给每家", "12348" /* not here: enough */} {
		if want == "12348" {
			if strings.Contains(got, "借新还旧") {
				t.Errorf("the budget is enough, yet the plan says it is not:\n%s", got)
			}
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	var sum int64
	for _, m := range regexp.MustCompile(`：每月([0-9,]+)元`).FindAllStringSubmatch(got, -1) {
		n, _ := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		sum += n
	}
	if sum == 0 || sum > 2800 {
		t.Errorf("offers sum to %d, budget 2,800:\n%s", sum, got)
	}
	// /plan shows it again; the /prep handover is prefilled.
	if p := chat(t, e, u, "/plan"); !strings.Contains(p, "1. 信用卡") {
		t.Errorf("/plan: %s", p)
	}
	reps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "/plan"})
	var prep, chartTap string
	for _, b := range reps[0].Flat() {
		if strings.Contains(b.Label, "美团") {
			prep = b.Payload
		}
		if strings.Contains(b.Payload, "chart") {
			chartTap = b.Payload
		}
	}
	// The chart: one image, the total month by month.
	if creps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: chartTap}); chartTap == "" || len(creps) == 0 || creps[0].Image == nil ||
		!strings.HasPrefix(string(creps[0].Image.Data), "\x89PNG") {
		t.Errorf("no chart of the plan: %q %s", chartTap, render(creps))
	}
	if prep == "" {
		t.Fatalf("no /prep button for 美团: %s", render(reps))
	}
	reps, _ = e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: prep})
	if got := render(reps); !strings.Contains(got, "主要原因") {
		t.Errorf("/prep from the plan should ask only the reason: %s", got)
	}
	transcript(t, e, u, []step{{"失业", "希望"}, {"分期", "平台：美团"}})
	if got := chat(t, e, u, "确认"); !strings.Contains(got, "8,000元") {
		t.Errorf("prep plan: %s", got)
	}
}

// Bad input never breaks the map: absurd amounts, a monthly due over the
// debt, zero income.
func TestDebtsBadInput(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("debts-bad")
	transcript(t, e, u, []step{
		{"/debt", "哪个平台"},
		{"借呗", "一共还欠多少"},
		{"一千亿亿", "没看出"},
		{"5000", "每个月应还多少"},
		{"9000", "不会比欠款总额还多"},
		{"500", "逾期多少天"},
		{"不知道", "逾期"},
		{"30", "起诉"},
		{"不清楚", "实际成本"},
		{"很贵", "没算出来"},
		{"不知道", "请核对"},
		{"保存", "共1笔"},
		{"/debts plan", "税后收入"},
		{"0", "必要的生活开支"},
		{"3000", "借新还旧"},
	})
}

// Edit a debt and the plan follows; a restart mid-flow resumes (the state
// is in Redis, not in the engine); English and Traditional readers.
func TestDebtsEditRestartAndLanguages(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("debts-edit")
	transcript(t, e, u, []step{
		{"/debt 微粒贷 欠35000 每月还2000 逾期20天", "有没有被起诉"},
		{"没有", "实际成本"},
	})
	// A new engine on the same Redis: the flow goes on where it was.
	e = newEngine(t, st)
	transcript(t, e, u, []step{
		{"不知道", "请核对这笔欠款"},
		{"保存", "共1笔"},
		{"/debt 美团 欠8000 逾期10天", "每个月应还多少"},
		{"1000", "有没有被起诉"},
		{"没有", "实际成本"},
		{"到手9000，每月还1000，还12期", "56.75%"},
		{"保存", "共2笔"},
		{"/debts plan", "税后收入"},
		{"9000", "必要的生活开支"},
		{"5000", "1. 美团"},
	})
	// 微粒贷 is sued: it goes first.
	reps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "/debts"})
	var edit string
	for _, b := range reps[0].Flat() {
		if b.Label == "改第1笔" {
			edit = b.Payload
		}
	}
	if edit == "" {
		t.Fatalf("no edit button: %s", render(reps))
	}
	reps, _ = e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: edit})
	if got := render(reps); !strings.Contains(got, "请核对这笔欠款") || !strings.Contains(got, "微粒贷") {
		t.Fatalf("edit opens at the summary: %s", got)
	}
	transcript(t, e, u, []step{
		{"改诉讼情况", "有没有被起诉"},
		{"有", "已有诉讼"},
		{"保存", "共2笔"},
		{"/plan", "1. 微粒贷"},
	})

	en := storetest.User("debts-en")
	transcript(t, e, en, []step{
		{"/lang", ""}, {"English", "English"},
		{"/debts", "No debts recorded yet"},
		{"/debt", "Which platform"},
		{"Jiebei owe 20000 pay 1500 monthly overdue 40 days", "sued you"},
		{"No", "really costs"},
		{"Don't know", "Please check this debt"},
		{"Save", "1 debts"},
		{"/debts plan", "income"},
		{"6000", "essentials"},
		{"4000", "Monthly budget"},
	})
	hant := storetest.User("debts-hant")
	transcript(t, e, hant, []step{
		{"/lang", ""}, {"繁體中文", ""},
		{"/debt 花唄 欠5000 每月還500 逾期3天", "有沒有被起訴"},
		{"沒有", "實際成本"},
		{"不知道", "請核對這筆欠款"},
		{"保存", "共1筆"},
	})
}

// Twenty debts fit; the twenty-first is refused with a way out. The budget
// given for the map prefills /prep.
func TestDebtsTwentyAndTheBudgetSharedWithPrep(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("debts-20")
	for i := 1; i <= 20; i++ {
		transcript(t, e, u, []step{
			{"/debt 借呗 欠" + strconv.Itoa(1000+i) + " 每月还100 逾期" + strconv.Itoa(i) + "天", "起诉"},
			{"没有", "实际成本"},
			{"不知道", "请核对"},
			{"保存", "共" + strconv.Itoa(i) + "笔"},
		})
	}
	transcript(t, e, u, []step{
		{"/debt 花呗 欠500", "最多记20笔"},
		{"/debts plan", "税后收入"},
		{"3000", "必要的生活开支"},
		{"2500", "借新还旧"}, // 350 a month cannot give twenty lenders 100 each
		{"/prep", "哪个平台"},
		{"微粒贷", "一共欠多少"},
		{"3万", "逾期多久"},
		{"10天", "其他欠款每月"}, // income and expenses came from the map
	})
}

// A lender /prep has no button for, typed by name, gets the directory's
// official route in the plan.
func TestPrepPlanGivesTheDirectorysRoute(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("prep-route")
	transcript(t, e, u, []step{
		{"/prep", "哪个平台"}, {"其他", "写名称就行"}, {"招联好期贷", "一共欠多少"}, {"2万", "逾期多久"},
		{"30天", "税后收入"}, {"6000", "必要的生活开支"}, {"4000", "其他欠款每月"}, {"0", "主要原因"},
		{"失业", "希望"}, {"分期", "请核对"},
	})
	if got := chat(t, e, u, "确认"); !strings.Contains(got, "【官方渠道】招联") {
		t.Errorf("the plan lacks the directory's route:\n%s", got)
	}
}
