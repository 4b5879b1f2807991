package wechat

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"loanbot/bot"
	"loanbot/i18n"
)

// maxBytes is the most UTF-8 bytes of one text message WeChat takes
// (passive reply or customer-service message).
const maxBytes = 2048

// langOf guesses the language replies are in, for the adapter's own words.
func langOf(texts ...string) string {
	if l := bot.DetectLang(strings.Join(texts, "\n")); l != "" {
		return l
	}
	return i18n.ZhHans
}

// t renders one of the adapter's own texts in lang.
func t(lang, key string, args ...any) string {
	return i18n.Localize(lang, i18n.T(lang, key, args...))
}

// render turns replies into one text: each reply's text, then its buttons
// as a numbered list ("回复 1：…"), numbered in reading order across the
// replies as the engine counts them. Where the question asks for a number,
// the choices are listed without numbers (typing 1 then means 1). Unless
// images are sent apart (withImages), a reply's chart becomes a note.
func render(reps []bot.Reply, withImages bool) string {
	var texts []string
	for _, r := range reps {
		texts = append(texts, r.Text)
	}
	lang := langOf(texts...)
	numbered := true
	for _, r := range reps {
		if r.NumberIsAnswer {
			numbered = false
		}
	}
	var parts []string
	n := 0
	for _, r := range reps {
		var b strings.Builder
		b.WriteString(strings.TrimSpace(r.Text))
		if (r.Image != nil && !withImages) || (r.Document != nil && r.Image == nil) {
			b.WriteString("\n" + t(lang, "wechat.chart"))
		}
		for _, row := range r.Buttons {
			for _, btn := range row {
				n++
				if numbered {
					b.WriteString("\n" + t(lang, "wechat.button", "n", strconv.Itoa(n), "label", btn.Label))
				} else {
					b.WriteString("\n" + t(lang, "wechat.choice", "label", btn.Label))
				}
			}
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// split cuts text into messages of at most max UTF-8 bytes, at paragraph
// boundaries where it can, else at line ends, else between characters.
func split(text string, max int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var out []string
	for len(text) > max {
		cut := lastBefore(text, "\n\n", max)
		if cut <= 0 {
			cut = lastBefore(text, "\n", max)
		}
		if cut <= 0 {
			cut = max
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// lastBefore is the index of the last sep that ends within the first max
// bytes of s, or -1.
func lastBefore(s, sep string, max int) int {
	if len(s) > max {
		s = s[:max]
	}
	return strings.LastIndex(s, sep)
}
