package dialogs

import (
	"context"
	"strconv"
	"strings"

	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/store"
)

// /letter writes the letters a borrower needs, filled from what they told
// the bot (the /prep plan, the call log, a checked collector's message) and
// asking only for what is missing: the name as they want it written, the
// contract number if they have it, and, if they like, their own words. The
// text comes in the chat; a PDF comes with it where the channel takes files.

var (
	_ = Declare(Command{Name: "/letter", Desc: "cmd.letter", Menu: GroupPlan, Order: 45, Personal: true, Run: startLetter})
	_ = DeclareFlow(Letter)
	_ = DeclareAction(Action{Prefix: letterPrefix, Run: func(c *Context, args []string) []msg.Reply { return startLetter(c, args[0]) }})
)

// letterPrefix is the action of the letter menu's buttons (letter:<kind>).
const letterPrefix = "letter"

// The kinds of letter.
const (
	letterProposal  = "proposal"  // 协商还款申请书, to the lender
	letterHardship  = "hardship"  // 困难情况说明, with the proof to attach
	letterComplaint = "complaint" // 投诉材料, to the platform and to 12378
)

var letterKinds = []string{letterProposal, letterHardship, letterComplaint}

// lettersDoc keeps the name and contract number the user gave, so the next
// letter does not ask again (deleted by /forget).
const lettersDoc = "letters"

func init() { store.RegisterDoc(lettersDoc) }

type letterFacts struct {
	Name     string `json:"name"`
	Contract string `json:"contract"`
}

// Letter asks what a letter needs that the bot does not know yet.
var Letter = &Flow{
	Name: "letter", Version: 1, Initial: "name",
	Events: chain("name", "contract", "words"),
	Steps: map[string]*Step{
		"name":     {Prompt: "letter.name", Slot: "name", Example: "letter.name.example", Parse: parseName},
		"contract": {Prompt: "letter.contract", Slot: "contract", Optional: true, Choices: []Choice{unknownChoice}, Parse: optionalText(40)},
		"words":    {Prompt: "letter.words", Slot: "words", Optional: true, Parse: optionalText(300)},
	},
	Finish: finishLetter,
}

// startLetter is /letter: the menu of letters, or one of them.
func startLetter(c *Context, kind string) []msg.Reply {
	known := false
	for _, k := range letterKinds {
		known = known || k == kind
	}
	if !known {
		var row []msg.Button
		for _, k := range letterKinds {
			row = append(row, msg.Button{Label: c.T("letter.kind." + k), Payload: msg.Action(letterPrefix, k)})
		}
		return []msg.Reply{{Text: c.T("letter.menu"), Buttons: [][]msg.Button{row}}}
	}
	var p Plan
	havePlan := false
	if c.Docs != nil {
		havePlan, _ = c.Docs.GetDoc(c.Ctx, c.User, planDoc, &p)
	}
	if !havePlan && kind != letterComplaint {
		return []msg.Reply{{Text: c.T("letter.needs_plan"), Buttons: [][]msg.Button{{{Label: c.T("menu.prep"), Payload: msg.Cmd("/prep")}}}}}
	}
	pre := map[string]string{"kind": kind}
	var f letterFacts
	if c.Docs != nil {
		if found, _ := c.Docs.GetDoc(c.Ctx, c.User, lettersDoc, &f); found && f.Name != "" {
			pre["name"], pre["contract"] = f.Name, orUnknown(f.Contract)
		}
	}
	return c.Flows.Start(c, Letter.Name, pre)
}

func orUnknown(s string) string {
	if s == "" {
		return unknown
	}
	return s
}

func finishLetter(c *Context) []msg.Reply {
	kind := c.Slot("kind")
	facts := letterFacts{Name: c.Slot("name")}
	if known(c.Slot("contract")) {
		facts.Contract = c.Slot("contract")
	}
	if c.Docs != nil {
		docs, user := c.Docs, c.User
		c.After(func(ctx context.Context) error { return docs.PutDoc(ctx, user, lettersDoc, facts) })
	}
	var p Plan
	if c.Docs != nil {
		c.Docs.GetDoc(c.Ctx, c.User, planDoc, &p)
	}
	title, paras := composeLetter(c, kind, facts, p, strings.TrimSpace(c.Slot("words")))
	text := title + "\n\n" + strings.Join(paras, "\n\n")
	reps := []msg.Reply{{Text: c.T("letter.ready") + "\n\n" + text}}
	if d := letterPDF(c, title, paras); d != nil {
		reps[0].Document = d
	}
	if kind == letterComplaint {
		reps = append(reps, msg.Reply{Text: c.T("letter.complaint.where")})
	}
	reps[len(reps)-1].Buttons = [][]msg.Button{{{Label: c.T("letter.btn.another"), Payload: msg.Cmd("/letter")}}}
	return reps
}

// composeLetter is a letter's title and paragraphs in the user's language.
func composeLetter(c *Context, kind string, f letterFacts, p Plan, words string) (string, []string) {
	y := func(fen int64) string { return i18n.Yuan(c.Lang, fen) }
	contract := ""
	if f.Contract != "" {
		contract = c.T("letter.contract_line", "contract", f.Contract)
	}
	lender := lenderName(c.Lang, p.Lender, "")
	if p.Lender == "" {
		lender = c.T("letter.lender_unknown")
	}
	if strings.HasPrefix(p.Lender, "other:") || inDirectory(p.Lender) {
		lender = debtLenderName(c.Lang, p.Lender)
	}
	a := []any{"name", f.Name, "contract", contract, "lender", lender, "owed", y(p.OwedFen),
		"overdue", daysText(c.Lang, strconv.Itoa(p.OverdueDays)), "reason", c.T("plan.reason." + orOther(p.Reason)),
		"monthly", y(p.MonthlyFen), "months", p.Months, "ask", c.T("plan.ask_short." + orHardship(p.Ask)),
		"income", y(p.IncomeFen), "expenses", y(p.ExpensesFen), "date", c.Now.Format(c.T("fmt.letter_date")),
		"words", words}
	sign := c.T("letter.sign", a...)
	switch kind {
	case letterHardship:
		paras := []string{c.T("letter.to", a...), c.T("letter.hardship.body", a...)}
		if words != "" {
			paras = append(paras, c.T("letter.own_words", a...))
		}
		paras = append(paras, c.T("letter.hardship.attach")+"\n"+c.T("plan.docs.common")+"\n"+c.T("plan.docs."+orOther(p.Reason)), sign)
		return c.T("letter.hardship.title"), paras
	case letterComplaint:
		paras := []string{c.T("letter.complaint.parties", a...), c.T("letter.complaint.facts")}
		paras = append(paras, complaintFacts(c)...)
		if words != "" {
			paras = append(paras, c.T("letter.own_words", a...))
		}
		paras = append(paras, c.T("letter.complaint.ask"), sign)
		return c.T("letter.complaint.title"), paras
	}
	paras := []string{c.T("letter.to", a...), c.T("letter.proposal.body", a...)}
	if words != "" {
		paras = append(paras, c.T("letter.own_words", a...))
	}
	if p.Feasible() {
		paras = append(paras, c.T("letter.proposal.offer", a...))
	} else {
		paras = append(paras, c.T("letter.proposal.hardship", a...))
	}
	paras = append(paras, c.T("letter.proposal.close"), sign)
	return c.T("letter.proposal.title"), paras
}

func orOther(reason string) string {
	if reason == "" {
		return "other"
	}
	return reason
}

func orHardship(ask string) string {
	if ask == "" {
		return "hardship"
	}
	return ask
}

// complaintFacts are the complaint's facts: the checked collector's
// messages with what each claim is, then the calls logged.
func complaintFacts(c *Context) []string {
	var out []string
	for _, m := range loadChecked(c) {
		out = append(out, c.T("letter.complaint.message", "date", i18n.Date(c.Lang, m.At), "quote", m.Text)+checkedClaims(c, m.Text))
	}
	if c.Docs != nil {
		raw, _ := c.Docs.Logs(c.Ctx, c.User, callsLog, 10)
		for _, r := range raw {
			if line := callLine(c, r); line != "" {
				out = append(out, line)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, c.T("letter.complaint.none"))
	}
	return out
}
