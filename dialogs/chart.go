package dialogs

import (
	"loanbot/chart"
	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/zhtext"
)

// planChart is the plan's balance month by month as a PNG. Its labels are in
// the user's language when a CJK font is installed, else in English.
func planChart(c *Context, p Plan) []msg.Reply {
	if !p.Feasible() {
		return []msg.Reply{{Text: c.T("plan.chart.none")}}
	}
	lang := c.Lang
	if lang != i18n.En && !chart.HasCJKFont() {
		lang = i18n.En
	}
	l := chart.Labels{Title: i18n.T(lang, "plan.chart.title"), XAxis: i18n.T(lang, "plan.chart.x"), YAxis: i18n.T(lang, "plan.chart.y")}
	if lang == i18n.ZhHant {
		l = chart.Labels{Title: zhtext.ToTraditional(l.Title), XAxis: zhtext.ToTraditional(l.XAxis), YAxis: zhtext.ToTraditional(l.YAxis)}
	}
	png, err := chart.Balance(p.OwedFen, p.MonthlyFen, p.Months, l)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.internal")}}
	}
	caption := c.T("plan.chart.caption", "monthly", i18n.Yuan(c.Lang, p.MonthlyFen), "months", p.Months, "owed", i18n.Yuan(c.Lang, p.OwedFen))
	return []msg.Reply{{Text: caption, Image: &msg.Attachment{Name: "plan.png", MIME: "image/png", Data: png, Caption: caption}}}
}
