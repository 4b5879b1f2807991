package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"loanbot/bot"
	"loanbot/channel/console"
	"loanbot/faq"
	"loanbot/remind"
)

func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "local", "user id: the same id resumes a conversation (with REDIS_URL)")
	lang := fs.String("lang", "", "language: zh-Hans, zh-Hant or en")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	rdb, closeRedis, err := openRedis(ctx, cfg.RedisURL, stderr)
	if err != nil {
		return err
	}
	defer closeRedis()
	kb, err := faq.Load()
	if err != nil {
		return err
	}
	st := newStore(rdb, cfg)
	reminders := remind.NewService(st, cfg.TZ.String())
	eng, err := bot.New(st, kb, bot.WithLogger(quietLogger(stderr), cfg.Sealer.LogKey()), bot.WithReminders(reminders))
	if err != nil {
		return err
	}
	prompt := ""
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		prompt = "> "
		io.WriteString(stderr, "loanbot chat: type a question or /start; Ctrl-D to quit.\n")
	}
	con := console.New(eng, console.Options{User: *user, Lang: *lang, In: stdin, Out: stdout, Prompt: prompt})
	// Reminders that fall due while the chat runs are shown in it.
	dctx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	go remind.NewDispatcher(reminders, map[string]remind.Sender{"cli": con}, remind.WithLogger(quietLogger(stderr))).Run(dctx, 5*time.Second)
	return con.Run(ctx)
}
