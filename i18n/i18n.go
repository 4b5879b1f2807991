// Package i18n is the message catalog: every text the bot shows (except FAQ
// answers, which live in faq/data) in zh-Hans and en. zh-Hant is served by
// converting the zh-Hans text to Traditional at the edge (the engine does it
// for every reply), so the catalog has two files, not three.
package i18n

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"loanbot/msg"
	"loanbot/zhtext"
)

// The supported languages.
const (
	ZhHans = "zh-Hans"
	ZhHant = "zh-Hant"
	En     = "en"
)

//go:embed locales/*.yaml
var files embed.FS

var catalog = mustLoad()

func mustLoad() map[string]map[string]string {
	c := map[string]map[string]string{}
	for _, lang := range []string{ZhHans, En} {
		data, err := files.ReadFile("locales/" + lang + ".yaml")
		if err != nil {
			panic(fmt.Sprintf("i18n: %v", err))
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			panic(fmt.Sprintf("i18n: locales/%s.yaml: %v", lang, err))
		}
		for k, v := range m {
			m[k] = strings.TrimRight(v, "\n")
		}
		c[lang] = m
	}
	return c
}

// Base is the catalog a language reads from: zh-Hant reads zh-Hans.
func Base(lang string) string {
	if lang == En {
		return En
	}
	return ZhHans
}

// Normalize maps a stored or requested language to a supported one.
func Normalize(lang string) string {
	switch lang {
	case En, ZhHant:
		return lang
	}
	return ZhHans
}

// Localize puts text written in zh-Hans into lang's script: Traditional for
// zh-Hant, unchanged otherwise (English texts are written, not converted).
func Localize(lang, text string) string {
	if lang == ZhHant {
		return zhtext.ToTraditional(text)
	}
	return text
}

// LocalizeReplies puts whole replies (texts, button labels, captions) into
// lang's script: the one path every reply to a zh-Hant reader takes, from
// the engine, the reminder dispatcher or anywhere else.
func LocalizeReplies(lang string, reps []msg.Reply) []msg.Reply {
	if lang != ZhHant {
		return reps
	}
	out := make([]msg.Reply, len(reps))
	for i, r := range reps {
		r.Text = zhtext.ToTraditional(r.Text)
		rows := make([][]msg.Button, len(r.Buttons))
		for j, row := range r.Buttons {
			rows[j] = make([]msg.Button, len(row))
			for k, b := range row {
				rows[j][k] = msg.Button{Label: zhtext.ToTraditional(b.Label), Payload: b.Payload}
			}
		}
		r.Buttons = rows
		for _, a := range []**msg.Attachment{&r.Image, &r.Document} {
			if *a != nil && (*a).Caption != "" {
				c := **a
				c.Caption = zhtext.ToTraditional(c.Caption)
				*a = &c
			}
		}
		out[i] = r
	}
	return out
}

// Date formats a day for people in lang ("3月15日", "Sun 15 Mar 2026"), with
// the layout the catalog gives (fmt.date).
func Date(lang string, t time.Time) string { return t.Format(T(lang, "fmt.date")) }

// DateTime formats a moment for people in lang, in t's zone (fmt.datetime).
func DateTime(lang string, t time.Time) string { return t.Format(T(lang, "fmt.datetime")) }

// T renders key in lang; args are name/value pairs filling {name}. A key
// missing in a language falls back to zh-Hans, then to the key itself (so a
// missing text shows up in tests, not as a crash).
func T(lang, key string, args ...any) string {
	s, ok := catalog[Base(lang)][key]
	if !ok {
		if s, ok = catalog[ZhHans][key]; !ok {
			return key
		}
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Has reports whether key exists in the catalog.
func Has(key string) bool { _, ok := catalog[ZhHans][key]; return ok }

// HasIn reports whether lang's catalog file has key (no fallback).
func HasIn(lang, key string) bool { _, ok := catalog[Base(lang)][key]; return ok }

// Keys lists the keys of lang's catalog file, sorted.
func Keys(lang string) []string {
	var out []string
	for k := range catalog[Base(lang)] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FromHint maps a client's language code (Telegram language_code, a browser's
// Accept-Language first tag) to a supported language, or "" when unknown.
func FromHint(code string) string {
	c := strings.ToLower(strings.TrimSpace(code))
	switch {
	case c == "":
		return ""
	case c == "zh-hant" || strings.HasPrefix(c, "zh-tw") || strings.HasPrefix(c, "zh-hk") || strings.HasPrefix(c, "zh-mo") || strings.HasPrefix(c, "zh-hant"):
		return ZhHant
	case strings.HasPrefix(c, "zh"):
		return ZhHans
	case strings.HasPrefix(c, "en"):
		return En
	}
	return ""
}

// Extend adds entries (language → key → text) to the catalog for tests,
// whose flows speak with their own keys, never the product's: a key the
// product has is refused, so a test cannot change what users read. Call it
// before the engine is built (an init of the test package).
func Extend(entries map[string]map[string]string) error {
	for lang, m := range entries {
		if lang != ZhHans && lang != En {
			return fmt.Errorf("i18n: catalog language %q", lang)
		}
		for k := range m {
			if _, ok := catalog[lang][k]; ok {
				return fmt.Errorf("i18n: %q is a product key", k)
			}
		}
	}
	for lang, m := range entries {
		for k, v := range m {
			catalog[lang][k] = v
		}
	}
	return nil
}
