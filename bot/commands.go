package bot

import (
	"context"
	"strings"

	"loanbot/dialogs"
	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/zhtext"
)

// command extracts "/name" and its argument from typed text ("/start xyz",
// "/prep@loanbot_bot") or a button payload (msg.Cmd).
func command(in Inbound) (name, arg string) {
	s := in.Text
	if line, ok := msg.ParseCmd(in.Payload); ok {
		s = line
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

// The engine's own commands; the features declare theirs in dialogs.
func (e *Engine) ownCommands() []dialogs.Command {
	return []dialogs.Command{
		{Name: "/start", Desc: "cmd.start", Run: e.start},
		{Name: "/faq", Desc: "cmd.faq", Menu: dialogs.GroupAsk, Order: 10, Run: func(c *dialogs.Context, _ string) []Reply {
			return e.withPrompt(c, e.faqMenu(c))
		}},
		{Name: "/help", Desc: "cmd.help", Menu: dialogs.GroupAsk, Order: 15, Run: func(c *dialogs.Context, _ string) []Reply {
			return e.withPrompt(c, []Reply{{Text: e.helpText(c.Lang), Buttons: dialogs.MainMenu(c.Lang)}})
		}},
		{Name: "/cancel", Desc: "cmd.cancel", Menu: dialogs.GroupMine, Order: 80, Run: func(c *dialogs.Context, _ string) []Reply {
			if e.flows.Active(c.Sess) == nil {
				return []Reply{{Text: c.T("cancel.none"), Buttons: dialogs.MainMenu(c.Lang)}}
			}
			dialogs.End(c.Sess)
			return []Reply{{Text: c.T("flow.cancelled"), Buttons: dialogs.MainMenu(c.Lang)}}
		}},
		{Name: "/forget", Desc: "cmd.forget", Menu: dialogs.GroupMine, Order: 90, Personal: true, Run: func(c *dialogs.Context, _ string) []Reply {
			c.Sess.Pending = "forget"
			return []Reply{{Text: c.T("forget.ask"), Buttons: [][]msg.Button{{
				{Label: c.T("forget.yes"), Payload: forgetYes},
				{Label: c.T("forget.no"), Payload: forgetNo},
			}}}}
		}},
	}
}

// The answers to /forget's question (a pending confirmation, not an action:
// it is read before anything else).
const (
	forgetYes = "forget:yes"
	forgetNo  = "forget:no"
)

// start is /start, with a deep link's payload (t.me/bot?start=prep, from a
// group) opening that command in the private chat.
func (e *Engine) start(c *dialogs.Context, arg string) []Reply {
	dialogs.End(c.Sess)
	if arg != "" && arg != "start" && len(arg) < 32 {
		if cmd := e.flows.Command("/" + strings.TrimPrefix(arg, "/")); cmd != nil {
			return e.command(c, cmd.Name, "")
		}
	}
	return []Reply{{Text: c.T("welcome"), Buttons: dialogs.MainMenu(c.Lang)}}
}

// command runs a registered command, or says it is unknown.
func (e *Engine) command(c *dialogs.Context, name, arg string) []Reply {
	cmd := e.flows.Command(name)
	switch {
	case cmd == nil:
		return e.withPrompt(c, []Reply{{Text: c.T("cmd.unknown")}})
	case cmd.Flow != nil:
		var pre map[string]string
		if cmd.Prefill != nil {
			pre = cmd.Prefill(c, arg)
		}
		return e.flows.Start(c, cmd.Flow.Name, pre)
	}
	return cmd.Run(c, arg)
}

// helpText is /help: how to talk to the bot, then every command of the
// menus with its description.
func (e *Engine) helpText(lang string) string {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "help"))
	for _, c := range e.Commands(lang) {
		if c.Menu != "" {
			b.WriteString("\n· " + c.Name + " " + c.Description)
		}
	}
	b.WriteString("\n" + i18n.T(lang, "help.tips"))
	return b.String()
}

// CommandInfo is a command as a channel's menu shows it.
type CommandInfo struct {
	Name        string // "/prep"
	Description string // in the language asked for
	Menu        string // the menu group's title ("" for a command not in the menus)
	Personal    bool   // about the user's own money or data: not for a group chat
}

// Commands lists every command, those of the menus first in their order,
// with descriptions in lang: Telegram's setMyCommands, the WeChat menu and
// /help are built from it.
func (e *Engine) Commands(lang string) []CommandInfo {
	var out []CommandInfo
	for _, c := range e.flows.Commands() {
		info := CommandInfo{Name: c.Name, Description: i18n.T(lang, c.Desc), Personal: c.Personal}
		if c.Menu != "" {
			info.Menu = i18n.T(lang, c.Menu)
		}
		out = append(out, info)
	}
	return out
}

// Words that confirm /forget when typed instead of tapped.
var confirmWords = map[string]bool{"确认": true, "确定": true, "是": true, "删除": true, "yes": true, "y": true, "confirm": true, "delete": true}

// forgetAnswer handles the answer to /forget's question. done is false when
// the message is something else, which then runs as usual (nothing deleted).
func (e *Engine) forgetAnswer(c *dialogs.Context, in Inbound) (reps []Reply, done bool) {
	c.Sess.Pending = ""
	switch {
	case in.Payload == forgetYes || (in.Payload == "" && confirmWords[zhtext.Normalize(in.Text)]):
		user := c.User
		c.After(func(ctx context.Context) error { return e.store.DeleteUser(ctx, user) })
		dialogs.End(c.Sess)
		return []Reply{{Text: c.T("forget.done")}}, true
	case in.Payload == forgetNo:
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
