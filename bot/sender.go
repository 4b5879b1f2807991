package bot

import (
	"context"

	"loanbot/msg"
)

// Sender delivers replies the user did not ask for just now (reminders, an
// answer that came too late for a webhook's reply). Each channel implements
// it and keeps its own limits.
type Sender interface {
	// Send delivers reps to that channel's user userID.
	Send(ctx context.Context, userID string, reps []Reply) error
}

// Errors a Sender returns.
var (
	ErrBlocked  = msg.ErrBlocked  // the user blocked the bot: stop sending
	ErrDeferred = msg.ErrDeferred // kept for the user's next message
)
