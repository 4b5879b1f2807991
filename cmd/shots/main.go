// Command shots photographs the web chat on a 360×740 phone screen, light
// and dark: the welcome, an FAQ answer and a negotiation plan, as PNG files
// for the README.
//
//	go run ./cmd/shots -out docs
//
// It runs the real engine and FAQ on an embedded Redis and drives headless
// Chromium (Debian's chromium package).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"loanbot/bot"
	"loanbot/channel/web"
	"loanbot/faq"
	"loanbot/internal/browsertest"
	"loanbot/remind"
	"loanbot/store"
)

func main() {
	out := flag.String("out", "docs", "directory for the PNG files")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	if browsertest.ExecPath() == "" {
		return fmt.Errorf("no Chromium (apt-get install chromium)")
	}
	rdb, stop, err := store.Embedded()
	if err != nil {
		return err
	}
	defer stop()
	st := store.New(rdb)
	kb, err := faq.Load()
	if err != nil {
		return err
	}
	eng, err := bot.New(st, kb, bot.WithReminders(remind.NewService(st, "Asia/Shanghai")))
	if err != nil {
		return err
	}
	srv, err := web.New(eng, st)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())
	url := "http://" + ln.Addr().String() + "/"

	for _, scheme := range []string{"light", "dark"} {
		if err := shoot(url, scheme, out); err != nil {
			return fmt.Errorf("%s: %w", scheme, err)
		}
	}
	return nil
}

func shoot(url, scheme, out string) error {
	dir, err := os.MkdirTemp("", "shots")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := browsertest.Start(dir, "zh-CN")
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Dark(scheme == "dark"); err != nil {
		return err
	}
	snap := func(name string) error {
		// Let smooth scrolling settle; no caret or focus ring in the picture.
		if err := chromedp.Do(b.Ctx, chromedp.Sleep(800*time.Millisecond)); err != nil {
			return err
		}
		if _, err := browsertest.Eval[bool](b, `(document.activeElement && document.activeElement.blur(), true)`); err != nil {
			return err
		}
		png, err := b.Screenshot()
		if err != nil {
			return err
		}
		path := filepath.Join(out, "web-"+name+"-"+scheme+".png")
		fmt.Println(path)
		return os.WriteFile(path, png, 0o644)
	}
	if err := b.Open(url); err != nil {
		return err
	}
	if err := snap("welcome"); err != nil {
		return err
	}
	if _, err := b.Say("微粒贷逾期会被起诉吗"); err != nil {
		return err
	}
	if err := snap("faq"); err != nil {
		return err
	}
	if err := b.Walk(
		browsertest.Step{Say: "/prep"}, browsertest.Step{Tap: "微粒贷"}, browsertest.Step{Say: "35000"}, browsertest.Step{Say: "60"},
		browsertest.Step{Say: "8000"}, browsertest.Step{Say: "5000"}, browsertest.Step{Tap: "跳过"}, browsertest.Step{Tap: "失业/收入下降"},
		browsertest.Step{Tap: "分期"}, browsertest.Step{Tap: "确认，生成方案"},
	); err != nil {
		return err
	}
	if err := snap("plan"); err != nil {
		return err
	}
	if _, err := b.Tap("看还款图"); err != nil {
		return err
	}
	if err := waitImage(b); err != nil {
		return err
	}
	if err := snap("chart"); err != nil {
		return err
	}
	// The debt map: three debts, the plan across them and its chart.
	if err := b.Walk(
		browsertest.Step{Say: "/debt 信用卡 欠60000 逾期100天"}, browsertest.Step{Tap: "不知道"}, browsertest.Step{Tap: "没有"},
		browsertest.Step{Tap: "不知道"}, browsertest.Step{Tap: "保存"},
		browsertest.Step{Say: "/debt 微粒贷 欠35000 每月还2000 逾期20天"}, browsertest.Step{Tap: "没有"}, browsertest.Step{Tap: "跳过"},
		browsertest.Step{Tap: "保存"},
		browsertest.Step{Say: "/debt 美团 欠8000 每月还1000 逾期10天"}, browsertest.Step{Tap: "没有"},
		browsertest.Step{Say: "到手9000，每月还1000，还12期"}, browsertest.Step{Tap: "保存"},
		browsertest.Step{Tap: "还款顺序和计划"},
	); err != nil {
		return err
	}
	if err := snap("debts"); err != nil {
		return err
	}
	if _, err := b.Tap("看还款图"); err != nil {
		return err
	}
	if err := waitImage(b); err != nil {
		return err
	}
	return snap("debts-chart")
}

// waitImage waits until the newest image of the chat has loaded.
func waitImage(b *browsertest.Browser) error {
	_, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`(() => { const i = Array.from(document.querySelectorAll("#log img")).pop(); return !!i && i.complete && i.naturalWidth > 0 })()`))
	return err
}
