package bot_test

import (
	"context"
	"testing"

	"loanbot/bot"
	"loanbot/store/storetest"
)

// FuzzPayload: whatever a client sends as button data (Telegram callback
// data, a web chat payload, a WeChat menu key) or as text, the engine
// answers without panicking, whatever state the user is in.
//
//	go test ./bot -run '^$' -fuzz FuzzPayload -fuzztime 1m
func FuzzPayload(f *testing.F) {
	for _, s := range []string{"cmd:/prep", "c:weilidai", "c:goto:owed", "nav:back", "nav:skip", "faq:sued-risk", "cat:lawsuit",
		"rm:paid:abcd:2026-12-31", "rm:snooze:", "rm:", "forget:yes", "cmd:/remind plan", "cmd:/plan chart", "cmd:/log", "c:", "\x00", "cmd:/",
		"debts:add", "debts:plan", "debts:chart", "debts:edit:", "debts:del:x", "cmd:/debt 美团 欠8000 每月还1000", "cmd:/prep debt:x",
		"letter:proposal", "letter:", "cmd:/letter complaint", "cmd:/rate 日息万五", "cmd:/check 您已涉嫌诈骗", "cmd:/logs pdf"} {
		f.Add(s, "")
		f.Add("", s)
	}
	f.Add("", "3万5")
	e := newEngine(f, storetest.Store(f))
	u := storetest.User("fuzz")
	for _, s := range []string{"/prep", "微粒贷"} { // a user in the middle of a flow
		e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: s})
	}
	f.Fuzz(func(t *testing.T, payload, text string) {
		_, _ = e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: text, Payload: payload})
	})
}
