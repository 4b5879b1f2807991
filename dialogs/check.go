package dialogs

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"loanbot/collect"
	"loanbot/msg"
	"loanbot/store"
	"loanbot/zhtext"
)

// /check reads a collector's message: each claim it makes, quoted, with
// what is true, false or unlawful and the basis, then what to keep and
// where to complain. A pasted message that reads like a collection text is
// checked without the command. A message that is also a cry of despair
// gets the crisis reply first (the engine checks that before anything).

var (
	_ = Declare(Command{Name: "/check", Desc: "cmd.check", Menu: GroupAsk, Order: 14, Run: runCheck})
	_ = DeclareFlow(CheckFlow)
	_ = DeclareReader(readCollection)
)

// checkedDoc keeps the last messages the user had checked, for the
// complaint letter (sealed at rest; /forget deletes it).
const checkedDoc = "checked"

func init() { store.RegisterDoc(checkedDoc) }

const (
	maxChecked     = 5    // messages kept for the complaint
	maxCheckedText = 2000 // runes kept of each
	minPasted      = 12   // runes: shorter free text is a question, not a pasted message
)

// Checked is a collector's message the user had checked.
type Checked struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

type checkedList struct {
	Messages []Checked `json:"messages"`
}

// CheckFlow asks for the message when /check came alone.
var CheckFlow = &Flow{
	Name: "check", Version: 1, Initial: "text",
	Events: chain("text"),
	Steps: map[string]*Step{
		"text": {Prompt: "check.ask", Slot: "text", Parse: optionalText(maxCheckedText * 4)},
	},
	Finish: func(c *Context) []msg.Reply { return checkText(c, c.Slot("text")) },
}

// runCheck is /check with the message, or asking for it. Inside a flow the
// flow's question follows the answer.
func runCheck(c *Context, arg string) []msg.Reply {
	if strings.TrimSpace(arg) == "" {
		if c.Flows.Active(c.Sess) != nil {
			return []msg.Reply{{Text: c.T("check.ask_mid")}}
		}
		return c.Flows.Start(c, CheckFlow.Name, nil)
	}
	reps := checkText(c, arg)
	if p, ok := c.Flows.Prompt(c); ok {
		p.Text = c.T("flow.continue") + "\n" + p.Text
		reps = append(reps, p)
	}
	return reps
}

// readCollection checks free text that reads like a collector's message.
func readCollection(c *Context, text string) ([]msg.Reply, bool) {
	if utf8.RuneCountInString(text) < minPasted || ownWords(text) || !collect.LooksLikeCollection(text) {
		return nil, false
	}
	return checkText(c, text), true
}

var (
	reSecondPerson = regexp.MustCompile(`(?i)[你您]|\byou(r|rs)?\b`)
	reQuestion     = regexp.MustCompile(`(?i)[吗呢？?]|怎么|咋|会不会|是不是|能不能|可不可以|可以.*吗|有没有|算不算|真的假的|如何|多久|什么时候|为什么|^\s*(what|how|why|when|can|should|is|are|does|do|will|would|could)\b`)
)

// ownWords: the text reads as the user's own words or question ("逾期了会
// 被起诉吗", "催收说要上门，真的假的"), not a message they received as it
// was sent. Only a message that addresses the borrower and asks nothing is
// checked without /check; anything else goes to the FAQ, and /check still
// checks it when asked.
func ownWords(text string) bool {
	if !reSecondPerson.MatchString(text) { // 你/您 read the same in both scripts
		return true
	}
	return reQuestion.MatchString(zhtext.ToSimplified(text))
}

// checkText answers a message: the claims found, or none; the evidence and
// where to complain; and keeps it for the complaint letter.
func checkText(c *Context, text string) []msg.Reply {
	claims := collect.Check(text)
	var parts []string
	if len(claims) == 0 {
		parts = append(parts, c.T("check.none"))
	} else {
		parts = append(parts, c.T("check.found", "n", len(claims)))
		for i, cl := range claims {
			parts = append(parts, c.T("check.claim", "n", i+1, "quote", cl.Quote,
				"verdict", c.T("check.verdict."+cl.Verdict), "say", cl.Say.In(c.Lang))+basisLine(c, cl.Basis))
		}
	}
	parts = append(parts, c.T("check.advice")+"\n"+strings.Join(prefixed(collect.Advice(c.Lang)), "\n"))
	keepChecked(c, text)
	return []msg.Reply{{Text: strings.Join(parts, "\n\n"), Buttons: [][]msg.Button{
		{{Label: c.T("check.btn.complaint"), Payload: msg.Action(letterPrefix, letterComplaint)}},
		{{Label: c.T("check.btn.another"), Payload: msg.Cmd("/check")}},
	}}}
}

func basisLine(c *Context, basis string) string {
	if basis == "" || basis == "—" {
		return ""
	}
	return "\n" + c.T("check.basis", "basis", basis)
}

func prefixed(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "· " + l
	}
	return out
}

// keepChecked stores text as the newest checked message.
func keepChecked(c *Context, text string) {
	if c.Docs == nil {
		return
	}
	var l checkedList
	c.Docs.GetDoc(c.Ctx, c.User, checkedDoc, &l)
	text = zhtext.Truncate(text, maxCheckedText)
	l.Messages = append([]Checked{{At: c.Now.UTC(), Text: text}}, l.Messages...)
	if len(l.Messages) > maxChecked {
		l.Messages = l.Messages[:maxChecked]
	}
	docs, user := c.Docs, c.User
	c.After(func(ctx context.Context) error { return docs.PutDoc(ctx, user, checkedDoc, l) })
}

// loadChecked is the messages the user had checked, newest first.
func loadChecked(c *Context) []Checked {
	var l checkedList
	if c.Docs != nil {
		c.Docs.GetDoc(c.Ctx, c.User, checkedDoc, &l)
	}
	return l.Messages
}

// checkedClaims is what the claims of text are, for the complaint.
func checkedClaims(c *Context, text string) string {
	var b strings.Builder
	for _, cl := range collect.Check(text) {
		b.WriteString("\n· " + cl.Say.In(c.Lang))
		if cl.Basis != "" && cl.Basis != "—" {
			b.WriteString(c.T("check.basis_short", "basis", cl.Basis))
		}
	}
	return b.String()
}
