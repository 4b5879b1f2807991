package dialogs

import (
	"loanbot/i18n"
	"loanbot/msg"
)

var _ = Declare(Command{Name: "/lang", Desc: "cmd.lang", Menu: GroupMine, Order: 70, Flow: Lang})

// Lang is the /lang flow: one question, the language of every reply after it.
var Lang = &Flow{
	Name:    "lang",
	Version: 1,
	Initial: "choose",
	Events:  chain("choose"),
	Steps: map[string]*Step{
		"choose": {
			Prompt:  "lang.prompt",
			Slot:    "lang",
			Renders: []string{"lang.done.%s"},
			Choices: []Choice{
				{Value: i18n.ZhHans, Label: "lang.zh-Hans", Aliases: []string{"简体", "简体中文", "中文", "chinese", "zh", "zh-hans", "zh-cn"}},
				{Value: i18n.ZhHant, Label: "lang.zh-Hant", Aliases: []string{"繁体", "繁体中文", "繁體", "traditional", "zh-hant", "zh-tw", "zh-hk"}},
				{Value: i18n.En, Label: "lang.en", Aliases: []string{"english", "英文", "英语", "en"}},
			},
		},
	},
	Finish: func(c *Context) []msg.Reply {
		l := c.Slot("lang")
		c.Sess.Lang, c.Sess.LangChosen = l, true
		c.Lang = l
		return []msg.Reply{{Text: c.T("lang.done." + l), Buttons: mainMenu(c)}}
	},
}
