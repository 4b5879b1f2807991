// Package msg holds the channel-neutral shape of what the bot says: a reply
// with text, button rows and an optional image or document. Flows build
// replies, the engine returns them, and each channel adapter renders them.
package msg

import "errors"

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
