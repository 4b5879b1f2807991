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
	// SupportLine: the answer carries the support line on top (the
	// message may be a cry for help; the crisis check's second tier).
	SupportLine bool `json:"support_line"`
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
		switch {
		case *asJSON:
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			w.Write(append(b, '\n'))
		case r.Topic != "":
			fmt.Fprintf(w, "%s\n\n", r.Answer) // with the support line on top when it has one
		default:
			if r.SupportLine {
				fmt.Fprintf(w, "%s\n\n", r.Answer) // the support line, before anything else
			}
			if len(r.suggestions) > 0 {
				fmt.Fprintln(w, i18n.Localize(r.Lang, i18n.T(r.Lang, "faq.unsure")))
				for _, t := range r.suggestions {
					fmt.Fprintf(w, "· %s\n", i18n.Localize(r.Lang, t))
				}
			} else {
				fmt.Fprintln(w, i18n.Localize(r.Lang, i18n.T(r.Lang, "faq.out_of_scope")))
			}
			fmt.Fprintln(w)
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
	out := askResult{Lang: lang}
	// The same order as the chat: a cry for help before anything else.
	switch faq.CrisisLevel(q) {
	case faq.Likely:
		out.Topic, out.Score = "crisis-support", 1
		if t := kb.Topic("crisis-support"); t != nil {
			out.Answer = i18n.Localize(lang, t.Text(lang))
		}
		return out
	case faq.Possible:
		out.SupportLine = true
	}
	res := kb.Answer(q)
	out.Score = res.Score
	if res.Topic != nil {
		out.Topic = res.Topic.ID
		out.Answer = i18n.Localize(lang, res.Topic.Text(lang))
	}
	if out.SupportLine {
		line := i18n.Localize(lang, i18n.T(lang, "crisis.line"))
		if out.Answer == "" {
			out.Answer = line
		} else {
			out.Answer = line + "\n\n" + out.Answer
		}
	}
	for _, t := range res.Suggestions {
		out.suggestions = append(out.suggestions, t.TitleIn(lang))
	}
	return out
}
