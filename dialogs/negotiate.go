package dialogs

import (
	"strconv"

	"github.com/looplab/fsm"

	"loanbot/msg"
)

var _ = Declare(Command{Name: "/prep", Desc: "cmd.prep", Menu: GroupPlan, Order: 20, Personal: true, Flow: Negotiate, Prefill: prepFromDebt})

// Negotiate is the /prep flow: it collects the loan, the debt, the user's
// income and hardship, shows a summary the user can edit, and hands over a
// negotiation plan (see plan.go).
var Negotiate = &Flow{
	Name: "negotiate", Version: 1, Initial: "lender",
	Events: fsm.Events{
		{Name: "other", Src: []string{"lender"}, Dst: "lender_name"},
		{Name: "next", Src: []string{"lender", "lender_name"}, Dst: "owed"},
		{Name: "next", Src: []string{"owed"}, Dst: "overdue"},
		{Name: "next", Src: []string{"overdue"}, Dst: "income"},
		{Name: "next", Src: []string{"income"}, Dst: "expenses"},
		{Name: "next", Src: []string{"expenses"}, Dst: "other_debts"},
		{Name: "next", Src: []string{"other_debts"}, Dst: "reason"},
		{Name: "next", Src: []string{"reason"}, Dst: "goal"},
		{Name: "next", Src: []string{"goal"}, Dst: "summary"},
		{Name: "next", Src: []string{"summary"}, Dst: Done},
	},
	Steps: map[string]*Step{
		"lender": {Prompt: "prep.lender", Slot: "lender", Choices: lenderChoices, Renders: []string{"plan.channel.%s"},
			Parse: parseLender,
			Event: func(c *Context, v string) string {
				if v == "other" {
					return "other"
				}
				return "next"
			}},
		"lender_name": {Prompt: "prep.lender_name", Slot: "lender_name", Example: "prep.lender_name.example", Parse: parseName},
		"owed": {Prompt: "prep.owed", Slot: "owed", Numeric: true, Example: "prep.owed.example",
			Parse: amountIn(1, maxOwedFen, "prep.owed.range")},
		"overdue": {Prompt: "prep.overdue", Slot: "overdue", Numeric: true, Example: "prep.overdue.example",
			Choices: []Choice{{Value: "0", Label: "prep.overdue.not_yet", Aliases: []string{"没逾期", "还没有", "not yet", "未逾期", "快逾期了"}}},
			Parse:   parseDays},
		"income": {Prompt: "prep.income", Slot: "income", Numeric: true, Example: "prep.income.example",
			Choices: []Choice{{Value: "0", Label: "prep.income.none", Aliases: []string{"失业", "没有", "没收入", "无", "无收入", "none", "unemployed", "no income"}}},
			Parse:   amountIn(0, maxMonthlyFen, "prep.monthly.range")},
		"expenses": {Prompt: "prep.expenses", Slot: "expenses", Numeric: true, Example: "prep.expenses.example",
			Parse: parseExpenses},
		"other_debts": {Prompt: "prep.other_debts", Slot: "other_debts", Numeric: true, Optional: true, Example: "prep.other_debts.example",
			Choices: []Choice{{Value: "0", Label: "prep.other_debts.none", Aliases: []string{"没有", "无", "none", "no"}}},
			Parse:   amountIn(0, maxMonthlyFen, "prep.monthly.range")},
		"reason": {Prompt: "prep.reason", Slot: "reason", Renders: []string{"prep.reason.%s", "plan.reason.%s", "plan.docs.%s"}, Choices: []Choice{
			{Value: "income", Label: "prep.reason.income", Aliases: []string{"失业", "收入下降", "降薪", "被裁", "lost my job", "job loss", "unemployment"}},
			{Value: "illness", Label: "prep.reason.illness", Aliases: []string{"疾病", "生病", "意外", "住院", "illness", "sick", "accident"}},
			{Value: "family", Label: "prep.reason.family", Aliases: []string{"家庭变故", "家里出事", "family"}},
			{Value: "business", Label: "prep.reason.business", Aliases: []string{"经营困难", "生意失败", "生意不好", "business"}},
			{Value: "other", Label: "prep.reason.other", Aliases: []string{"其他", "other"}},
		}},
		"goal": {Prompt: "prep.goal", Slot: "goal", Renders: []string{"prep.goal.%s", "plan.goal.%s"}, Choices: []Choice{
			{Value: "extension", Label: "prep.goal.extension", Aliases: []string{"延期", "展期", "extension", "more time"}},
			{Value: "instalments", Label: "prep.goal.instalments", Aliases: []string{"分期", "分期还款", "instalments", "installments", "installment"}},
			{Value: "waiver", Label: "prep.goal.waiver", Aliases: []string{"减免", "减免罚息", "减免违约金", "waiver", "waive"}},
			{Value: "freeze", Label: "prep.goal.freeze", Aliases: []string{"停息挂账", "停息", "freeze"}},
			{Value: "unsure", Label: "prep.goal.unsure", Aliases: []string{"不确定", "不知道", "unsure", "not sure", "don't know"}},
		}},
		"summary": {Prompt: "prep.summary", Args: summaryArgs, Choices: []Choice{
			{Value: "ok", Label: "prep.summary.confirm", Aliases: []string{"确认", "确定", "对", "没问题", "好", "ok", "yes", "confirm"}},
			{Goto: "lender", Label: "prep.edit.lender"},
			{Goto: "owed", Label: "prep.edit.owed"},
			{Goto: "overdue", Label: "prep.edit.overdue"},
			{Goto: "income", Label: "prep.edit.income"},
			{Goto: "expenses", Label: "prep.edit.expenses"},
			{Goto: "other_debts", Label: "prep.edit.other_debts"},
			{Goto: "reason", Label: "prep.edit.reason"},
			{Goto: "goal", Label: "prep.edit.goal"},
		}},
	},
	Finish: finishNegotiation,
}

// Limits of plausible answers (fen).
const (
	maxOwedFen    = 100_000_000 * 100 // 100 million yuan
	maxMonthlyFen = 10_000_000 * 100  // 10 million yuan a month
)

var lenderChoices = []Choice{
	{Value: "weilidai", Label: "lender.weilidai", Aliases: []string{"微粒贷", "微立贷", "微众", "微众银行", "weilidai", "webank"}},
	{Value: "jiebei", Label: "lender.jiebei", Aliases: []string{"借呗", "jiebei", "蚂蚁借呗"}},
	{Value: "huabei", Label: "lender.huabei", Aliases: []string{"花呗", "huabei", "蚂蚁花呗"}},
	{Value: "mybank", Label: "lender.mybank", Aliases: []string{"网商贷", "网商银行", "mybank", "wangshangdai"}},
	{Value: "card", Label: "lender.card", Aliases: []string{"信用卡", "credit card", "card", "银行信用卡"}},
	{Value: "other", Label: "lender.other", Aliases: []string{"其他", "其它", "other", "others"}},
}

// parseLender takes a typed name that is none of the buttons as the name of
// another lender.
func parseLender(c *Context, s string) (string, error) {
	n, err := parseName(c, s)
	if err != nil {
		return "", err
	}
	return "other:" + n, nil
}

// summaryArgs fills the summary with the answers so far.
func summaryArgs(c *Context) []any {
	return []any{
		"lender", lenderName(c.Lang, c.Slot("lender"), c.Slot("lender_name")),
		"owed", yuan(c.Lang, c.Slot("owed")),
		"overdue", daysText(c.Lang, c.Slot("overdue")),
		"income", yuan(c.Lang, c.Slot("income")),
		"expenses", yuan(c.Lang, c.Slot("expenses")),
		"other_debts", yuan(c.Lang, orZero(c.Slot("other_debts"))),
		"reason", c.T("prep.reason." + c.Slot("reason")),
		"goal", c.T("prep.goal." + c.Slot("goal")),
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func finishNegotiation(c *Context) []msg.Reply {
	p := PlanFrom(c.Sess.Slots, c.Now)
	savePlan(c, p)
	return RenderPlan(c, p)
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
