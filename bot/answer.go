package bot

import (
	"strings"

	"loanbot/dialogs"
	"loanbot/faq"
	"loanbot/msg"
)

// confidenceMidFlow is the FAQ score above which a text that is not an
// answer to the flow's question is taken as a legal question: higher than
// the FAQ's own threshold, since the text was most likely meant as an answer.
const confidenceMidFlow = 0.4

// answer replies to free text outside a flow from the FAQ.
func (e *Engine) answer(c *dialogs.Context, text string) []Reply {
	if e.faq == nil || text == "" {
		return e.faqMenu(c)
	}
	res := e.faq.Answer(text)
	if res.Topic != nil {
		e.obs.FAQ(res.Topic.ID)
	} else {
		e.obs.FAQ("")
	}
	switch {
	case res.Topic != nil:
		return e.topicReply(c, res.Topic)
	case len(res.Suggestions) > 0:
		var rows [][]msg.Button
		for _, t := range res.Suggestions {
			rows = append(rows, msg.Row(msg.Button{Label: t.TitleIn(c.Lang), Payload: dialogs.Topic(t.ID)}))
		}
		rows = append(rows, msg.Row(msg.Button{Label: c.T("faq.back_menu"), Payload: msg.Cmd("/faq")}))
		return []Reply{{Text: c.T("faq.unsure"), Buttons: rows}}
	}
	reps := e.faqMenu(c)
	reps[0].Text = c.T("faq.out_of_scope")
	return reps
}

// confidentAnswer answers text from the FAQ only when its score reaches min.
func (e *Engine) confidentAnswer(c *dialogs.Context, text string, min float64) []Reply {
	if e.faq == nil || text == "" {
		return nil
	}
	res := e.faq.Answer(text)
	if res.Topic == nil || res.Score < min {
		return nil
	}
	return e.topicReply(c, res.Topic)
}

// topicReply is one FAQ answer: the disclaimer on the first answer of a
// conversation, the answer and its legal basis, a pointer to a human where
// the topic calls for one, and buttons for related topics and actions.
func (e *Engine) topicReply(c *dialogs.Context, t *faq.Topic) []Reply {
	var b strings.Builder
	if !c.Sess.Answered {
		b.WriteString(c.T("faq.disclaimer"))
		b.WriteString("\n\n")
		c.Sess.Answered = true
	}
	b.WriteString(t.Text(c.Lang))
	switch t.Refer {
	case "lawyer", "police":
		b.WriteString("\n\n")
		b.WriteString(c.T("faq.refer." + t.Refer))
	}
	var rows [][]msg.Button
	var row []msg.Button
	for _, id := range t.Related {
		if rt := e.faq.Topic(id); rt != nil && len(row) < 3 {
			row = append(row, msg.Button{Label: rt.TitleIn(c.Lang), Payload: dialogs.Topic(id)})
		}
	}
	for _, r := range row {
		rows = append(rows, msg.Row(r))
	}
	var acts []msg.Button
	for _, a := range t.Actions {
		switch a {
		case "prep":
			acts = append(acts, msg.Button{Label: c.T("faq.prep"), Payload: msg.Cmd("/prep")})
		case "remind":
			acts = append(acts, msg.Button{Label: c.T("faq.remind"), Payload: msg.Cmd("/remind")})
		}
	}
	acts = append(acts, msg.Button{Label: c.T("menu.more"), Payload: msg.Cmd("/faq")})
	rows = append(rows, acts)
	return []Reply{{Text: b.String(), Buttons: rows}}
}

// faqMenu lists the categories as buttons.
func (e *Engine) faqMenu(c *dialogs.Context) []Reply {
	if e.faq == nil {
		return []Reply{{Text: c.T("faq.menu"), Buttons: dialogs.MainMenu(c.Lang)}}
	}
	var rows [][]msg.Button
	var row []msg.Button
	for _, cat := range e.faq.Categories() {
		row = append(row, msg.Button{Label: c.T("faq.cat." + cat), Payload: msg.Action(categoryPrefix, cat)})
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return []Reply{{Text: c.T("faq.menu"), Buttons: rows}}
}

// categoryPrefix is the action of a button that lists an FAQ category.
const categoryPrefix = "cat"

// faqActions are the FAQ's buttons: a topic (dialogs.Topic) and a category.
func (e *Engine) faqActions() []dialogs.Action {
	return []dialogs.Action{
		{Prefix: dialogs.TopicPrefix, Run: func(c *dialogs.Context, args []string) []Reply {
			if e.faq != nil {
				if t := e.faq.Topic(args[0]); t != nil {
					return e.topicReply(c, t)
				}
			}
			return e.faqMenu(c)
		}},
		{Prefix: categoryPrefix, Run: func(c *dialogs.Context, args []string) []Reply {
			if e.faq == nil {
				return e.faqMenu(c)
			}
			var rows [][]msg.Button
			for _, t := range e.faq.InCategory(args[0]) {
				rows = append(rows, msg.Row(msg.Button{Label: t.TitleIn(c.Lang), Payload: dialogs.Topic(t.ID)}))
			}
			if len(rows) == 0 {
				return e.faqMenu(c)
			}
			rows = append(rows, msg.Row(msg.Button{Label: c.T("faq.back_menu"), Payload: msg.Cmd("/faq")}))
			return []Reply{{Text: c.T("faq.category"), Buttons: rows}}
		}},
	}
}
