// Command loanbot is the one binary: chat in the terminal, answer one FAQ
// question, serve the channels, or draw the flows. Configuration comes from
// the environment (see README.md) and flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `loanbot: help for people with overdue online loans.

Usage:
  loanbot chat  [--user ID] [--lang L]        talk to the bot in the terminal (stdin lines in, replies out)
  loanbot ask   [--json] [--lang L] [QUESTION] one FAQ answer (no QUESTION: one a line from stdin)
  loanbot serve                               serve health, readiness and the channels that are configured
  loanbot flows [--mermaid]                   print the dialog flows
  loanbot wechat-menu                         create the WeChat Official Account's menu (FAQ, 协商准备, 还款提醒)

Without REDIS_URL the bot runs on an embedded in-process Redis: nothing persists.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "chat":
		err = runChat(ctx, args[1:], stdin, stdout, stderr)
	case "ask":
		err = runAsk(args[1:], stdin, stdout)
	case "serve":
		err = runServe(ctx, args[1:], stderr)
	case "flows":
		err = runFlows(args[1:], stdout)
	case "wechat-menu":
		err = runWechatMenu(ctx, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "loanbot: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "loanbot %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(stderr, "loanbot %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError is a bad flag or argument (exit code 2).
type usageError struct{ error }
