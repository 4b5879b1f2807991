package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"loanbot/channel/telegram"
	"loanbot/remind"
)

// mountChannels starts the channels that are configured: their HTTP
// endpoints on mux, their background loops on workers (stopped by wctx), and
// their senders for reminders.
func mountChannels(ctx, wctx context.Context, workers *sync.WaitGroup, mux *http.ServeMux, senders map[string]remind.Sender, a *app, stderr io.Writer) error {
	cfg := a.cfg
	if cfg.TelegramToken != "" {
		opts := []telegram.Option{telegram.WithLogger(jsonLogger(stderr))}
		if cfg.TelegramAPIURL != "" {
			opts = append(opts, telegram.WithAPIURL(cfg.TelegramAPIURL))
		}
		if cfg.TelegramWebhookURL != "" {
			opts = append(opts, telegram.WithWebhook(cfg.TelegramWebhookURL, cfg.TelegramWebhookSecret))
		}
		tg, err := telegram.New(cfg.TelegramToken, a.engine, opts...)
		if err != nil {
			return err
		}
		if err := tg.Start(ctx); err != nil {
			return err
		}
		senders["tg"] = tg
		if cfg.TelegramWebhookURL != "" {
			u, _ := url.Parse(cfg.TelegramWebhookURL)
			mux.Handle("POST "+u.Path, tg.WebhookHandler())
			fmt.Fprintf(stderr, "loanbot: Telegram webhook on %s\n", u.Path)
		} else {
			workers.Add(1)
			go func() { defer workers.Done(); tg.Run(wctx) }()
			fmt.Fprintln(stderr, "loanbot: Telegram long polling")
		}
	}
	return nil
}
