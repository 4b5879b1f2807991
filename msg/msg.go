// Package msg holds the channel-neutral shape of what the bot says: a reply
// with text, button rows and an optional image or document. Flows build
// replies, the engine returns them, and each channel adapter renders them.
package msg

import (
	"errors"
	"strings"
)

// Button is one tappable answer. Payload is what comes back when it is tapped
// (short: Telegram allows 64 bytes of callback data).
type Button struct {
	Label   string `json:"label"`
	Payload string `json:"payload"`
}

// Attachment is a file sent with a reply: a chart (image) or a plan (document).
type Attachment struct {
	Name    string `json:"name"`
	MIME    string `json:"mime"`
	Data    []byte `json:"-"`
	Caption string `json:"caption,omitempty"`
}

// Reply is one message from the bot.
type Reply struct {
	Text     string      `json:"text"`
	Buttons  [][]Button  `json:"buttons,omitempty"`
	Image    *Attachment `json:"image,omitempty"`
	Document *Attachment `json:"document,omitempty"`
	// NumberIsAnswer: the question asks for a number (an amount, days), so
	// a typed number is the answer, not a button's index. Text channels
	// then show the buttons without numbers.
	NumberIsAnswer bool `json:"numberIsAnswer,omitempty"`
}

// Row makes a button row.
func Row(b ...Button) []Button { return b }

// Flat lists the buttons of r in reading order.
func (r Reply) Flat() []Button {
	var out []Button
	for _, row := range r.Buttons {
		out = append(out, row...)
	}
	return out
}

// Errors a channel's sender returns (see bot.Sender).
var (
	// ErrBlocked: the user blocked the bot or left; stop sending to them.
	ErrBlocked = errors.New("user blocked the bot")
	// ErrDeferred: the channel cannot deliver now (outside WeChat's window,
	// over quota, web page closed); the replies were kept for the user's
	// next message.
	ErrDeferred = errors.New("delivery deferred to the user's next message")
)

// SendObserver sees what a channel delivers (metrics): a message per call,
// by channel and outcome: "ok", "deferred" (kept for the user's next
// message), "blocked", "429" (Telegram's flood control) or "failed".
type SendObserver interface {
	Sent(channel, outcome string)
}

// Outcome names what a delivery's error means for a SendObserver.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrDeferred):
		return "deferred"
	case errors.Is(err, ErrBlocked):
		return "blocked"
	}
	return "failed"
}

// Button payloads are built by these functions and read by ParseCmd and
// ParseAction, never typed as literals: a payload is either a command
// ("cmd:/prep", "cmd:/remind plan") or a feature's action
// ("<prefix>:<arg>:<arg>…", e.g. "rm:del:<id>"), whose prefix the feature
// registers with its handler (dialogs.Action).

const cmdPrefix = "cmd:"

// Cmd is the payload of a button that runs a command, with its argument if
// any: Cmd("/remind", "plan").
func Cmd(name string, arg ...string) string {
	if len(arg) > 0 && arg[0] != "" {
		return cmdPrefix + name + " " + strings.Join(arg, " ")
	}
	return cmdPrefix + name
}

// ParseCmd returns the command line a payload runs ("/remind plan"), or
// false when it is not a command.
func ParseCmd(payload string) (string, bool) { return strings.CutPrefix(payload, cmdPrefix) }

// Action is the payload of a button of a feature: its prefix, then its
// arguments, which must not contain ":" but for the last.
func Action(prefix string, args ...string) string {
	return prefix + ":" + strings.Join(args, ":")
}

// ParseAction splits an action payload into its prefix and arguments
// ("rm:del:x" → "rm", ["del", "x"]); ok is false for a command or a payload
// without a prefix.
func ParseAction(payload string) (prefix string, args []string, ok bool) {
	prefix, rest, ok := strings.Cut(payload, ":")
	if !ok || prefix == "" || payload == "" || strings.HasPrefix(payload, cmdPrefix) {
		return "", nil, false
	}
	return prefix, strings.Split(rest, ":"), true
}
