package dialogs

import (
	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/pdf"
)

// letterPDF is a letter as an A4 PDF in the user's script, or nil when it
// cannot be made here (no CJK font for a Chinese letter): the text in the
// chat is the letter then.
func letterPDF(c *Context, title string, paras []string) *msg.Attachment {
	loc := func(s string) string { return i18n.Localize(c.Lang, s) }
	d := pdf.Doc{Title: loc(title), Footer: loc(c.T("letter.pdf.footer"))}
	for _, p := range paras {
		d.Paragraphs = append(d.Paragraphs, loc(p))
	}
	b, err := pdf.Render(d)
	if err != nil {
		return nil
	}
	return &msg.Attachment{Name: loc(title) + ".pdf", MIME: "application/pdf", Data: b, Caption: loc(title)}
}
