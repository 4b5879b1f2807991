package dialogs

import (
	"math"
	"sort"
)

// Debt is one of the user's debts (/debts).
type Debt struct {
	ID          string  `json:"id"`
	Lender      string  `json:"lender"` // a lender id of the directory, "card", or "other:<name>"
	OwedFen     int64   `json:"owed"`
	DueFen      int64   `json:"due"`     // the monthly amount due (instalment or card minimum); 0: not known
	OverdueDays int     `json:"overdue"` // 0: not overdue
	Legal       string  `json:"legal"`   // legalNone, legalCase, legalUnsure
	APR         float64 `json:"apr"`     // the real annual cost (IRR × 12) as a fraction; 0: not known
	Card        bool    `json:"card"`    // a credit card
}

// A debt's legal status: a court case, arbitration or judgment exists.
const (
	legalNone   = "none"
	legalCase   = "case"
	legalUnsure = "unsure"
)

// Near the card facts of malicious overdraft (刑法 art. 196 and the 2018
// interpretation: two collections 30+ days apart, more than 3 months unpaid,
// principal of 50,000 or more): the plan puts such a card early and points
// to a lawyer. The bot never says a card "is" malicious overdraft: intent
// is for a court.
const (
	cardRiskOwedFen = 50_000 * 100
	cardRiskDays    = 90
)

// The debt plan's rules.
const (
	minOfferFen    = 100 * 100 // an offer of at least 100 yuan a month…
	minOfferPct    = 1         // …or 1 % of the balance, so no lender is ignored
	simulateMonths = 600       // past fifty years there is no plan
)

// Why a debt comes where it does (catalog keys debts.why.*).
const (
	whyLegal = "legal" // a case, arbitration or judgment: deadlines, enforcement
	whyCard  = "card"  // a card near the malicious-overdraft facts
	whyCost  = "cost"  // by its real cost, highest first
	whyCheap = "nocost"
)

// Offer is what to offer one lender each month, and why it comes where it does.
type Offer struct {
	Debt     Debt
	Why      string
	OfferFen int64
}

// Outcome is how a way of sharing the budget ends.
type Outcome struct {
	Months   int   // to debt-free; 0 when not within fifty years
	TotalFen int64 // paid in all (interest at each debt's known rate)
}

// DebtPlan is one plan across all debts.
type DebtPlan struct {
	BudgetFen   int64 // what the budget allows each month: (income − expenses) × 70 %
	MinimumsFen int64 // the sum of the smallest offers that ignore no lender
	Enough      bool  // the budget covers them
	Offers      []Offer
	Ordered     Outcome // highest cost first: every debt its smallest offer, the rest to the dearest still owed
	Equal       Outcome // the budget in equal shares
}

// nearCardRisk: a card whose facts come near malicious overdraft.
func (d Debt) nearCardRisk() bool {
	return d.Card && d.OwedFen >= cardRiskOwedFen && d.OverdueDays > cardRiskDays
}

// minOffer is the smallest monthly offer to d: 1 % of the balance (at
// least 100 yuan) on top of a month's interest where the cost is known, so
// that no debt grows while others are paid first; never more than the
// balance, rounded up to 10 yuan.
func minOffer(d Debt) int64 {
	m := d.OwedFen * minOfferPct / 100
	if m < minOfferFen {
		m = minOfferFen
	}
	m += int64(math.Ceil(float64(d.OwedFen) * d.APR / 12))
	m = (m + roundFen - 1) / roundFen * roundFen
	if m > d.OwedFen {
		m = d.OwedFen
	}
	return m
}

// PlanDebts orders the debts and shares the monthly budget among them.
// Debts with a case come first, then a card near the malicious-overdraft
// facts, then by real cost (highest first; a debt whose cost is not known
// after those whose cost is), ties by the smaller balance (one lender
// fewer sooner).
func PlanDebts(debts []Debt, income, expenses int64) DebtPlan {
	p := DebtPlan{}
	p.BudgetFen, _ = Affordable(0, income, expenses, 0)
	live := make([]Debt, 0, len(debts))
	for _, d := range debts {
		if d.OwedFen > 0 {
			live = append(live, d)
		}
	}
	rank := func(d Debt) int {
		switch {
		case d.Legal == legalCase:
			return 0
		case d.nearCardRisk():
			return 1
		case d.APR > 0:
			return 2
		}
		return 3
	}
	sort.SliceStable(live, func(i, j int) bool {
		a, b := live[i], live[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if a.APR != b.APR {
			return a.APR > b.APR
		}
		return a.OwedFen < b.OwedFen
	})
	for _, d := range live {
		why := []string{whyLegal, whyCard, whyCost, whyCheap}[rank(d)]
		p.Offers = append(p.Offers, Offer{Debt: d, Why: why, OfferFen: minOffer(d)})
		p.MinimumsFen += minOffer(d)
	}
	p.Enough = p.BudgetFen >= p.MinimumsFen && p.BudgetFen > 0
	if !p.Enough {
		// What there is, shared in proportion to the smallest offers.
		for i := range p.Offers {
			if p.MinimumsFen > 0 {
				p.Offers[i].OfferFen = p.BudgetFen * p.Offers[i].OfferFen / p.MinimumsFen / roundFen * roundFen
			}
		}
	} else {
		extra := p.BudgetFen - p.MinimumsFen
		for i := range p.Offers {
			room := p.Offers[i].Debt.OwedFen - p.Offers[i].OfferFen
			add := min(room, extra)
			p.Offers[i].OfferFen += add
			extra -= add
		}
	}
	if p.Enough && len(p.Offers) > 0 {
		byCost := append([]Offer(nil), p.Offers...)
		sort.SliceStable(byCost, func(i, j int) bool { return byCost[i].Debt.APR > byCost[j].Debt.APR })
		p.Ordered = simulate(byCost, p.BudgetFen, false, nil)
		p.Equal = simulate(p.Offers, p.BudgetFen, true, nil)
	}
	return p
}

// simulate pays the budget each month until every debt is paid: in the
// order given (every debt its smallest offer, the rest to the first still
// owed) or in
// equal shares; interest accrues monthly at each debt's APR / 12.
func simulate(offers []Offer, budget int64, equal bool, record func([]float64)) Outcome {
	bal := make([]float64, len(offers))
	for i, o := range offers {
		bal[i] = float64(o.Debt.OwedFen)
	}
	if record != nil {
		record(bal)
	}
	var total float64
	for month := 1; month <= simulateMonths; month++ {
		for i, o := range offers {
			bal[i] *= 1 + o.Debt.APR/12
		}
		left := float64(budget)
		pay := func(i int, amount float64) {
			amount = min(amount, bal[i], left)
			bal[i] -= amount
			left -= amount
			total += amount
		}
		if equal {
			for left > 0.5 {
				open := 0
				for i := range bal {
					if bal[i] > 0.5 {
						open++
					}
				}
				if open == 0 {
					break
				}
				share := left / float64(open)
				for i := range bal {
					if bal[i] > 0.5 {
						pay(i, share)
					}
				}
			}
		} else {
			for i, o := range offers {
				if bal[i] > 0.5 {
					pay(i, float64(minOffer(o.Debt)))
				}
			}
			for i := range bal {
				if bal[i] > 0.5 {
					pay(i, left)
				}
			}
		}
		if record != nil {
			record(bal)
		}
		done := true
		for i := range bal {
			if bal[i] > 0.5 {
				done = false
			}
		}
		if done {
			return Outcome{Months: month, TotalFen: int64(total + 0.5)}
		}
	}
	return Outcome{}
}

// Balances is each debt's balance (fen) at the end of months 0..n while the
// plan is followed in its order, for the chart: at most five years.
func (p DebtPlan) Balances() [][]int64 {
	out := make([][]int64, len(p.Offers))
	if !p.Enough || len(p.Offers) == 0 {
		return out
	}
	simulate(p.Offers, p.BudgetFen, false, func(bal []float64) {
		if len(out[0]) > maxPlanMonth {
			return
		}
		for i, b := range bal {
			out[i] = append(out[i], int64(max(b, 0)+0.5))
		}
	})
	return out
}
