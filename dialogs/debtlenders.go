package dialogs

import (
	"regexp"

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

var reCard = regexp.MustCompile(`(?i)信用卡|信用卡|卡债|credit\s*card`)

// isCard: the debt is a credit card (the generic card entry, or a bank
// named with its card).
func isCard(id string) bool { return id == "card" }

// cardMentioned: a message about a bank's debt says it is a card.
func cardMentioned(id, s string) bool {
	l := lenders.ByID(id)
	return id == "card" || (l != nil && l.Kind == lenders.Bank && reCard.MatchString(s))
}
