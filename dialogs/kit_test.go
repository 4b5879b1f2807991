package dialogs

import (
	"testing"

	"loanbot/i18n"
)

func TestEveryFlowIsWellFormed(t *testing.T) {
	if _, err := NewRegistry(All()...); err != nil {
		t.Fatal(err)
	}
	// Keys the flows build at run time from slot values must exist too.
	var keys []string
	for _, reason := range []string{"income", "illness", "family", "business", "other"} {
		keys = append(keys, "plan.docs."+reason, "plan.reason."+reason, "prep.reason."+reason)
	}
	for _, ask := range []string{"extension", "instalments", "waiver", "card_instalments", "hardship"} {
		keys = append(keys, "plan.ask."+ask, "plan.ask_short."+ask)
	}
	for _, g := range []string{"extension", "instalments", "waiver", "freeze", "unsure"} {
		keys = append(keys, "prep.goal."+g)
	}
	for _, l := range []string{"weilidai", "jiebei", "huabei", "mybank", "card", "other"} {
		keys = append(keys, "plan.channel."+l, "lender."+l)
	}
	for _, f := range All() {
		for _, st := range f.Steps {
			if st.Example != "" {
				keys = append(keys, st.Example)
			}
		}
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("catalog has no %q", k)
		}
	}
}

func TestAffordable(t *testing.T) {
	for _, tc := range []struct {
		owed, income, expenses, other int64
		monthly                       int64
		months                        int
	}{
		{3500000, 800000, 500000, 0, 210000, 17},    // the example: 2,100 a month, 17 months
		{3500000, 800000, 500000, 1400, 209000, 17}, // rounded down to 10 yuan
		{1000000, 500000, 500000, 0, 0, 0},          // nothing left
		{1000000, 0, 300000, 0, 0, 0},               // no income
		{100000000, 600000, 500000, 0, 70000, 1429}, // too long for instalments
		{100, 100000, 0, 0, 70000, 1},
	} {
		m, n := Affordable(tc.owed, tc.income, tc.expenses, tc.other)
		if m != tc.monthly || n != tc.months {
			t.Errorf("Affordable(%d, %d, %d, %d) = %d, %d; want %d, %d", tc.owed, tc.income, tc.expenses, tc.other, m, n, tc.monthly, tc.months)
		}
	}
}

func TestRecommendation(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Plan
		want string
	}{
		{"nothing left", Plan{OwedFen: 1e6}, "hardship"},
		{"over five years", Plan{MonthlyFen: 1000, Months: 61}, "hardship"},
		{"credit card", Plan{Lender: "card", MonthlyFen: 100000, Months: 20, Reason: "illness"}, "card_instalments"},
		{"illness", Plan{Lender: "jiebei", MonthlyFen: 100000, Months: 20, Reason: "illness"}, "waiver"},
		{"short and small", Plan{Lender: "huabei", MonthlyFen: 100000, Months: 2, OverdueDays: 10, Reason: "income"}, "extension"},
		{"steady low capacity", Plan{Lender: "weilidai", MonthlyFen: 210000, Months: 17, OverdueDays: 60, Reason: "income"}, "instalments"},
	} {
		if got := recommend(tc.p); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0元", 210000: "2,100元", 3500050: "35,000.50元", 100000000000: "1,000,000,000元", -5000: "-50元"} {
		if got := i18n.Yuan(i18n.ZhHans, fen); got != want {
			t.Errorf("Yuan(%d) = %q, want %q", fen, got, want)
		}
	}
	if got := i18n.Yuan(i18n.En, 210000); got != "¥2,100" {
		t.Errorf("en: %q", got)
	}
}
