package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/i18n"
)

// askResult is one line of `loanbot ask --json`.
type askResult struct {
	Topic  string  `json:"topic"`
	Score  float64 `json:"score"`
	Lang   string  `json:"lang"`
	Answer string  `json:"answer"`
	// suggestions are the titles of the closest topics when unsure (text mode).
	suggestions []string
}

func runAsk(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object a question")
	lang := fs.String("lang", "", "answer language: zh-Hans, zh-Hant or en (default: the question's)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *lang != "" && *lang != i18n.ZhHans && *lang != i18n.ZhHant && *lang != i18n.En {
		return usageError{fmt.Errorf("--lang %q: want zh-Hans, zh-Hant or en", *lang)}
	}
	kb, err := faq.Load() // built once, whatever the number of questions
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	answer := func(q string) error {
		r := ask(kb, q, *lang)
		if *asJSON {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			w.Write(append(b, '\n'))
		} else if r.Topic == "" && len(r.suggestions) > 0 {
			fmt.Fprintln(w, i18n.Localize(r.Lang, i18n.T(r.Lang, "faq.unsure")))
			for _, t := range r.suggestions {
				fmt.Fprintf(w, "· %s\n", i18n.Localize(r.Lang, t))
			}
			fmt.Fprintln(w)
		} else if r.Topic == "" {
			fmt.Fprintln(w, i18n.Localize(r.Lang, i18n.T(r.Lang, "faq.out_of_scope")))
			fmt.Fprintln(w)
		} else {
			fmt.Fprintf(w, "%s\n\n", r.Answer)
		}
		return w.Flush()
	}
	if q := strings.TrimSpace(strings.Join(fs.Args(), " ")); q != "" {
		return answer(q)
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			if err := answer(q); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func ask(kb *faq.KB, q, lang string) askResult {
	if lang == "" {
		if lang = bot.DetectLang(q); lang == "" {
			lang = i18n.ZhHans
		}
	}
	res := kb.Answer(q)
	out := askResult{Score: res.Score, Lang: lang}
	if res.Topic != nil {
		out.Topic = res.Topic.ID
		out.Answer = i18n.Localize(lang, res.Topic.Text(lang))
	}
	for _, t := range res.Suggestions {
		out.suggestions = append(out.suggestions, t.TitleIn(lang))
	}
	return out
}
