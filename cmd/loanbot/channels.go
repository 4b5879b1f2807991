package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"loanbot/channel/telegram"
	"loanbot/channel/web"
	"loanbot/channel/wechat"
	"loanbot/remind"
)

// mountChannels starts the channels that are configured: their HTTP
// endpoints on mux, their background loops on workers (stopped by wctx), and
// their senders for reminders. It returns what to close before the HTTP
// server shuts down (the web chat's open event streams never go idle).
func mountChannels(ctx, wctx context.Context, workers *sync.WaitGroup, mux *http.ServeMux, senders map[string]remind.Sender, a *app, stderr io.Writer) (closers []func() error, err error) {
	cfg := a.cfg
	if cfg.Web {
		opts := []web.Option{web.WithLogger(jsonLogger(stderr)), web.WithNewUsers(cfg.WebNewUsers, time.Hour)}
		if cfg.WebSecret != nil {
			opts = append(opts, web.WithSecret(cfg.WebSecret))
		}
		if len(cfg.TrustedProxies) > 0 {
			opts = append(opts, web.WithTrustedProxies(cfg.TrustedProxies...))
		}
		if a.sends != nil {
			opts = append(opts, web.WithObserver(a.sends))
		}
		w, err := web.New(a.engine, a.store, opts...)
		if err != nil {
			return nil, err
		}
		mux.Handle("/", w)
		senders[web.Channel] = w
		closers = append(closers, w.Close)
		where := "http://localhost" + cfg.ListenAddr
		if !strings.HasPrefix(cfg.ListenAddr, ":") {
			where = "http://" + cfg.ListenAddr
		}
		fmt.Fprintf(stderr, "loanbot: web chat on %s/\n", where)
	}
	if cfg.WeChat.Token != "" {
		wopts := []wechat.Option{wechat.WithLogger(jsonLogger(stderr)), wechat.WithReminders(a.reminders)}
		if a.sends != nil {
			wopts = append(wopts, wechat.WithObserver(a.sends))
		}
		wx, err := wechat.New(cfg.WeChat, a.engine, a.store, wopts...)
		if err != nil {
			return closers, err
		}
		mux.Handle("/wechat", wx)
		senders[wechat.Channel] = wx
		closers = append(closers, wx.Close)
		mode := "plaintext mode"
		if cfg.WeChat.AESKey != "" {
			mode = "plaintext, compatible and safe mode"
		}
		fmt.Fprintf(stderr, "loanbot: WeChat Official Account on /wechat (%s)\n", mode)
		if wx.API() == nil {
			fmt.Fprintln(stderr, "loanbot: WECHAT_APP_ID/WECHAT_APP_SECRET not set: late WeChat answers and reminders wait for the user's next message")
		}
	}
	if cfg.TelegramToken != "" {
		opts := []telegram.Option{telegram.WithLogger(jsonLogger(stderr))}
		if cfg.SendRate == 0 {
			opts = append(opts, telegram.WithLimits(0, 0))
		} else {
			// One budget for every replica behind the token, in Redis.
			opts = append(opts, telegram.WithLimits(cfg.SendRate, time.Second), telegram.WithSharedLimits(a.store))
		}
		if a.sends != nil {
			opts = append(opts, telegram.WithObserver(a.sends))
		}
		if cfg.TelegramAPIURL != "" {
			opts = append(opts, telegram.WithAPIURL(cfg.TelegramAPIURL))
		}
		if cfg.TelegramWebhookURL != "" {
			opts = append(opts, telegram.WithWebhook(cfg.TelegramWebhookURL, cfg.TelegramWebhookSecret))
		}
		tg, err := telegram.New(cfg.TelegramToken, a.engine, opts...)
		if err != nil {
			return closers, err
		}
		if err := tg.Start(ctx); err != nil {
			return closers, err
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
	return closers, nil
}
