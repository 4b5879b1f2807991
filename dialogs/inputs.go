package dialogs

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"loanbot/i18n"
	"loanbot/zhtext"
)

// Validators shared by the flows. Each returns the slot's canonical value
// (amounts in fen, durations in days, as decimal integers) or an InputError
// that says what was expected.

// amountIn parses an amount between min and max fen; rangeKey explains the
// range when the number is outside it.
func amountIn(min, max int64, rangeKey string) func(*Context, string) (string, error) {
	return func(c *Context, s string) (string, error) {
		fen, err := zhtext.ParseAmount(s)
		switch {
		case errors.Is(err, zhtext.ErrNegative):
			return "", Invalid("input.negative")
		case errors.Is(err, zhtext.ErrTooLarge):
			return "", Invalid(rangeKey)
		case err != nil:
			return "", Invalid("input.not_amount")
		case fen < min || fen > max:
			if fen == 0 {
				return "", Invalid("input.zero")
			}
			return "", Invalid(rangeKey)
		}
		return strconv.FormatInt(fen, 10), nil
	}
}

// parseExpenses is an amount a month, checked against the income given
// before it: a thousand times the income is a typo, not a budget.
func parseExpenses(c *Context, s string) (string, error) {
	v, err := amountIn(0, maxOwedFen, "prep.monthly.range")(c, s)
	if err != nil {
		return "", err
	}
	if inc := atoi64(c.Slot("income")); inc > 0 && atoi64(v) > inc*1000 {
		return "", Invalid("prep.expenses.implausible", "income", yuan(c.Lang, c.Slot("income")))
	}
	if atoi64(v) > maxMonthlyFen {
		return "", Invalid("prep.monthly.range")
	}
	return v, nil
}

// parseDays parses a duration into days (0 to 10 years).
func parseDays(c *Context, s string) (string, error) {
	d, err := zhtext.ParseDuration(s)
	if err != nil || d < 0 {
		return "", Invalid("input.not_days")
	}
	if d > 3650 {
		return "", Invalid("input.days_range")
	}
	return strconv.Itoa(d), nil
}

// parseName accepts a short free-text name.
func parseName(c *Context, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 40 {
		return "", Invalid("input.name")
	}
	return s, nil
}

// optionalText accepts any text up to max runes.
func optionalText(max int) func(*Context, string) (string, error) {
	return func(c *Context, s string) (string, error) {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > max {
			return "", Invalid("input.too_long", "max", max)
		}
		return s, nil
	}
}

// yuan formats a slot of fen for people.
func yuan(lang, fenStr string) string {
	fen, _ := strconv.ParseInt(fenStr, 10, 64)
	return i18n.Yuan(lang, fen)
}

// daysText says a number of days overdue for people.
func daysText(lang, days string) string {
	if days == "0" || days == "" {
		return i18n.T(lang, "prep.overdue.not_yet")
	}
	return i18n.T(lang, "unit.days", "n", days)
}

// lenderName is the display name of a lender slot ("other" with the name
// typed at the next step).
func lenderName(lang, slot, name string) string {
	if slot == "other" && name != "" {
		return name
	}
	return i18n.Lender(lang, slot)
}
