package dialogs

import (
	"strings"
	"testing"

	"loanbot/i18n"
	"loanbot/loancost"
)

// A choice added to /prep with an existing label but without the texts the
// plan builds from its value must fail, not show "plan.reason.divorce".
func TestANewChoiceWithoutItsTextsFails(t *testing.T) {
	copyFlow := *Negotiate
	copyFlow.Steps = map[string]*Step{}
	for k, v := range Negotiate.Steps {
		s := *v
		copyFlow.Steps[k] = &s
	}
	reason := copyFlow.Steps["reason"]
	reason.Choices = append(append([]Choice{}, reason.Choices...), Choice{Value: "divorce", Label: "prep.reason.family"})
	_, err := NewRegistry(&copyFlow)
	if err == nil || !strings.Contains(err.Error(), "prep.reason.divorce") {
		t.Errorf("a reason without its texts: %v", err)
	}
}

// Every command has a description in every catalog; the menus fit WeChat.
func TestEveryCommandIsDescribedInEveryLanguage(t *testing.T) {
	r, err := NewRegistry(All()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Commands()) < 5 {
		t.Fatalf("only %d commands declared", len(r.Commands()))
	}
	for _, c := range r.Commands() {
		for _, lang := range []string{i18n.ZhHans, i18n.En} {
			if !i18n.HasIn(lang, c.Desc) {
				t.Errorf("%s: %s has no description %q", c.Name, lang, c.Desc)
			}
		}
	}
	if err := r.AddCommand(Command{Name: "/budget", Flow: Negotiate}); err == nil {
		t.Error("a command without a description was taken")
	}
	if err := r.AddCommand(Command{Name: "/budget", Desc: "cmd.budget", Run: showPlan}); err == nil {
		t.Error("a command whose description is not in the catalog was taken")
	}
	if err := r.AddCommand(Command{Name: "/plan", Desc: "cmd.plan", Run: showPlan}); err == nil {
		t.Error("a command declared twice was taken")
	}
	if err := r.AddAction(Action{Prefix: "nav", Run: reminderAction}); err == nil {
		t.Error("an action took the kit's own prefix")
	}
}

// Every field the cost calculator may ask for has its question.
func TestRateAsksForEveryField(t *testing.T) {
	for f := loancost.FieldReceived; f <= loancost.FieldRatePeriod; f++ {
		for _, lang := range []string{i18n.ZhHans, i18n.En} {
			if key := "rate.missing." + f.String(); !i18n.HasIn(lang, key) {
				t.Errorf("%s has no %q", lang, key)
			}
		}
	}
}
