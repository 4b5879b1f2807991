package dialogs

import (
	"slices"
	"strconv"
	"strings"

	"loanbot/chart"
	"loanbot/i18n"
	"loanbot/msg"
)

// Budget asks the monthly income and necessary expenses once, for the plan
// across debts; /prep asks the same, and whichever came first fills the
// other.
var Budget = &Flow{
	Name: budgetFlow, Version: 1, Initial: "income",
	Events: chain("income", "expenses"),
	Steps: map[string]*Step{
		"income":   Negotiate.Steps["income"],
		"expenses": Negotiate.Steps["expenses"],
	},
	Finish: func(c *Context) []msg.Reply {
		m, err := loadDebts(c)
		if err != nil {
			return []msg.Reply{{Text: c.T("err.unavailable")}}
		}
		m.IncomeFen, m.ExpensesFen, m.Budget = atoi64(c.Slot("income")), atoi64(c.Slot("expenses")), true
		return debtPlan(c, m)
	},
}

const budgetFlow = "budget"

var _ = DeclareFlow(Budget)

// debtPlan shows the plan across the debts, asking the budget first when
// neither /debts nor /prep has it.
func debtPlan(c *Context, m DebtMap) []msg.Reply {
	if len(m.Debts) == 0 {
		return renderDebts(c, m)
	}
	if !m.Budget {
		var p Plan
		if c.Docs != nil {
			if found, _ := c.Docs.GetDoc(c.Ctx, c.User, planDoc, &p); found {
				m.IncomeFen, m.ExpensesFen, m.Budget = p.IncomeFen, p.ExpensesFen, true
			}
		}
		if !m.Budget {
			reps := c.Flows.Start(c, budgetFlow, nil)
			reps[0].Text = c.T("debts.budget.first") + "\n\n" + reps[0].Text
			return reps
		}
	}
	m.PlanAt = c.Now.UTC()
	saveDebts(c, m)
	return renderDebtPlan(c, m, PlanDebts(m.Debts, m.IncomeFen, m.ExpensesFen))
}

// renderDebtPlan is the plan across debts as text and buttons.
func renderDebtPlan(c *Context, m DebtMap, p DebtPlan) []msg.Reply {
	y := func(fen int64) string { return i18n.Yuan(c.Lang, fen) }
	parts := []string{c.T("debts.plan.budget", "income", y(m.IncomeFen), "expenses", y(m.ExpensesFen), "budget", y(p.BudgetFen))}
	var lines []string
	var prep []msg.Button
	unknownCost, cardRisk := false, false
	for i, o := range p.Offers {
		name := debtLenderName(c.Lang, o.Debt.Lender)
		why := c.T("debts.why."+o.Why, "apr", percent(o.Debt.APR))
		lines = append(lines, c.T("debts.plan.line", "n", i+1, "lender", name, "owed", y(o.Debt.OwedFen), "offer", y(o.OfferFen), "why", why))
		unknownCost = unknownCost || o.Debt.APR == 0
		cardRisk = cardRisk || o.Why == whyCard
		if len(prep) < 6 {
			prep = append(prep, msg.Button{Label: c.T("debts.btn.prep", "lender", name), Payload: msg.Cmd("/prep", "debt:"+o.Debt.ID)})
		}
	}
	parts = append(parts, c.T("debts.plan.order")+"\n"+strings.Join(lines, "\n"))
	switch {
	case !p.Enough:
		parts = append(parts, c.T("debts.plan.short", "need", y(p.MinimumsFen)))
	case p.Ordered.Months > 0:
		parts = append(parts, c.T("debts.plan.outcome",
			"months", p.Ordered.Months, "total", y(p.Ordered.TotalFen),
			"equal_months", p.Equal.Months, "equal_total", y(p.Equal.TotalFen)))
	default:
		parts = append(parts, c.T("debts.plan.endless"))
	}
	if unknownCost {
		parts = append(parts, c.T("debts.plan.unknown_cost"))
	}
	if cardRisk {
		parts = append(parts, c.T("debts.plan.card_risk"))
	}
	parts = append(parts, c.T("debts.plan.offer_each"))
	var rows [][]msg.Button
	for i := 0; i < len(prep); i += 2 {
		rows = append(rows, prep[i:min(i+2, len(prep))])
	}
	if !p.Enough || p.Ordered.Months == 0 {
		rows = append(rows, []msg.Button{
			{Label: c.T("plan.btn.legal_aid"), Payload: Topic("legal-aid")},
			{Label: c.T("plan.btn.restructuring"), Payload: Topic("debt-restructuring")},
		})
	}
	if p.Enough {
		rows = append(rows, []msg.Button{{Label: c.T("plan.btn.chart"), Payload: msg.Action(debtsPrefix, "chart")}})
	}
	rows = append(rows, []msg.Button{{Label: c.T("debts.btn.list"), Payload: msg.Cmd("/debts")}})
	return []msg.Reply{{Text: strings.Join(parts, "\n\n"), Buttons: rows}}
}

// prepFromDebt prefills /prep from one debt of the map ("debt:<id>") and,
// without one, the budget the map holds.
func prepFromDebt(c *Context, arg string) map[string]string {
	if !strings.HasPrefix(arg, "debt:") && !keepsDebts(c) {
		return nil // no map with a budget: nothing to read (the common /prep)
	}
	m, err := loadDebts(c)
	if err != nil {
		return nil
	}
	pre := map[string]string{}
	if m.Budget {
		pre["income"] = strconv.FormatInt(m.IncomeFen, 10)
		pre["expenses"] = strconv.FormatInt(m.ExpensesFen, 10)
		pre[slotSkip] = "income,expenses"
	}
	id, ok := strings.CutPrefix(arg, "debt:")
	if !ok {
		return pre
	}
	var others int64
	var this *Debt
	p := PlanDebts(m.Debts, m.IncomeFen, m.ExpensesFen)
	for i, o := range p.Offers {
		if o.Debt.ID == id {
			this = &p.Offers[i].Debt
		} else {
			others += o.OfferFen
		}
	}
	if this == nil {
		return pre
	}
	pre["lender"] = this.Lender
	if !strings.HasPrefix(this.Lender, "other:") && !isFlowLender(this.Lender) {
		pre["lender"] = "other:" + debtLenderName(c.Lang, this.Lender)
	}
	pre["owed"] = strconv.FormatInt(this.OwedFen, 10)
	pre["overdue"] = strconv.Itoa(this.OverdueDays)
	if m.Budget {
		pre["other_debts"] = strconv.FormatInt(others, 10)
	}
	delete(pre, slotSkip) // every answer up to the reason is filled: Start passes them
	return pre
}

// isFlowLender: /prep's own buttons know the lender.
func isFlowLender(id string) bool {
	for _, ch := range lenderChoices {
		if ch.Value == id && id != "other" {
			return true
		}
	}
	return false
}

// latestIsDebtPlan: /plan shows the plan across debts when it was looked at
// after the last /prep plan was made.
func latestIsDebtPlan(m DebtMap, p Plan, havePlan bool) bool {
	return len(m.Debts) > 0 && !m.PlanAt.IsZero() && (!havePlan || m.PlanAt.After(p.CreatedAt))
}

// debtsChart is the plan across debts as a chart: the total debt month by
// month, one colour a lender. Its labels are in the user's language when a
// CJK font is installed, else in English.
func debtsChart(c *Context, m DebtMap) []msg.Reply {
	p := PlanDebts(m.Debts, m.IncomeFen, m.ExpensesFen)
	bal := p.Balances()
	if !m.Budget || !p.Enough || len(bal) == 0 || len(bal[0]) < 2 {
		return []msg.Reply{{Text: c.T("plan.chart.none")}}
	}
	lang := c.Lang
	if lang != i18n.En && !chart.HasCJKFont() {
		lang = i18n.En
	}
	t := func(key string) string { return i18n.Localize(lang, i18n.T(lang, key)) }
	lines := make([]chart.Line, len(p.Offers))
	for i, o := range p.Offers {
		lines[i] = chart.Line{Name: i18n.Localize(lang, debtLenderName(lang, o.Debt.Lender)), Balances: bal[i]}
	}
	png, err := chart.Debts(lines, t("lender.other"), chart.Labels{Title: t("debts.chart.title"), XAxis: t("plan.chart.x"), YAxis: t("plan.chart.y")})
	if err != nil {
		return []msg.Reply{{Text: c.T("err.internal")}}
	}
	caption := c.T("debts.chart.caption", "budget", i18n.Yuan(c.Lang, p.BudgetFen))
	return []msg.Reply{{Text: caption, Image: &msg.Attachment{Name: "debts.png", MIME: "image/png", Data: png, Caption: caption}}}
}

// keepsDebts: the user keeps a debt map with a budget (see saveDebts).
func keepsDebts(c *Context) bool { return slices.Contains(c.Sess.Kept, debtsDoc) }
