// Package console is the terminal adapter behind `loanbot chat`: one line of
// input is one message, replies are printed with their buttons as "[1] label"
// (answer with the number, the label or free text). It works interactively and
// piped, and returns at end of input.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"loanbot/bot"
)

// Handler is the engine as the console sees it (*bot.Engine).
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error)
}

// Options configure a console session.
type Options struct {
	User     string // the user id after "cli:"; the same id resumes a conversation
	Lang     string // a language hint ("en", "zh-Hant"), as a client would send
	In       io.Reader
	Out      io.Writer
	Prompt   string // printed before each line is read ("" when piped)
	FilesDir string // where images and documents are written (default os.TempDir())
}

// Console is one terminal session.
type Console struct {
	h  Handler
	o  Options
	mu sync.Mutex // one writer at a time: replies and reminders
	w  *bufio.Writer
}

// New makes a console session.
func New(h Handler, o Options) *Console {
	return &Console{h: h, o: o, w: bufio.NewWriter(o.Out)}
}

// Run reads lines until EOF or ctx ends, handling each as a message.
func (c *Console) Run(ctx context.Context) error {
	sc := bufio.NewScanner(c.o.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	defer c.flush()
	for {
		if c.o.Prompt != "" {
			c.mu.Lock()
			fmt.Fprint(c.w, c.o.Prompt)
			c.w.Flush()
			c.mu.Unlock()
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		reps, err := c.h.Handle(ctx, bot.Inbound{Channel: "cli", UserID: c.o.User, ChatID: c.o.User, Text: line, LangHint: c.o.Lang})
		c.mu.Lock()
		if err != nil && len(reps) == 0 {
			fmt.Fprintf(c.w, "! %v\n", err)
		}
		Render(c.w, reps, c.o.FilesDir)
		err = c.w.Flush()
		c.mu.Unlock()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return sc.Err()
}

// Send prints replies that were not asked for (reminders falling due while
// the chat runs): it is the terminal's bot.Sender.
func (c *Console) Send(ctx context.Context, userID string, reps []bot.Reply) error {
	if userID != c.o.User {
		return bot.ErrDeferred // another terminal user's reminder: not ours to show
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	Render(c.w, reps, c.o.FilesDir)
	return c.w.Flush()
}

func (c *Console) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Flush()
}

// Render prints replies: each text, its attachments as file paths, then the
// buttons numbered in reading order across the replies, a row a line. When
// the question asks for a number, the buttons are shown without numbers
// (typing "1" then means 1, not the first button).
func Render(w io.Writer, reps []bot.Reply, filesDir string) {
	numbered := true
	for _, r := range reps {
		if r.NumberIsAnswer {
			numbered = false
		}
	}
	n := 0
	for _, r := range reps {
		fmt.Fprintln(w, strings.TrimRight(r.Text, "\n"))
		for _, a := range []*bot.Attachment{r.Image, r.Document} {
			if a == nil {
				continue
			}
			if p, err := writeFile(filesDir, a); err == nil {
				fmt.Fprintf(w, "[%s: %s]\n", a.Name, p)
			}
		}
		for _, row := range r.Buttons {
			parts := make([]string, len(row))
			for i, b := range row {
				n++
				if numbered {
					parts[i] = fmt.Sprintf("[%d] %s", n, b.Label)
				} else {
					parts[i] = "[" + b.Label + "]"
				}
			}
			fmt.Fprintln(w, strings.Join(parts, "  "))
		}
		fmt.Fprintln(w)
	}
}

func writeFile(dir string, a *bot.Attachment) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "loanbot-*-"+filepath.Base(a.Name))
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.Write(a.Data)
	return f.Name(), err
}
