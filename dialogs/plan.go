package dialogs

import (
	"context"
	"loanbot/i18n"
	"strconv"
	"strings"
	"time"

	"loanbot/msg"
	"loanbot/store"
)

// Plan is the result of /prep, saved per user; /plan renders the latest
// again, in the language the user has then.
type Plan struct {
	Lender      string    `json:"lender"` // a lender id, or "other:<name>"
	OwedFen     int64     `json:"owed"`
	OverdueDays int       `json:"overdue"`
	IncomeFen   int64     `json:"income"`
	ExpensesFen int64     `json:"expenses"`
	OtherFen    int64     `json:"other"`
	Reason      string    `json:"reason"`
	Goal        string    `json:"goal"`
	MonthlyFen  int64     `json:"monthly"` // affordable payment a month; 0 when nothing is left
	Months      int       `json:"months"`  // months to repay at MonthlyFen; 0 when MonthlyFen is 0
	Ask         string    `json:"ask"`     // extension | instalments | waiver | card_instalments | hardship
	CreatedAt   time.Time `json:"at"`
}

// The plan's rules.
const (
	marginPct    = 70   // pay 70% of what is left each month: the 30% is the margin for surprises
	roundFen     = 1000 // round the monthly amount down to 10 yuan
	maxPlanMonth = 60   // past five years an instalment plan is not a plan
)

// PlanFrom computes a plan from the flow's slots.
func PlanFrom(slots map[string]string, now time.Time) Plan {
	p := Plan{
		Lender:      slots["lender"],
		OwedFen:     atoi64(slots["owed"]),
		IncomeFen:   atoi64(slots["income"]),
		ExpensesFen: atoi64(slots["expenses"]),
		OtherFen:    atoi64(slots["other_debts"]),
		Reason:      slots["reason"],
		Goal:        slots["goal"],
		CreatedAt:   now.UTC(),
	}
	if p.Lender == "other" && slots["lender_name"] != "" {
		p.Lender = "other:" + slots["lender_name"]
	}
	p.OverdueDays, _ = strconv.Atoi(slots["overdue"])
	p.MonthlyFen, p.Months = Affordable(p.OwedFen, p.IncomeFen, p.ExpensesFen, p.OtherFen)
	p.Ask = recommend(p)
	return p
}

// Affordable is the monthly payment the user can keep up, (income −
// expenses − other payments) × 70 % rounded down to 10 yuan, and the months
// it takes to repay owed at that pace.
func Affordable(owed, income, expenses, other int64) (monthly int64, months int) {
	free := income - expenses - other
	if free <= 0 {
		return 0, 0
	}
	monthly = free * marginPct / 100 / roundFen * roundFen
	if monthly <= 0 {
		return 0, 0
	}
	return monthly, int((owed + monthly - 1) / monthly)
}

// Feasible reports whether an instalment plan at the affordable amount ends
// within five years.
func (p Plan) Feasible() bool { return p.MonthlyFen > 0 && p.Months <= maxPlanMonth }

// recommend picks what to ask for, from the days overdue, the capacity and
// the reason.
func recommend(p Plan) string {
	switch {
	case !p.Feasible():
		return "hardship"
	case p.Lender == "card":
		return "card_instalments"
	case p.Reason == "illness":
		return "waiver"
	case p.OverdueDays <= 30 && p.Months <= 3:
		return "extension" // short overdue, short hardship: time, not a restructuring
	}
	return "instalments"
}

// RenderPlan is the plan as replies: the plan text with its buttons.
func RenderPlan(c *Context, p Plan) []msg.Reply {
	lender := lenderName(c.Lang, p.Lender, "")
	a := []any{
		"lender", lender,
		"owed", i18n.Yuan(c.Lang, p.OwedFen),
		"overdue", daysText(c.Lang, strconv.Itoa(p.OverdueDays)),
		"income", i18n.Yuan(c.Lang, p.IncomeFen),
		"expenses", i18n.Yuan(c.Lang, p.ExpensesFen),
		"other", i18n.Yuan(c.Lang, p.OtherFen),
		"free", i18n.Yuan(c.Lang, p.IncomeFen-p.ExpensesFen-p.OtherFen),
		"monthly", i18n.Yuan(c.Lang, p.MonthlyFen),
		"months", p.Months,
		"reason", c.T("plan.reason." + p.Reason),
		"ask", c.T("plan.ask_short." + p.Ask),
	}
	// The call script says "overdue N days" or "not overdue yet", never
	// "overdue: not overdue yet".
	status := c.T("plan.status.not_yet")
	if p.OverdueDays > 0 {
		status = c.T("plan.status.overdue", a...)
	}
	a = append(a, "status", status)
	var parts []string
	parts = append(parts, c.T("plan.title", a...))
	switch {
	case p.MonthlyFen == 0:
		parts = append(parts, c.T("plan.capacity.none", a...))
	case p.Months > maxPlanMonth:
		parts = append(parts, c.T("plan.capacity.too_long", a...))
	default:
		parts = append(parts, c.T("plan.capacity", a...))
	}
	parts = append(parts, c.T("plan.ask."+p.Ask, a...))
	if p.Goal != "" {
		parts = append(parts, c.T("plan.goal."+p.Goal, a...))
	}
	parts = append(parts, c.T("plan.docs", a...)+"\n"+c.T("plan.docs.common")+"\n"+c.T("plan.docs."+p.Reason))
	script := "plan.script"
	if !p.Feasible() {
		script = "plan.script.hardship"
	}
	parts = append(parts, c.T(script, a...))
	parts = append(parts, c.T("plan.confirm"))
	parts = append(parts, channelText(c, p.Lender, a))
	parts = append(parts, c.T("plan.warnings"))
	buttons := [][]msg.Button{
		{{Label: c.T("plan.btn.remind"), Payload: msg.Cmd("/remind", "plan")}, {Label: c.T("plan.btn.log"), Payload: msg.Cmd("/log")}},
		{{Label: c.T("plan.btn.chart"), Payload: msg.Cmd("/plan", "chart")}, {Label: c.T("plan.btn.again"), Payload: msg.Cmd("/prep")}},
	}
	if !p.Feasible() {
		buttons = append(buttons, []msg.Button{
			{Label: c.T("plan.btn.legal_aid"), Payload: Topic("legal-aid")},
			{Label: c.T("plan.btn.restructuring"), Payload: Topic("debt-restructuring")},
		})
	}
	return []msg.Reply{{Text: strings.Join(parts, "\n\n"), Buttons: buttons}}
}

func channelKey(lender string) string {
	switch lender {
	case "weilidai", "jiebei", "huabei", "mybank", "card":
		return lender
	}
	return "other"
}

var _ = Declare(Command{Name: "/plan", Desc: "cmd.plan", Menu: GroupPlan, Order: 30, Personal: true, Run: showPlan})

// showPlan is /plan: the latest plan again, or its chart with "/plan chart".
func showPlan(c *Context, arg string) []msg.Reply {
	var p Plan
	found := false
	if c.Docs != nil {
		var err error
		if found, err = c.Docs.GetDoc(c.Ctx, c.User, planDoc, &p); err != nil {
			return []msg.Reply{{Text: c.T("err.unavailable")}}
		}
	}
	// A plan across debts needs a map with a budget (Kept says so without
	// reading Redis).
	if keepsDebts(c) {
		if m, err := loadDebts(c); err == nil && latestIsDebtPlan(m, p, found) {
			if arg == "chart" {
				return debtsChart(c, m)
			}
			return debtPlan(c, m)
		}
	}
	if !found {
		return []msg.Reply{{Text: c.T("plan.none"), Buttons: [][]msg.Button{{{Label: c.T("menu.prep"), Payload: msg.Cmd("/prep")}}}}}
	}
	if arg == "chart" {
		return planChart(c, p)
	}
	return RenderPlan(c, p)
}

// planDoc is the store's document of a user's latest plan; declared to the
// store so that /forget deletes it by name.
const planDoc = "plan"

func init() { store.RegisterDoc(planDoc) }

// savePlan stores p once the session is saved.
func savePlan(c *Context, p Plan) {
	if c.Docs == nil {
		return
	}
	docs, user := c.Docs, c.User
	c.After(func(ctx context.Context) error { return docs.PutDoc(ctx, user, planDoc, p) })
}
