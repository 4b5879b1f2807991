package bot_test

import (
	"fmt"
	"strconv"

	"github.com/looplab/fsm"

	"loanbot/dialogs"
	"loanbot/msg"
	"loanbot/zhtext"
)

// threeStep is a test-only flow: a name (text), an amount (parsed to fen) and
// an optional colour (buttons). Its prompts reuse catalog keys of the product
// so the test needs no catalog of its own; the transcript checks values.
var threeStep = &dialogs.Flow{
	Name: "t3", Version: 2, Command: "/t3", Initial: "name",
	Events: fsm.Events{
		{Name: "next", Src: []string{"name"}, Dst: "amount"},
		{Name: "next", Src: []string{"amount"}, Dst: "colour"},
		{Name: "next", Src: []string{"colour"}, Dst: dialogs.Done},
	},
	Steps: map[string]*dialogs.Step{
		"name": {Prompt: "lang.prompt", Slot: "name", Parse: func(c *dialogs.Context, s string) (string, error) { return s, nil }},
		"amount": {Prompt: "help", Slot: "fen", Numeric: true, Example: "nav.skip",
			Parse: func(c *dialogs.Context, s string) (string, error) {
				fen, err := zhtext.ParseAmount(s)
				if err != nil {
					return "", dialogs.Invalid("flow.invalid")
				}
				return strconv.FormatInt(fen, 10), nil
			}},
		"colour": {Prompt: "faq.menu", Slot: "colour", Optional: true, Choices: []dialogs.Choice{
			{Value: "red", Label: "forget.yes", Aliases: []string{"red", "红"}},
			{Value: "blue", Label: "forget.no", Aliases: []string{"blue", "蓝"}},
		}},
	},
	Finish: func(c *dialogs.Context) []msg.Reply {
		return []msg.Reply{{Text: fmt.Sprintf("DONE name=%s fen=%s colour=%s", c.Slot("name"), c.Slot("fen"), c.Slot("colour"))}}
	},
}

// counter is a test-only flow that stays in one state and checks that the
// numbers it is sent arrive in order: its reply says "n=<k> ok" or "n=<k> BAD".
var counter = &dialogs.Flow{
	Name: "count", Version: 1, Command: "/count", Initial: "n",
	Events: fsm.Events{
		{Name: "stay", Src: []string{"n"}, Dst: "n"},
		{Name: "next", Src: []string{"n"}, Dst: dialogs.Done},
	},
	Steps: map[string]*dialogs.Step{
		"n": {Prompt: "flow.example", Numeric: true,
			Args: func(c *dialogs.Context) []any { return []any{"example", c.Slot("n")} },
			Parse: func(c *dialogs.Context, s string) (string, error) {
				want, _ := strconv.Atoi(c.Slot("n"))
				got, err := strconv.Atoi(s)
				if err != nil || got != want+1 {
					return "", dialogs.Invalid("BAD")
				}
				c.SetSlot("n", s)
				return s, nil
			},
			Event: func(c *dialogs.Context, v string) string { return "stay" }},
	},
	Finish: func(c *dialogs.Context) []msg.Reply { return nil },
}
