package dialogs

import (
	"loanbot/chart"
	"loanbot/i18n"
	"loanbot/msg"
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
	t := func(key string) string { return i18n.Localize(lang, i18n.T(lang, key)) }
	l := chart.Labels{Title: t("plan.chart.title"), XAxis: t("plan.chart.x"), YAxis: t("plan.chart.y")}
	png, err := chart.Balance(p.OwedFen, p.MonthlyFen, p.Months, l)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.internal")}}
	}
	caption := c.T("plan.chart.caption", "monthly", i18n.Yuan(c.Lang, p.MonthlyFen), "months", p.Months, "owed", i18n.Yuan(c.Lang, p.OwedFen))
	return []msg.Reply{{Text: caption, Image: &msg.Attachment{Name: "plan.png", MIME: "image/png", Data: png, Caption: caption}}}
}
