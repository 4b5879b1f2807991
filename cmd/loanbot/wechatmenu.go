package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"loanbot/bot"
	"loanbot/channel/wechat"
	"loanbot/i18n"
)

// runWechatMenu creates the Official Account's custom menu through the API
// (WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_API_URL; the access_token is
// shared through Redis with the running bot).
func runWechatMenu(ctx context.Context, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	w := cfg.WeChat
	if w.AppID == "" || w.AppSecret == "" {
		return errors.New("WECHAT_APP_ID and WECHAT_APP_SECRET: both are needed to create the menu")
	}
	rdb, closeRedis, err := openRedis(ctx, cfg.RedisURL, stderr)
	if err != nil {
		return err
	}
	defer closeRedis()
	api := wechat.NewAPI(w.APIURL, w.AppID, w.AppSecret, newStore(rdb, cfg), nil)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	eng, err := bot.New(newStore(rdb, cfg), nil) // its commands only
	if err != nil {
		return err
	}
	cmds := eng.Commands(i18n.ZhHans)
	if err := api.CreateMenu(ctx, cmds); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "WeChat menu created:")
	for _, c := range cmds {
		if c.Menu != "" {
			fmt.Fprintf(stdout, "  %s › %s (%s)\n", c.Menu, c.Description, c.Name)
		}
	}
	return nil
}
