package dialogs

import (
	"regexp"
	"strings"

	"loanbot/i18n"
	"loanbot/lenders"
)

// findLender is the lender of the directory a message names, or "".
func findLender(s string) string {
	if l, ok := lenders.Find(s); ok && l.ID != "other" {
		return l.ID
	}
	return ""
}

// debtLenderName is a debt's lender as people read it: the directory's
// name, the name the user typed for another lender, or the catalog's.
func debtLenderName(lang, id string) string {
	if l := lenders.ByID(id); l != nil {
		if n := l.Name.In(lang); n != "" {
			return n
		}
	}
	return i18n.Lender(lang, id)
}

// channelText is the official way to reach the lender: the catalog's for
// the lenders /prep has buttons for, the directory's route for the others it
// knows (a lender typed by name is looked up), else the general warning.
func channelText(c *Context, lender string, a []any) string {
	key := channelKey(lender)
	if key == "other" {
		l := lenders.ByID(lender)
		if l == nil {
			if name, ok := strings.CutPrefix(lender, "other:"); ok {
				l, _ = lenders.Find(name)
			}
		}
		if l != nil && !l.Generic && l.Contact.In(c.Lang) != "" {
			return c.T("plan.channel.known", "lender", l.Name.In(c.Lang), "contact", l.Contact.In(c.Lang))
		}
	}
	return c.T("plan.channel."+key, a...)
}

var reCard = regexp.MustCompile(`(?i)信用卡|信用卡|卡债|credit\s*card`)

// isCard: the debt is a credit card (the generic card entry, or a bank
// named with its card).
func isCard(id string) bool { return id == "card" }

// cardMentioned: a message about a bank's debt says it is a card.
func cardMentioned(id, s string) bool {
	l := lenders.ByID(id)
	return id == "card" || (l != nil && l.Kind == lenders.Bank && reCard.MatchString(s))
}

// inDirectory: the lender directory knows id.
func inDirectory(id string) bool { return lenders.ByID(id) != nil }
