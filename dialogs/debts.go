package dialogs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/store"
	"loanbot/zhtext"
)

// /debts keeps all of a user's debts in one document, with the monthly
// income and necessary expenses (shared with /prep), and plans across them
// (debtplan.go).

var (
	_ = Declare(Command{Name: "/debts", Desc: "cmd.debts", Menu: GroupPlan, Order: 25, Personal: true, Run: showDebts})
	_ = Declare(Command{Name: "/debt", Desc: "cmd.debt", Personal: true, Run: startDebt})
	_ = DeclareFlow(AddDebt)
	_ = DeclareAction(Action{Prefix: debtsPrefix, Run: debtAction})
)

// debtsDoc is the store's document of a user's debts (sealed at rest like
// the plan; /forget deletes it).
const debtsDoc = "debts"

func init() { store.RegisterDoc(debtsDoc) }

// debtsPrefix is the action of the debt map's buttons: add, plan, edit:<id>,
// del:<id>.
const debtsPrefix = "debts"

// maxDebts bounds a debt map: past it the list says to merge small ones.
const maxDebts = 20

// DebtMap is the document: the debts, and the budget once known.
type DebtMap struct {
	Debts       []Debt    `json:"debts"`
	IncomeFen   int64     `json:"income"`
	ExpensesFen int64     `json:"expenses"`
	Budget      bool      `json:"budget"`            // income and expenses are known
	PlanAt      time.Time `json:"plan_at,omitempty"` // when the plan across debts was last shown
}

// loadDebts reads the user's debt map (empty when none).
func loadDebts(c *Context) (DebtMap, error) {
	var m DebtMap
	if c.Docs == nil {
		return m, nil
	}
	_, err := c.Docs.GetDoc(c.Ctx, c.User, debtsDoc, &m)
	return m, err
}

// saveDebts stores m once the session is saved.
func saveDebts(c *Context, m DebtMap) {
	if c.Docs == nil {
		return
	}
	docs, user := c.Docs, c.User
	c.After(func(ctx context.Context) error { return docs.PutDoc(ctx, user, debtsDoc, m) })
	if m.Budget && !slices.Contains(c.Sess.Kept, debtsDoc) {
		c.Sess.Kept = append(c.Sess.Kept, debtsDoc)
	}
}

// AddDebt is the flow that adds (or edits) one debt. Its first answer may
// hold every fact at once ("美团 欠8000 每月还1000 逾期10天"): what it finds
// is filled in and those questions are passed over.
var AddDebt = &Flow{
	Name: debtFlow, Version: 1, Initial: "lender",
	Events: chain("lender", "owed", "due", "overdue", "legal", "cost", "confirm"),
	Steps: map[string]*Step{
		"lender": {Prompt: "debts.lender", Slot: "lender", Example: "debts.lender.example", Choices: lenderChoices[:5],
			Parse: parseDebtLender},
		"owed": {Prompt: "debts.owed", Slot: "owed", Numeric: true, Example: "prep.owed.example",
			Parse: amountIn(1, maxOwedFen, "prep.owed.range")},
		"due": {Prompt: "debts.due", Slot: "due", Numeric: true, Optional: true, Example: "debts.due.example",
			Choices: []Choice{unknownChoice}, Parse: parseDue},
		"overdue": {Prompt: "debts.overdue", Slot: "overdue", Numeric: true, Example: "prep.overdue.example",
			Choices: []Choice{{Value: "0", Label: "prep.overdue.not_yet", Aliases: []string{"没逾期", "还没有", "not yet", "未逾期"}}},
			Parse:   parseDays},
		"legal": {Prompt: "debts.legal", Slot: "legal", Renders: []string{"debts.legal.is.%s"}, Choices: []Choice{
			{Value: legalCase, Label: "debts.legal.case", Aliases: []string{"有", "起诉了", "已起诉", "仲裁", "判决", "被起诉", "yes", "sued"}},
			{Value: legalNone, Label: "debts.legal.none", Aliases: []string{"没有", "无", "no", "none"}},
			{Value: legalUnsure, Label: "debts.legal.unsure", Aliases: []string{"不知道", "不清楚", "不确定", "unsure", "not sure", "don't know"}},
		}},
		"cost": {Prompt: "debts.cost", Slot: "apr", Optional: true, Example: "debts.cost.example",
			Choices: []Choice{unknownChoice}, Parse: parseCost},
		"confirm": {Prompt: "debts.confirm", Args: debtSummaryArgs, Choices: []Choice{
			{Value: "ok", Label: "debts.confirm.ok", Aliases: []string{"确认", "确定", "好", "对", "ok", "yes", "confirm"}},
			{Goto: "lender", Label: "debts.edit.lender"},
			{Goto: "owed", Label: "debts.edit.owed"},
			{Goto: "due", Label: "debts.edit.due"},
			{Goto: "overdue", Label: "debts.edit.overdue"},
			{Goto: "legal", Label: "debts.edit.legal"},
			{Goto: "cost", Label: "debts.edit.cost"},
		}},
	},
	Finish: finishDebt,
}

// unknownChoice answers an optional question with "I don't know".
var unknownChoice = Choice{Value: unknown, Label: "debts.unknown", Aliases: []string{"不知道", "不清楚", "不确定", "忘了", "unknown", "not sure", "don't know", "dont know"}}

// unknown is the value of an answer the user does not know.
const unknown = "?"

// known reports whether a slot holds an answer.
func known(v string) bool { return v != "" && v != unknown }

// Facts a whole message may give besides the lender.
var (
	reOwed    = regexp.MustCompile(`(?i)(?:欠|欠款|还欠|借了|owe[sd]?|owing)\s*(?:了|我)?\s*([0-9０-９.,，一二两三四五六七八九十百千万亿〇零]+\s*[万千kKwW]?)\s*(?:元|块|yuan|rmb)?`)
	reDue     = regexp.MustCompile(`(?i)(?:每月还|月还|每月应还|每期还|每期|月供|最低还款|pay|monthly)\s*(?:款)?\s*([0-9０-９.,，一二两三四五六七八九十百千万〇零]+\s*[万千kKwW]?)`)
	reOverdue = regexp.MustCompile(`(?i)(?:逾期|过期|overdue(?:\s*for)?)\s*(?:了)?\s*([0-9０-９一二两三四五六七八九十百]+\s*(?:天|个月|月|days?|months?))`)
	reCase    = regexp.MustCompile(`(?i)起诉了|已起诉|被起诉|已经起诉|仲裁|判决|法院传票|立案了|\bsued\b|judgment|judgement|arbitration`)
)

// extractDebt reads the facts of a debt from one message: the lender the
// directory knows (or none), and whatever of amount owed, monthly due and
// days overdue it states. A fact that does not parse is left out.
func extractDebt(c *Context, s string) (lender string, slots map[string]string) {
	slots = map[string]string{}
	s = zhtext.ToSimplified(s) // 每月還 is 每月还
	if m := reOwed.FindStringSubmatch(s); m != nil {
		if fen, err := zhtext.ParseAmount(m[1]); err == nil && fen > 0 && fen <= maxOwedFen {
			slots["owed"] = strconv.FormatInt(fen, 10)
		}
	}
	if m := reDue.FindStringSubmatch(s); m != nil {
		if fen, err := zhtext.ParseAmount(m[1]); err == nil && fen > 0 && fen <= maxMonthlyFen {
			slots["due"] = strconv.FormatInt(fen, 10)
		}
	}
	if m := reOverdue.FindStringSubmatch(s); m != nil {
		if d, err := zhtext.ParseDuration(m[1]); err == nil && d >= 0 && d <= 3650 {
			slots["overdue"] = strconv.Itoa(d)
		}
	}
	if reCase.MatchString(s) {
		slots["legal"] = legalCase
	}
	id := findLender(s)
	if cardMentioned(id, s) {
		slots["card"] = "1"
	}
	if due, owed := atoi64(slots["due"]), atoi64(slots["owed"]); due > 0 && owed > 0 && due > owed {
		delete(slots, "due") // a monthly due above the debt is a misreading
	}
	return id, slots
}

// parseDebtLender takes a lender the directory knows, or a typed name as
// another lender; facts given with it fill their questions.
func parseDebtLender(c *Context, s string) (string, error) {
	id, slots := extractDebt(c, s)
	if id == "" {
		name := strings.TrimSpace(s)
		if len(slots) > 0 { // "欠8000 每月还1000": the facts without a name
			name = strings.TrimSpace(reOwed.ReplaceAllString(reDue.ReplaceAllString(reOverdue.ReplaceAllString(s, ""), ""), ""))
		}
		n, err := parseName(c, name)
		if err != nil {
			return "", err
		}
		id = "other:" + n
	}
	fill(c, slots)
	return id, nil
}

// fill puts facts found early into their slots and marks their questions
// to be passed over (see Registry.advance).
func fill(c *Context, slots map[string]string) {
	var skip []string
	for k, v := range slots {
		c.SetSlot(k, v)
		if k != "card" {
			skip = append(skip, k)
		}
	}
	if len(skip) > 0 {
		c.SetSlot(slotSkip, strings.Join(skip, ","))
	}
}

// parseDue is the monthly amount due: never more than the debt.
func parseDue(c *Context, s string) (string, error) {
	v, err := amountIn(1, maxMonthlyFen, "prep.monthly.range")(c, s)
	if err != nil {
		return "", err
	}
	if owed := atoi64(c.Slot("owed")); owed > 0 && atoi64(v) > owed {
		return "", Invalid("debts.due.over")
	}
	return v, nil
}

// parseCost reads the loan's real cost: an annual rate ("年化36%"), or what
// was received and is repaid, read by the cost calculator.
func parseCost(c *Context, s string) (string, error) {
	apr, err := costOf(s)
	if err != nil {
		return "", Invalid("debts.cost.invalid")
	}
	return strconv.FormatFloat(apr, 'f', 6, 64), nil
}

// costOf is the annual cost a text states, by the cost calculator; a plain
// "36%" or "年化36%" is taken as an annual rate. It is set by rate.go.
var costOf = func(s string) (float64, error) { return annualPercent(s) }

var rePercent = regexp.MustCompile(`^(?i)(?:年化|年利率|apr|年息)?\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]$`)

func annualPercent(s string) (float64, error) {
	m := rePercent.FindStringSubmatch(strings.TrimSpace(zhtext.Width(s)))
	if m == nil {
		return 0, fmt.Errorf("not a rate")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 || v > 1000 {
		return 0, fmt.Errorf("rate out of range")
	}
	return v / 100, nil
}

// startDebt is /debt: a new debt, from the facts of its argument if any,
// while the map has room.
func startDebt(c *Context, arg string) []msg.Reply {
	m, err := loadDebts(c)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	if len(m.Debts) >= maxDebts {
		return []msg.Reply{{Text: c.T("debts.full", "n", maxDebts), Buttons: [][]msg.Button{{{Label: c.T("debts.btn.list"), Payload: msg.Cmd("/debts")}}}}}
	}
	return c.Flows.Start(c, debtFlow, debtPrefill(c, arg))
}

// debtFlow names AddDebt (its Finish and startDebt refer to each other).
const debtFlow = "debt"

// debtPrefill is /debt's argument: one message with the facts.
func debtPrefill(c *Context, arg string) map[string]string {
	if strings.TrimSpace(arg) == "" {
		return nil
	}
	id, slots := extractDebt(c, arg)
	var skip []string
	for k := range slots {
		if k != "card" {
			skip = append(skip, k)
		}
	}
	if id != "" {
		slots["lender"] = id
	}
	if len(skip) > 0 {
		slots[slotSkip] = strings.Join(skip, ",")
	}
	return slots
}

func debtSummaryArgs(c *Context) []any {
	apr := c.T("debts.unknown")
	if v, _ := strconv.ParseFloat(c.Slot("apr"), 64); v > 0 {
		apr = percent(v)
	}
	due := c.T("debts.unknown")
	if known(c.Slot("due")) {
		due = yuan(c.Lang, c.Slot("due"))
	}
	return []any{
		"lender", debtLenderName(c.Lang, c.Slot("lender")),
		"owed", yuan(c.Lang, c.Slot("owed")),
		"due", due,
		"overdue", daysText(c.Lang, c.Slot("overdue")),
		"legal", c.T("debts.legal.is." + c.Slot("legal")),
		"apr", apr,
	}
}

// percent is a rate as people read it: 0.5675 → "56.75%".
func percent(v float64) string {
	return strconv.FormatFloat(math.Round(v*10000)/100, 'f', -1, 64) + "%"
}

func finishDebt(c *Context) []msg.Reply {
	m, err := loadDebts(c)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	d := Debt{
		ID:     c.Slot("edit_id"),
		Lender: c.Slot("lender"),
		Legal:  c.Slot("legal"),
	}
	d.OwedFen, d.DueFen = atoi64(c.Slot("owed")), atoi64(c.Slot("due"))
	d.OverdueDays, _ = strconv.Atoi(c.Slot("overdue"))
	d.APR, _ = strconv.ParseFloat(c.Slot("apr"), 64)
	d.Card = isCard(d.Lender) || c.Slot("card") == "1"
	replaced := false
	for i := range m.Debts {
		if d.ID != "" && m.Debts[i].ID == d.ID {
			m.Debts[i], replaced = d, true
		}
	}
	if !replaced {
		if len(m.Debts) >= maxDebts {
			return []msg.Reply{{Text: c.T("debts.full", "n", maxDebts)}}
		}
		d.ID = newDebtID()
		m.Debts = append(m.Debts, d)
	}
	saveDebts(c, m)
	reps := renderDebts(c, m)
	reps[0].Text = c.T("debts.saved") + "\n\n" + reps[0].Text
	return reps
}

func newDebtID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// showDebts is /debts: the list with its totals and buttons.
func showDebts(c *Context, arg string) []msg.Reply {
	m, err := loadDebts(c)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	if arg == "plan" {
		return debtPlan(c, m)
	}
	return renderDebts(c, m)
}

func renderDebts(c *Context, m DebtMap) []msg.Reply {
	add := msg.Button{Label: c.T("debts.btn.add"), Payload: msg.Action(debtsPrefix, "add")}
	if len(m.Debts) == 0 {
		return []msg.Reply{{Text: c.T("debts.none"), Buttons: [][]msg.Button{{add}}}}
	}
	var b strings.Builder
	b.WriteString(c.T("debts.list"))
	var owed, due int64
	rows := [][]msg.Button{}
	for i, d := range m.Debts {
		n := i + 1
		b.WriteString("\n" + strconv.Itoa(n) + ". " + debtLine(c, d))
		owed += d.OwedFen
		due += d.DueFen
		if i < 8 {
			rows = append(rows, []msg.Button{
				{Label: c.T("debts.btn.edit", "n", n), Payload: msg.Action(debtsPrefix, "edit", d.ID)},
				{Label: c.T("debts.btn.del", "n", n), Payload: msg.Action(debtsPrefix, "del", d.ID)},
			})
		}
	}
	b.WriteString("\n\n" + c.T("debts.totals", "n", len(m.Debts), "owed", i18n.Yuan(c.Lang, owed), "due", i18n.Yuan(c.Lang, due)))
	rows = append([][]msg.Button{{{Label: c.T("debts.btn.plan"), Payload: msg.Action(debtsPrefix, "plan")}, add}}, rows...)
	return []msg.Reply{{Text: b.String(), Buttons: rows}}
}

// debtLine is one debt on one line.
func debtLine(c *Context, d Debt) string {
	parts := []string{debtLenderName(c.Lang, d.Lender), c.T("debts.line.owed", "owed", i18n.Yuan(c.Lang, d.OwedFen))}
	if d.DueFen > 0 {
		parts = append(parts, c.T("debts.line.due", "due", i18n.Yuan(c.Lang, d.DueFen)))
	}
	parts = append(parts, daysText(c.Lang, strconv.Itoa(d.OverdueDays)))
	if d.Legal == legalCase {
		parts = append(parts, c.T("debts.legal.is.case"))
	}
	if d.APR > 0 {
		parts = append(parts, c.T("debts.line.apr", "apr", percent(d.APR)))
	}
	return strings.Join(parts, c.T("list.sep"))
}

// debtAction answers the debt map's buttons.
func debtAction(c *Context, args []string) []msg.Reply {
	m, err := loadDebts(c)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	switch args[0] {
	case "add":
		return startDebt(c, "")
	case "plan":
		return debtPlan(c, m)
	case "chart":
		return debtsChart(c, m)
	case "edit", "del":
		if len(args) < 2 {
			break
		}
		for i, d := range m.Debts {
			if d.ID != args[1] {
				continue
			}
			if args[0] == "del" {
				m.Debts = append(m.Debts[:i:i], m.Debts[i+1:]...)
				saveDebts(c, m)
				reps := renderDebts(c, m)
				reps[0].Text = c.T("debts.deleted") + "\n\n" + reps[0].Text
				return reps
			}
			return c.Flows.Start(c, debtFlow, map[string]string{
				"edit_id": d.ID, "lender": d.Lender, "owed": strconv.FormatInt(d.OwedFen, 10),
				"due": nonZero(d.DueFen), "overdue": strconv.Itoa(d.OverdueDays), "legal": d.Legal,
				"apr": nonZeroRate(d.APR),
			})
		}
		return []msg.Reply{{Text: c.T("debts.gone")}}
	}
	return renderDebts(c, m)
}

func nonZero(fen int64) string {
	if fen == 0 {
		return unknown
	}
	return strconv.FormatInt(fen, 10)
}

func nonZeroRate(v float64) string {
	if v == 0 {
		return unknown
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}
