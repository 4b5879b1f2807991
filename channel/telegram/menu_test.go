package telegram

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"loanbot/bot"
	"loanbot/i18n"
)

// helpCommands are the commands /help lists, in its order.
func helpCommands(t *testing.T, e *bot.Engine, lang string) []string {
	t.Helper()
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: "help-" + lang, LangHint: lang, Text: "/help"})
	if err != nil || len(reps) == 0 {
		t.Fatalf("/help: %v", err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^· (/[a-z_]+) `).FindAllStringSubmatch(reps[0].Text, -1) {
		out = append(out, m[1])
	}
	return out
}

// Telegram's menu lists the commands /help lists, with a description, in
// both languages.
func TestMenusListTheSameCommands(t *testing.T) {
	e := newEngine(t).Engine
	for _, lang := range []string{i18n.ZhHans, i18n.En} {
		var menu []string
		for _, c := range menuOf(e.Commands(lang)) {
			if c.Description == "" || c.Description == "cmd."+c.Command {
				t.Errorf("%s: /%s has no description", lang, c.Command)
			}
			menu = append(menu, "/"+c.Command)
		}
		if help := helpCommands(t, e, lang); len(menu) < 8 || !slices.Equal(menu, help) {
			t.Errorf("%s: Telegram's menu %v, /help %v", lang, menu, help)
		}
	}
}
