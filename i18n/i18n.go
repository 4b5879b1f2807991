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

	"gopkg.in/yaml.v3"

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
