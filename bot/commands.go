package bot

import (
	"context"
	"strings"

	"loanbot/dialogs"
	"loanbot/msg"
	"loanbot/zhtext"
)

// command extracts "/name" and its argument from typed text ("/start xyz",
// "/prep@loanbot_bot") or a button payload ("cmd:/prep").
func command(in Inbound) (name, arg string) {
	s := in.Text
	if strings.HasPrefix(in.Payload, "cmd:") {
		s = strings.TrimPrefix(in.Payload, "cmd:")
	} else if in.Payload != "" {
		return "", ""
	}
	s = zhtext.Width(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "/") || len(s) < 2 {
		return "", ""
	}
	name, arg, _ = strings.Cut(s, " ")
	if at := strings.IndexByte(name, '@'); at > 0 { // "/start@some_bot" in groups
		name = name[:at]
	}
	return strings.ToLower(name), strings.TrimSpace(arg)
}

func (e *Engine) command(c *dialogs.Context, name, arg string) []Reply {
	switch name {
	case "/start":
		dialogs.End(c.Sess)
		// A deep link's payload (t.me/bot?start=prep, from a group) opens
		// that command in the private chat.
		if arg != "" && arg != "start" && len(arg) < 32 {
			if reps := e.command(c, "/"+strings.TrimPrefix(arg, "/"), ""); len(reps) > 0 && !isUnknown(c, reps) {
				return reps
			}
		}
		return []Reply{{Text: c.T("welcome"), Buttons: dialogs.MainMenu(c.Lang)}}
	case "/help":
		return e.withPrompt(c, []Reply{{Text: c.T("help"), Buttons: dialogs.MainMenu(c.Lang)}})
	case "/cancel":
		if e.flows.Active(c.Sess) == nil {
			return []Reply{{Text: c.T("cancel.none"), Buttons: dialogs.MainMenu(c.Lang)}}
		}
		dialogs.End(c.Sess)
		return []Reply{{Text: c.T("flow.cancelled"), Buttons: dialogs.MainMenu(c.Lang)}}
	case "/forget":
		c.Sess.Pending = "forget"
		return []Reply{{Text: c.T("forget.ask"), Buttons: [][]msg.Button{{
			{Label: c.T("forget.yes"), Payload: "forget:yes"},
			{Label: c.T("forget.no"), Payload: "forget:no"},
		}}}}
	case "/faq":
		return e.withPrompt(c, e.faqMenu(c))
	}
	if f := e.flows.ByCommand(name); f != nil {
		return e.flows.Start(c, f.Name, nil)
	}
	if run := e.flows.Command(name); run != nil {
		return run(c, arg)
	}
	if planned[name] {
		return e.withPrompt(c, []Reply{{Text: c.T("cmd.soon"), Buttons: dialogs.MainMenu(c.Lang)}})
	}
	return e.withPrompt(c, []Reply{{Text: c.T("cmd.unknown")}})
}

// Words that confirm /forget when typed instead of tapped.
var confirmWords = map[string]bool{"确认": true, "确定": true, "是": true, "删除": true, "yes": true, "y": true, "confirm": true, "delete": true}

// forgetAnswer handles the answer to /forget's question. done is false when
// the message is something else, which then runs as usual (nothing deleted).
func (e *Engine) forgetAnswer(c *dialogs.Context, in Inbound) (reps []Reply, done bool) {
	c.Sess.Pending = ""
	switch {
	case in.Payload == "forget:yes" || (in.Payload == "" && confirmWords[zhtext.Normalize(in.Text)]):
		user := c.User
		c.After(func(ctx context.Context) error { return e.store.DeleteUser(ctx, user) })
		dialogs.End(c.Sess)
		return []Reply{{Text: c.T("forget.done")}}, true
	case in.Payload == "forget:no":
		return e.withPrompt(c, []Reply{{Text: c.T("forget.kept")}}), true
	}
	return nil, false
}

func (e *Engine) crisis(c *dialogs.Context) []Reply {
	text := c.T("crisis.reply")
	if e.faq != nil {
		if t := e.faq.Topic("crisis-support"); t != nil {
			text = t.Text(c.Lang)
		}
	}
	return e.withPrompt(c, []Reply{{Text: text}})
}

// planned are commands of design.md whose feature has not landed yet.
var planned = map[string]bool{}

func isUnknown(c *dialogs.Context, reps []Reply) bool { return reps[0].Text == c.T("cmd.unknown") }
