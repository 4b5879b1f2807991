package main

import (
	"context"
	"io"
	"net/http"
	"sync"

	"loanbot/bot"
	"loanbot/remind"
	"loanbot/store"
)

// mountChannels starts the channels that are configured: their HTTP
// endpoints on mux, their background loops on workers (stopped by wctx), and
// their senders for reminders.
func mountChannels(ctx, wctx context.Context, workers *sync.WaitGroup, mux *http.ServeMux, senders map[string]remind.Sender,
	eng *bot.Engine, st *store.Store, reminders *remind.Service, stderr io.Writer) error {
	return nil
}
