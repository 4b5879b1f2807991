package dialogs

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"loanbot/msg"
	"loanbot/store"
	"loanbot/zhtext"
)

var (
	_ = Declare(Command{Name: "/log", Desc: "cmd.log", Menu: GroupPlan, Order: 40, Personal: true, Flow: CallLog})
	_ = Declare(Command{Name: "/logs", Desc: "cmd.logs", Personal: true, Run: listCalls})
)

// CallLog is the /log flow: after a call with the lender, note when, with
// whom, what was offered and agreed, and the next step.
var CallLog = &Flow{
	Name: "calllog", Version: 1, Initial: "when",
	Events: chain("when", "lender", "agent", "offered", "agreed", "next_step", "next_date"),
	Steps: map[string]*Step{
		"when": {Prompt: "log.when", Slot: "when", Example: "log.when.example",
			Choices: []Choice{{Value: "now", Label: "log.when.now", Aliases: []string{"刚才", "刚刚", "现在", "now", "just now", "today", "今天"}}},
			Parse:   parseDay},
		"lender":    {Prompt: "log.lender", Slot: "lender", Choices: lenderChoices[:5], Parse: parseLender},
		"agent":     {Prompt: "log.agent", Slot: "agent", Optional: true, Parse: optionalText(40)},
		"offered":   {Prompt: "log.offered", Slot: "offered", Optional: true, Parse: optionalText(500)},
		"agreed":    {Prompt: "log.agreed", Slot: "agreed", Optional: true, Parse: optionalText(500)},
		"next_step": {Prompt: "log.next_step", Slot: "next_step", Optional: true, Parse: optionalText(300)},
		"next_date": {Prompt: "log.next_date", Slot: "next_date", Optional: true, Example: "log.next_date.example", Parse: parseDay},
	},
	Finish: finishCallLog,
}

// Call is one logged call.
type Call struct {
	At       string    `json:"at"` // the day of the call, YYYY-MM-DD
	Lender   string    `json:"lender"`
	Agent    string    `json:"agent,omitempty"`
	Offered  string    `json:"offered,omitempty"`
	Agreed   string    `json:"agreed,omitempty"`
	NextStep string    `json:"next,omitempty"`
	NextDate string    `json:"nextDate,omitempty"`
	Logged   time.Time `json:"logged"`
}

const maxCalls = 200

// callsLog is the store's log of a user's calls (newest first); declared to
// the store so that /forget deletes it by name.
const callsLog = "calls"

func init() { store.RegisterLog(callsLog) }

// parseDay reads a day ("今天" counts as now) into YYYY-MM-DD.
func parseDay(c *Context, s string) (string, error) {
	if s == "now" {
		return c.Now.Format(time.DateOnly), nil
	}
	d, err := zhtext.ParseDate(s, c.Now)
	if err != nil || d.Monthly {
		return "", Invalid("input.not_date")
	}
	return d.Date.Format(time.DateOnly), nil
}

func finishCallLog(c *Context) []msg.Reply {
	when := c.Slot("when")
	if when == "now" {
		when = c.Now.Format(time.DateOnly)
	}
	call := Call{
		At: when, Lender: c.Slot("lender"), Agent: c.Slot("agent"), Offered: c.Slot("offered"),
		Agreed: c.Slot("agreed"), NextStep: c.Slot("next_step"), NextDate: c.Slot("next_date"), Logged: c.Now.UTC(),
	}
	if c.Docs != nil {
		docs, user := c.Docs, c.User
		c.After(func(ctx context.Context) error { return docs.AppendLog(ctx, user, callsLog, call, maxCalls) })
	}
	buttons := [][]msg.Button{{{Label: c.T("log.btn.list"), Payload: msg.Cmd("/logs")}, {Label: c.T("log.btn.another"), Payload: msg.Cmd("/log")}}}
	text := c.T("log.saved")
	if call.NextDate != "" {
		text += "\n" + c.T("log.offer_reminder", "date", call.NextDate)
		buttons = append([][]msg.Button{{{Label: c.T("log.btn.remind"), Payload: msg.Cmd("/remind", call.NextDate)}}}, buttons...)
	}
	return []msg.Reply{{Text: text, Buttons: buttons}}
}

// listCalls is /logs: the latest calls, newest first.
func listCalls(c *Context, arg string) []msg.Reply {
	if c.Docs == nil {
		return []msg.Reply{{Text: c.T("log.none")}}
	}
	raw, err := c.Docs.Logs(c.Ctx, c.User, callsLog, 10)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	if len(raw) == 0 {
		return []msg.Reply{{Text: c.T("log.none"), Buttons: [][]msg.Button{{{Label: c.T("plan.btn.log"), Payload: msg.Cmd("/log")}}}}}
	}
	var entries []string
	for _, r := range raw {
		if line := callLine(c, r); line != "" {
			entries = append(entries, line)
		}
	}
	rep := msg.Reply{Text: c.T("log.list") + "\n\n" + strings.Join(entries, "\n\n"),
		Buttons: [][]msg.Button{{{Label: c.T("log.btn.another"), Payload: msg.Cmd("/log")}, {Label: c.T("log.btn.pdf"), Payload: msg.Cmd("/logs", "pdf")}}}}
	if arg == "pdf" {
		rep.Document = letterPDF(c, c.T("log.pdf.title"), entries)
		if rep.Document == nil {
			rep.Text = c.T("letter.no_pdf") + "\n\n" + rep.Text
		}
	}
	return []msg.Reply{rep}
}

// callLine is one logged call as text ("" when it does not read).
func callLine(c *Context, raw []byte) string {
	var call Call
	if json.Unmarshal(raw, &call) != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(c.T("log.entry", "date", call.At, "lender", lenderName(c.Lang, call.Lender, "")))
	for _, f := range []struct{ key, v string }{
		{"log.f.agent", call.Agent}, {"log.f.offered", call.Offered}, {"log.f.agreed", call.Agreed},
		{"log.f.next", call.NextStep}, {"log.f.next_date", call.NextDate},
	} {
		if f.v != "" {
			b.WriteString("\n" + c.T(f.key, "v", f.v))
		}
	}
	return b.String()
}
