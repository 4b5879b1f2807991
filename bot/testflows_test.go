package bot_test

import (
	"fmt"
	"strconv"

	"github.com/looplab/fsm"

	"loanbot/dialogs"
	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/zhtext"
)

// The test flows speak from a test catalog, never the product's keys.
func init() {
	if err := i18n.Extend(map[string]map[string]string{i18n.ZhHans: {
		"test.t3":        "测试流程",
		"test.t3.name":   "请问怎么称呼你？",
		"test.t3.amount": "欠了多少？",
		"test.t3.colour": "选一个颜色：",
		"test.t3.eg":     "跳过",
		"test.t3.red":    "红色",
		"test.t3.blue":   "蓝色",
		"test.count":     "计数流程",
		"test.count.n":   "下一个数，例如：{example}",
	}, i18n.En: {
		"test.t3":        "Test flow",
		"test.t3.name":   "What is your name?",
		"test.t3.amount": "How much?",
		"test.t3.colour": "Pick a colour:",
		"test.t3.eg":     "skip",
		"test.t3.red":    "Red",
		"test.t3.blue":   "Blue",
		"test.count":     "Counting flow",
		"test.count.n":   "The next number, e.g. {example}",
	}}); err != nil {
		panic(err)
	}
}

// testCommands start the test flows.
var testCommands = []dialogs.Command{
	{Name: "/t3", Desc: "test.t3", Flow: threeStep},
	{Name: "/count", Desc: "test.count", Flow: counter},
}

// threeStep is a test-only flow: a name (text), an amount (parsed to fen) and
// an optional colour (buttons).
var threeStep = &dialogs.Flow{
	Name: "t3", Version: 2, Initial: "name",
	Events: fsm.Events{
		{Name: "next", Src: []string{"name"}, Dst: "amount"},
		{Name: "next", Src: []string{"amount"}, Dst: "colour"},
		{Name: "next", Src: []string{"colour"}, Dst: dialogs.Done},
	},
	Steps: map[string]*dialogs.Step{
		"name": {Prompt: "test.t3.name", Slot: "name", Parse: func(c *dialogs.Context, s string) (string, error) { return s, nil }},
		"amount": {Prompt: "test.t3.amount", Slot: "fen", Numeric: true, Example: "test.t3.eg",
			Parse: func(c *dialogs.Context, s string) (string, error) {
				fen, err := zhtext.ParseAmount(s)
				if err != nil {
					return "", dialogs.Invalid("flow.invalid")
				}
				return strconv.FormatInt(fen, 10), nil
			}},
		"colour": {Prompt: "test.t3.colour", Slot: "colour", Optional: true, Choices: []dialogs.Choice{
			{Value: "red", Label: "test.t3.red", Aliases: []string{"red", "红"}},
			{Value: "blue", Label: "test.t3.blue", Aliases: []string{"blue", "蓝"}},
		}},
	},
	Finish: func(c *dialogs.Context) []msg.Reply {
		return []msg.Reply{{Text: fmt.Sprintf("DONE name=%s fen=%s colour=%s", c.Slot("name"), c.Slot("fen"), c.Slot("colour"))}}
	},
}

// counter is a test-only flow that stays in one state and checks that the
// numbers it is sent arrive in order: its reply says "n=<k> ok" or "n=<k> BAD".
var counter = &dialogs.Flow{
	Name: "count", Version: 1, Initial: "n",
	Events: fsm.Events{
		{Name: "stay", Src: []string{"n"}, Dst: "n"},
		{Name: "next", Src: []string{"n"}, Dst: dialogs.Done},
	},
	Steps: map[string]*dialogs.Step{
		"n": {Prompt: "test.count.n", Numeric: true,
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
