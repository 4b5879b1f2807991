package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"loanbot/channel/console"
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
	a, err := newApp(ctx, stderr, quietLogger(stderr), nil)
	if err != nil {
		return err
	}
	defer a.close()
	prompt := ""
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		prompt = "> "
		io.WriteString(stderr, "loanbot chat: type a question or /start; Ctrl-D to quit.\n")
	}
	con := console.New(a.engine, console.Options{User: *user, Lang: *lang, In: stdin, Out: stdout, Prompt: prompt})
	// Reminders that fall due while the chat runs are shown in it.
	dctx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	go remind.NewDispatcher(a.reminders, map[string]remind.Sender{"cli": con}, remind.WithLogger(quietLogger(stderr))).Run(dctx, 5*time.Second)
	return con.Run(ctx)
}
