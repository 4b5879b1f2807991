package dialogs

import "testing"

// The case: a card of 60,000 overdue 100 days, 微粒贷 35,000, 美团
// 8,000 costing 56.75 % a year; income 9,000, expenses 5,000.
func TestPlanDebtsOrdersAndSharesTheBudget(t *testing.T) {
	debts := []Debt{
		{ID: "a", Lender: "weilidai", OwedFen: 35_000_00, OverdueDays: 20, Legal: legalNone},
		{ID: "b", Lender: "meituan", OwedFen: 8_000_00, DueFen: 1_000_00, OverdueDays: 10, Legal: legalNone, APR: 0.5675},
		{ID: "c", Lender: "card", Card: true, OwedFen: 60_000_00, OverdueDays: 100, Legal: legalNone},
	}
	p := PlanDebts(debts, 9_000_00, 5_000_00)
	if p.BudgetFen != 2_800_00 || !p.Enough {
		t.Fatalf("budget %d, enough %v", p.BudgetFen, p.Enough)
	}
	var order []string
	var sum int64
	for _, o := range p.Offers {
		order = append(order, o.Debt.ID+":"+o.Why)
		sum += o.OfferFen
		if o.OfferFen < minOffer(o.Debt) {
			t.Errorf("%s offered %d, less than its minimum", o.Debt.ID, o.OfferFen)
		}
	}
	if got := order[0] + " " + order[1] + " " + order[2]; got != "c:card b:cost a:nocost" {
		t.Errorf("order %s", got)
	}
	if sum > p.BudgetFen {
		t.Errorf("offers %d over the budget %d", sum, p.BudgetFen)
	}
	if p.Ordered.Months == 0 || p.Equal.Months == 0 || p.Ordered.TotalFen < 103_000_00 {
		t.Errorf("outcomes %+v %+v", p.Ordered, p.Equal)
	}
	// A case comes before everything.
	debts[1].Legal = legalCase
	if p := PlanDebts(debts, 9_000_00, 5_000_00); p.Offers[0].Debt.ID != "b" || p.Offers[0].Why != whyLegal {
		t.Errorf("a debt in court is not first: %+v", p.Offers[0])
	}
}

func TestPlanDebtsSaysWhenTheBudgetIsNotEnough(t *testing.T) {
	debts := make([]Debt, 20)
	for i := range debts {
		debts[i] = Debt{ID: string(rune('a' + i)), OwedFen: 20_000_00}
	}
	for _, tc := range []struct{ income, expenses int64 }{{0, 3_000_00}, {3_000_00, 3_000_00}, {3_500_00, 3_000_00}} {
		p := PlanDebts(debts, tc.income, tc.expenses)
		if p.Enough {
			t.Errorf("income %d: twenty offers of 200 fit in %d", tc.income, p.BudgetFen)
		}
		var sum int64
		for _, o := range p.Offers {
			sum += o.OfferFen
		}
		if sum > p.BudgetFen || sum < 0 {
			t.Errorf("income %d: offers %d, budget %d", tc.income, sum, p.BudgetFen)
		}
	}
	if p := PlanDebts(nil, 9_000_00, 5_000_00); len(p.Offers) != 0 || p.Ordered.Months != 0 {
		t.Errorf("no debts: %+v", p)
	}
}

// Paying the most expensive first never costs more than equal shares.
func TestOrderedCostsNoMoreThanEqualShares(t *testing.T) {
	debts := []Debt{
		{ID: "cheap", OwedFen: 30_000_00, APR: 0.08},
		{ID: "dear", OwedFen: 10_000_00, APR: 0.36},
		{ID: "mid", OwedFen: 15_000_00, APR: 0.18},
	}
	p := PlanDebts(debts, 8_000_00, 5_000_00)
	if p.Ordered.TotalFen > p.Equal.TotalFen || p.Ordered.Months == 0 {
		t.Errorf("ordered %+v, equal %+v", p.Ordered, p.Equal)
	}
	// A rate no payment can keep up with: no end within fifty years.
	if p := PlanDebts([]Debt{{ID: "x", OwedFen: 1_000_000_00, APR: 0.36}}, 6_000_00, 5_000_00); p.Ordered.Months != 0 {
		t.Errorf("a debt growing faster than the payment ends in %d months", p.Ordered.Months)
	}
}

// On the plan no debt whose cost is known grows while others are paid
// first: its smallest offer covers a month's interest.
func TestNoDebtGrowsOnThePlan(t *testing.T) {
	debts := []Debt{
		{ID: "c", Card: true, OwedFen: 60_000_00, OverdueDays: 100},
		{ID: "b", OwedFen: 8_000_00, APR: 0.5675},
		{ID: "d", OwedFen: 5_000_00, APR: 1.20},
		{ID: "a", OwedFen: 35_000_00},
	}
	p := PlanDebts(debts, 8_000_00, 5_000_00)
	if !p.Enough {
		t.Fatalf("budget %d, minimums %d", p.BudgetFen, p.MinimumsFen)
	}
	for i, series := range p.Balances() {
		for m := 1; m < len(series); m++ {
			if series[m] > series[m-1] {
				t.Fatalf("%s grows in month %d: %d → %d", p.Offers[i].Debt.ID, m, series[m-1], series[m])
			}
		}
	}
}
