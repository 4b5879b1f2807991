package dialogs

import (
	"errors"
	"strings"

	"loanbot/i18n"
	"loanbot/loancost"
	"loanbot/msg"
)

// /rate: the real cost of a loan from what reached the borrower and what
// they repay, with the cash flows to check and what it means (facts of the
// fact sheet only). One message with every fact is answered at once; a
// message without some is asked only for the rest.

var (
	_ = Declare(Command{Name: "/rate", Desc: "cmd.rate", Menu: GroupAsk, Order: 12, Personal: true, Run: runRate})
	_ = DeclareFlow(Rate)
)

// Rate asks for the facts of a loan until the cost can be computed; what
// the user said is kept and each answer adds to it.
var Rate = &Flow{
	Name: "rate", Version: 1, Initial: "facts",
	Events: chain("facts"),
	Steps: map[string]*Step{
		"facts": {Prompt: "rate.ask", Slot: "facts", Example: "rate.example", Parse: parseLoanFacts},
	},
	Finish: func(c *Context) []msg.Reply {
		in, _ := loancost.Parse(c.Slot("facts"))
		r, err := loancost.Compute(in)
		if err != nil {
			return []msg.Reply{{Text: c.T("rate.ask")}}
		}
		return renderRate(c, r)
	},
}

// maxFacts bounds what the flow keeps of the user's words.
const maxFacts = 500

// parseLoanFacts adds a message to what the user said of the loan and takes
// it when the cost can be computed, else says what is missing.
func parseLoanFacts(c *Context, s string) (string, error) {
	facts := strings.TrimSpace(c.Slot("facts") + "，" + s)
	facts = strings.TrimPrefix(facts, "，")
	if len([]rune(facts)) > maxFacts {
		facts = string([]rune(facts)[len([]rune(facts))-maxFacts:])
	}
	in, missing := loancost.Parse(facts)
	if len(missing) == 0 {
		if _, err := loancost.Compute(in); err != nil {
			var m loancost.Missing
			if errors.As(err, &m) {
				missing = []loancost.Missing{m}
			}
		}
	}
	if len(missing) > 0 {
		c.SetSlot("facts", facts) // kept for the next answer
		return "", Invalid("rate.missing." + missing[0].Field.String())
	}
	return facts, nil
}

// runRate is /rate with or without the facts.
func runRate(c *Context, arg string) []msg.Reply {
	if strings.TrimSpace(arg) != "" {
		in, missing := loancost.Parse(arg)
		if len(missing) == 0 {
			if r, err := loancost.Compute(in); err == nil {
				return renderRate(c, r)
			}
		}
		reps := c.Flows.Start(c, Rate.Name, nil)
		if _, err := parseLoanFacts(c, arg); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				reps[0].Text = c.T(ie.Key) + "\n" + reps[0].Text
			}
		}
		return reps
	}
	return c.Flows.Start(c, Rate.Name, nil)
}

// costOfLoan is the APR a text about a loan gives, for the debt map.
func costOfLoan(s string) (float64, error) {
	if v, err := annualPercent(s); err == nil {
		return v, nil
	}
	in, missing := loancost.Parse(s)
	if len(missing) > 0 {
		return 0, missing[0]
	}
	r, err := loancost.Compute(in)
	if err != nil {
		return 0, err
	}
	if r.APR <= 0 {
		return 0, errors.New("no cost")
	}
	return r.APR, nil
}

func init() { costOf = costOfLoan }

// renderRate is the cost, the flows and what it means.
func renderRate(c *Context, r loancost.Result) []msg.Reply {
	a := loancost.Assess(r)
	y := func(fen int64) string { return i18n.Yuan(c.Lang, fen) }
	var parts []string
	if r.Basis == loancost.BasisQuoted {
		parts = append(parts, c.T("rate.quoted", "apr", percent(r.Simple)))
	} else {
		parts = append(parts, c.T("rate.result", "apr", percent(r.APR), "ear", percent(r.EAR),
			"received", y(r.Received), "repaid", y(r.Repaid)))
		parts = append(parts, c.T("rate.flows")+"\n"+flowLines(c, r))
	}
	switch {
	case a.Negative:
		parts = append(parts, c.T("rate.means.negative"))
	case a.InterestFree:
		parts = append(parts, c.T("rate.means.free"))
	default:
		if a.AboveCourtLine {
			parts = append(parts, c.T("rate.means.court"))
		} else {
			parts = append(parts, c.T("rate.means.below"))
		}
		parts = append(parts, c.T("rate.means.private"))
		if a.UpfrontDeducted {
			parts = append(parts, c.T("rate.means.upfront", "received", y(r.Received), "principal", y(r.Principal)))
		}
		if a.QuotedUnderstates {
			parts = append(parts, c.T("rate.means.understates"))
		}
		if a.RateOnly {
			parts = append(parts, c.T("rate.means.rate_only"))
		}
		parts = append(parts, c.T("rate.todo"))
	}
	return []msg.Reply{{Text: strings.Join(parts, "\n\n"), Buttons: [][]msg.Button{
		{{Label: c.T("rate.btn.again"), Payload: msg.Cmd("/rate")}, {Label: c.T("debts.btn.add"), Payload: msg.Cmd("/debt")}},
		{{Label: c.T("plan.btn.legal_aid"), Payload: Topic("legal-aid")}},
	}}}
}

// flowLines lists the cash flows, the middle of a long schedule elided.
func flowLines(c *Context, r loancost.Result) string {
	unit := "rate.flow.month"
	if r.Unit == loancost.Days {
		unit = "rate.flow.day"
	}
	line := func(f loancost.Flow) string {
		return c.T(unit, "n", f.At) + "：" + signedYuan(c.Lang, f.Fen)
	}
	var lines []string
	for i, f := range r.Flows {
		if len(r.Flows) > 8 && i >= 3 && i < len(r.Flows)-2 {
			if i == 3 {
				lines = append(lines, c.T("rate.flow.more", "n", len(r.Flows)-5))
			}
			continue
		}
		lines = append(lines, line(f))
	}
	return strings.Join(lines, "\n")
}

func signedYuan(lang string, fen int64) string {
	if fen < 0 {
		return "−" + i18n.Yuan(lang, -fen)
	}
	return "+" + i18n.Yuan(lang, fen)
}
