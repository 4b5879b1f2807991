// Package browsertest starts headless Chromium for the web chat's browser
// tests and screenshots: Debian's chromium package, driven by chromedp, in a
// fresh profile, with a phone-sized window and a Chinese browser language.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Phone is the screen the page is tested and photographed on.
const (
	PhoneWidth  = 360
	PhoneHeight = 740
)

// ExecPath is the Chromium binary, or "" when none is installed.
func ExecPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// Browser is one Chromium process with one tab.
type Browser struct {
	Ctx    context.Context // the tab: pass to chromedp.Run
	cancel []context.CancelFunc

	mu      sync.Mutex
	dialogs []string // messages of JavaScript dialogs (alert, confirm) that opened
}

// Start launches Chromium with a fresh profile in dir, language lang
// (e.g. "zh-CN") and a phone-sized screen. Close it when done.
func Start(dir, lang string) (*Browser, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ExecPath()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.Env("LANGUAGE=" + lang),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(PhoneWidth, PhoneHeight),
	}
	b := &Browser{}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b.Ctx, b.cancel = ctx, []context.CancelFunc{cancel, acancel}
	start, cancelStart := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStart()
	// A dialog (alert) stops the page until it is answered: note it and
	// dismiss it from another goroutine (a listener may not send commands).
	err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			b.mu.Lock()
			b.dialogs = append(b.dialogs, d.Message)
			b.mu.Unlock()
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err == nil {
		err = chromedp.Do(start,
			chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(lang, "-", "_")})
				return err
			}),
		)
	}
	if err == nil {
		err = b.media("light")
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Open starts a browser for test t, which is skipped when no Chromium is
// installed, except where LOANBOT_REQUIRE_BROWSER is set (.ci/run installs
// Chromium and sets it, so in CI the tests always run).
func Open(t testing.TB, lang string) *Browser {
	t.Helper()
	if ExecPath() == "" {
		if os.Getenv("LOANBOT_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium binary, and LOANBOT_REQUIRE_BROWSER is set (apt-get install chromium)")
		}
		t.Skip("no Chromium binary (apt-get install chromium)")
	}
	b, err := Start(t.TempDir(), lang)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// Dialogs returns the messages of the JavaScript dialogs that opened.
func (b *Browser) Dialogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.dialogs...)
}

// Dark switches prefers-color-scheme to dark (or back to light).
func (b *Browser) Dark(on bool) error {
	v := "light"
	if on {
		v = "dark"
	}
	return b.media(v)
}

// media sets the color scheme, and asks for reduced motion: the page then
// scrolls at once, so a tap never lands on a chip that is still moving.
func (b *Browser) media(scheme string) error {
	_, err := chromedp.Call(b.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}, {Name: "prefers-reduced-motion", Value: "reduce"}}})
	return err
}

// Close ends the browser.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
}

// The page driver: what a user does, and waiting for the bot's answer.

// wait bounds every wait for the page.
const wait = 30 * time.Second

// Open loads the chat at url and waits until it has shown its history (and,
// on a first visit, the welcome).
func (b *Browser) Open(url string) error {
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(url)); err != nil {
		return err
	}
	return b.Idle()
}

// Reload reloads the page and waits as Open does.
func (b *Browser) Reload() error {
	if err := chromedp.Do(b.Ctx, chromedp.Reload()); err != nil {
		return err
	}
	return b.Idle()
}

// Idle waits until the page is loaded and owes no answer.
func (b *Browser) Idle() error {
	_, err := chromedp.Run(b.Ctx, chromedp.Poll[bool](`document.body.dataset.ready === "1" && document.body.dataset.busy === "0"`,
		chromedp.WithPollingTimeout(wait), chromedp.WithPollingInterval(50*time.Millisecond)))
	return err
}

// Eval evaluates a JavaScript expression in the page. An evaluation that
// meets the page between two documents (Chromium: "Cannot find context
// with specified id", "Execution context was destroyed") is tried again,
// up to 3 times, a little later: the page is still the one asked about.
func Eval[T any](b *Browser, expr string) (T, error) {
	for try := 0; ; try++ {
		v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
		if err == nil || try == 3 ||
			!strings.Contains(err.Error(), "Cannot find context") && !strings.Contains(err.Error(), "context was destroyed") {
			return v, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// BotCount is the number of the bot's messages on the page.
func (b *Browser) BotCount() (int, error) {
	return Eval[int](b, `document.querySelectorAll("#log .msg.bot").length`)
}

// answer runs act and returns the text of the bot's messages it brought.
func (b *Browser) answer(act chromedp.Action[chromedp.Void]) (string, error) {
	n, err := b.BotCount()
	if err != nil {
		return "", err
	}
	if err := chromedp.Do(b.Ctx, act); err != nil {
		return "", err
	}
	_, err = chromedp.Run(b.Ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.busy === "0" && document.querySelectorAll("#log .msg.bot").length > %d`, n),
		chromedp.WithPollingTimeout(wait), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		return "", fmt.Errorf("no answer: %w", err)
	}
	return Eval[string](b, fmt.Sprintf(`Array.from(document.querySelectorAll("#log .msg.bot")).slice(%d).map(m => m.innerText).join("\n")`, n))
}

// Say types text into the composer and sends it with the Enter key, as a
// keyboard user does; it returns the bot's answer.
func (b *Browser) Say(text string) (string, error) {
	return b.answer(chromedp.Steps(
		chromedp.Focus(chromedp.CSS("#input")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			// As an input method commits text (Chinese is not typed key by key).
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}),
		pressEnter,
	))
}

// pressEnter presses Enter as a keyboard does: one keydown that carries the
// character, so a page that handles the keydown (and prevents its default)
// gets no new line. (chromedp.KeyEvent sends the character as a separate
// event, which no page can prevent.)
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
		WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
	if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, down); err != nil {
		return err
	}
	up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter",
		WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
	_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, up)
	return err
})

// chip is the XPath of the last enabled chip labelled label.
func chip(label string) string {
	return fmt.Sprintf(`(//button[contains(@class,"chip") and not(@disabled) and normalize-space(.)=%s])[last()]`, xpathString(label))
}

func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// Tap taps the last enabled chip labelled label and returns the answer.
func (b *Browser) Tap(label string) (string, error) {
	return b.answer(chromedp.Click(chromedp.Search(chip(label)), chromedp.NodeVisible))
}

// LogText is the text of the whole conversation on the page.
func (b *Browser) LogText() (string, error) {
	return Eval[string](b, `document.getElementById("log").innerText`)
}

// Screenshot captures the viewport as PNG.
func (b *Browser) Screenshot() ([]byte, error) {
	return chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
}

// Step is one thing a user does: tap a chip, or type and send a text.
type Step struct{ Tap, Say string }

// Do does s and returns the bot's answer.
func (b *Browser) Do(s Step) (string, error) {
	if s.Tap != "" {
		return b.Tap(s.Tap)
	}
	return b.Say(s.Say)
}

// Walk does the steps in order, each after the answer to the one before.
func (b *Browser) Walk(steps ...Step) error {
	for _, s := range steps {
		if _, err := b.Do(s); err != nil {
			return fmt.Errorf("%s%s: %w", s.Tap, s.Say, err)
		}
	}
	return nil
}
