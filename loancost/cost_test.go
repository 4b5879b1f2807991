package loancost

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

const yuan = 100 // fen

// pct rounds a fraction to a percentage with two decimals, as the bot
// shows it.
func pct(f float64) string { return fmt.Sprintf("%.2f%%", f*100) }

func TestComputeGivesTheRequiredFigures(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		want string
		rate func(Result) float64
	}{
		{"10000 received, 12 × 1000", Input{Received: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, "35.07%", func(r Result) float64 { return r.APR }},
		{"9000 received on a 10000 contract, 12 × 1000", Input{Received: 9000 * yuan, Principal: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, "56.75%", func(r Result) float64 { return r.APR }},
		{"日息万五, simple", Input{Rate: Rate{PerDay, 0.0005}}, "18.25%", func(r Result) float64 { return r.Simple }},
	} {
		res, err := Compute(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := pct(tc.rate(res)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		t.Logf("%s: %s", tc.name, pct(tc.rate(res)))
	}
}

// annuityRateNewton solves P = A·(1 − (1+r)^−n)/r for r with Newton's
// method on the closed form, from the flat rate as a first guess: a
// different formula and a different method from the package's bisection
// on the sum of discounted payments.
func annuityRateNewton(p, a float64, n int) float64 {
	if a*float64(n) == p {
		return 0
	}
	f := func(r float64) float64 {
		if math.Abs(r) < 1e-12 {
			return a*float64(n) - p
		}
		return a*(1-math.Pow(1+r, -float64(n)))/r - p
	}
	r := (a*float64(n) - p) / p / float64(n) * 2 // about twice the flat rate
	for range 100 {
		h := 1e-7 * math.Max(math.Abs(r), 1e-3)
		d := (f(r+h) - f(r-h)) / (2 * h)
		next := r - f(r)/d
		if math.Abs(next-r) < 1e-14 {
			return next
		}
		r = next
	}
	return r
}

func TestComputeAgreesWithAnIndependentCalculation(t *testing.T) {
	type want struct {
		apr, ear float64 // from the independent calculation
		tol      float64
	}
	instalment := func(received, a float64, n int) want {
		r := annuityRateNewton(received, a, n)
		return want{r * 12, math.Pow(1+r, 12) - 1, 1e-9}
	}
	single := func(received, total float64, perYear float64) want {
		r := total/received - 1
		return want{r * perYear, math.Pow(1+r, perYear) - 1, 1e-12}
	}
	for _, tc := range []struct {
		name string
		in   Input
		want want
	}{
		{"published example: 12 × 1000 on 10000 is 35.07 %", Input{Received: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, want{0.3507, math.Pow(1+0.3507/12, 12) - 1, 5e-5}},
		{"published example: 1,000,000 over 30 years at 4.9 % is 5307.27 a month", Input{Received: 1000000 * yuan, Instalment: 530727, Count: 360}, want{0.049, math.Pow(1+0.049/12, 12) - 1, 1e-6}},
		{"砍头息 1000 on 10000, 12 × 1000", Input{Principal: 10000 * yuan, Fees: 1000 * yuan, Instalment: 1000 * yuan, Count: 12}, instalment(9000, 1000, 12)},
		{"3 months: 10000 contract, 1500 fees, 3 × 3500", Input{Principal: 10000 * yuan, Fees: 1500 * yuan, Instalment: 3500 * yuan, Count: 3}, instalment(8500, 3500, 3)},
		{"6 months: 10000, 6 × 1800", Input{Received: 10000 * yuan, Instalment: 1800 * yuan, Count: 6}, instalment(10000, 1800, 6)},
		{"6 months, 砍头息: 6000 contract, 5000 received, 6 × 1000", Input{Received: 5000 * yuan, Principal: 6000 * yuan, Instalment: 1000 * yuan, Count: 6}, instalment(5000, 1000, 6)},
		{"24 months: 10000, 24 × 500", Input{Received: 10000 * yuan, Instalment: 500 * yuan, Count: 24}, instalment(10000, 500, 24)},
		{"36 months: 20000, 36 × 888.88", Input{Received: 20000 * yuan, Instalment: 88888, Count: 36}, instalment(20000, 888.88, 36)},
		{"one instalment: 1000 then 1100", Input{Received: 1000 * yuan, Instalment: 1100 * yuan, Count: 1}, instalment(1000, 1100, 1)},
		{"600 months, the longest", Input{Received: 100000 * yuan, Instalment: 500 * yuan, Count: 600}, instalment(100000, 500, 600)},
		{"a payday loan: 1500 received, 2000 after 7 days", Input{Received: 1500 * yuan, Total: 2000 * yuan, TermDays: 7}, single(1500, 2000, 365.0/7)},
		{"5000 received, 6000 after 30 days", Input{Received: 5000 * yuan, Total: 6000 * yuan, TermDays: 30}, single(5000, 6000, 365.0/30)},
		{"10000 received, 10500 after 90 days", Input{Received: 10000 * yuan, Total: 10500 * yuan, TermDays: 90}, single(10000, 10500, 365.0/90)},
		{"5000 received, 6000 after 3 months", Input{Received: 5000 * yuan, Total: 6000 * yuan, TermMonths: 3}, single(5000, 6000, 4)},
		{"interest-free: 12000, 12 × 1000", Input{Received: 12000 * yuan, Instalment: 1000 * yuan, Count: 12}, want{0, 0, 0}},
		{"repaying less: 12000, 12 × 900", Input{Received: 12000 * yuan, Instalment: 900 * yuan, Count: 12}, instalment(12000, 900, 12)},
	} {
		res, err := Compute(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if math.Abs(res.APR-tc.want.apr) > tc.want.tol || math.Abs(res.EAR-tc.want.ear) > tc.want.tol*10 {
			t.Errorf("%s: APR %.10f EAR %.10f, want %.10f %.10f", tc.name, res.APR, res.EAR, tc.want.apr, tc.want.ear)
		}
		// The flows discounted at the APR's monthly (or per-term) rate are
		// worth nothing, to within a billionth of what was received.
		if res.Unit == Months && len(res.Flows) > 2 || tc.in.Count == 1 {
			r, npv := res.APR/12, 0.0
			for _, f := range res.Flows {
				npv += float64(f.Fen) / math.Pow(1+r, float64(f.At))
			}
			if math.Abs(npv) > 1e-9*float64(res.Received) {
				t.Errorf("%s: NPV at the APR is %g fen", tc.name, npv)
			}
		}
		t.Logf("%s: APR %s, EAR %s", tc.name, pct(res.APR), pct(res.EAR))
	}
}

func TestComputeMakesQuotedRatesAnnualBySimpleInterest(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate Rate
		want float64
	}{
		{"日息万三", Rate{PerDay, 0.0003}, 0.1095},
		{"日息万五", Rate{PerDay, 0.0005}, 0.1825},
		{"日息0.1%", Rate{PerDay, 0.001}, 0.365},
		{"月息1.5%", Rate{PerMonth, 0.015}, 0.18},
		{"月息2分", Rate{PerMonth, 0.02}, 0.24},
		{"年化24%", Rate{PerYear, 0.24}, 0.24},
	} {
		res, err := Compute(Input{Rate: tc.rate})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(res.Simple-tc.want) > 1e-12 || res.APR != res.Simple || res.Basis != BasisQuoted || res.EAR != 0 || res.Flows != nil {
			t.Errorf("%s: %+v, want Simple = APR = %v", tc.name, res, tc.want)
		}
		t.Logf("%s: %s", tc.name, pct(res.Simple))
	}
}

func TestComputeGivesTheCashFlows(t *testing.T) {
	res, err := Compute(Input{Principal: 10000 * yuan, Fees: 1000 * yuan, Instalment: 1000 * yuan, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []Flow{{0, 9000 * yuan}, {1, -1000 * yuan}, {2, -1000 * yuan}, {3, -1000 * yuan}}
	if fmt.Sprint(res.Flows) != fmt.Sprint(want) || res.Unit != Months || res.Received != 9000*yuan ||
		res.Principal != 10000*yuan || res.Repaid != 3000*yuan {
		t.Errorf("got %+v", res)
	}
	res, err = Compute(Input{Received: 5000 * yuan, Total: 6000 * yuan, TermDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Flows) != fmt.Sprint([]Flow{{0, 5000 * yuan}, {30, -6000 * yuan}}) || res.Unit != Days {
		t.Errorf("got %+v", res)
	}
}

func TestComputeRefusesImpossibleInputsWithTheFieldToAskAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		want Missing
	}{
		{"nothing", Input{}, Missing{FieldRepayment, Absent}},
		{"no money received", Input{Instalment: 1000 * yuan, Count: 12}, Missing{FieldReceived, Absent}},
		{"negative received", Input{Received: -5, Instalment: 1000 * yuan, Count: 12}, Missing{FieldReceived, NotPositive}},
		{"received more than the contract", Input{Received: 11000 * yuan, Principal: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, Missing{FieldReceived, OutOfRange}},
		{"fees eat the whole loan", Input{Principal: 10000 * yuan, Fees: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, Missing{FieldFees, OutOfRange}},
		{"a count of 0", Input{Received: 10000 * yuan, Instalment: 1000 * yuan}, Missing{FieldCount, Absent}},
		{"a negative count", Input{Received: 10000 * yuan, Instalment: 1000 * yuan, Count: -3}, Missing{FieldCount, NotPositive}},
		{"601 months", Input{Received: 10000 * yuan, Instalment: 1000 * yuan, Count: 601}, Missing{FieldCount, OutOfRange}},
		{"no instalment", Input{Received: 10000 * yuan, Count: 12}, Missing{FieldInstalment, Absent}},
		{"negative instalment", Input{Received: 10000 * yuan, Instalment: -1, Count: 12}, Missing{FieldInstalment, NotPositive}},
		{"an absurd instalment", Input{Received: 1, Instalment: 1e14, Count: 12}, Missing{FieldInstalment, OutOfRange}},
		{"an instalment beyond 10^12 yuan", Input{Received: 1, Instalment: math.MaxInt64, Count: 600}, Missing{FieldInstalment, OutOfRange}},
		{"a repayment of almost nothing", Input{Received: 1e14, Instalment: 1, Count: 2}, Missing{FieldInstalment, OutOfRange}},
		{"a total with no term", Input{Received: 5000 * yuan, Total: 6000 * yuan}, Missing{FieldTerm, Absent}},
		{"a term with no total", Input{Received: 5000 * yuan, TermDays: 30}, Missing{FieldTotal, Absent}},
		{"a term of 51 years", Input{Received: 5000 * yuan, Total: 6000 * yuan, TermDays: 18251}, Missing{FieldTerm, OutOfRange}},
		{"a negative term", Input{Received: 5000 * yuan, Total: 6000 * yuan, TermMonths: -1}, Missing{FieldTerm, NotPositive}},
		{"an absurd total", Input{Received: 1, Total: 1e14, TermDays: 1}, Missing{FieldTotal, OutOfRange}},
		{"a total that overflows compounding", Input{Received: 100, Total: 10000, TermDays: 1}, Missing{FieldTotal, OutOfRange}},
		{"a zero rate", Input{Rate: Rate{Per: PerDay}}, Missing{FieldRate, NotPositive}},
		{"a NaN rate", Input{Rate: Rate{PerDay, math.NaN()}}, Missing{FieldRate, NotPositive}},
		{"an infinite rate", Input{Rate: Rate{PerDay, math.Inf(1)}}, Missing{FieldRate, OutOfRange}},
		{"a rate with no period", Input{Rate: Rate{Value: 0.0005}}, Missing{FieldRatePeriod, Absent}},
		{"a rate with a bad period", Input{Rate: Rate{Per: 9, Value: 0.0005}}, Missing{FieldRatePeriod, Absent}},
	} {
		res, err := Compute(tc.in)
		var m Missing
		if !errors.As(err, &m) || m != tc.want {
			t.Errorf("%s: %+v, %v; want %v", tc.name, res, err, tc.want)
		}
	}
}

func TestComputeReportsARepaymentBelowWhatWasReceivedAsANegativeRate(t *testing.T) {
	res, err := Compute(Input{Received: 12000 * yuan, Instalment: 900 * yuan, Count: 12})
	if err != nil {
		t.Fatal(err)
	}
	if a := Assess(res); res.APR >= 0 || !a.Negative || a.InterestFree || a.AboveCourtLine {
		t.Errorf("APR %v, %+v", res.APR, a)
	}
}

func TestAssess(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		want Assessment
	}{
		{"35 % with nothing deducted", Input{Received: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, Assessment{AboveCourtLine: true}},
		{"砍头息", Input{Principal: 10000 * yuan, Fees: 1000 * yuan, Instalment: 1000 * yuan, Count: 12}, Assessment{AboveCourtLine: true, UpfrontDeducted: true}},
		{"砍头息 stated as the contract", Input{Received: 9000 * yuan, Principal: 10000 * yuan, Instalment: 1000 * yuan, Count: 12}, Assessment{AboveCourtLine: true, UpfrontDeducted: true}},
		{"exactly 24 % is not above the line", Input{Received: 10000 * yuan, Total: 12400 * yuan, TermMonths: 12}, Assessment{}},
		{"interest-free", Input{Received: 12000 * yuan, Instalment: 1000 * yuan, Count: 12}, Assessment{InterestFree: true}},
		{"a quoted 月息1.5% on instalments understates", Input{Received: 10000 * yuan, Instalment: 98333, Count: 12, Rate: Rate{PerMonth, 0.015}}, Assessment{AboveCourtLine: true, QuotedUnderstates: true}},
		{"a quote that matches", Input{Received: 10000 * yuan, Total: 11800 * yuan, TermMonths: 12, Rate: Rate{PerMonth, 0.015}}, Assessment{}},
		{"a quoted rate only", Input{Rate: Rate{PerDay, 0.0005}}, Assessment{RateOnly: true}},
		{"a quoted rate only, above the line", Input{Rate: Rate{PerDay, 0.001}}, Assessment{RateOnly: true, AboveCourtLine: true}},
	} {
		res, err := Compute(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := Assess(res); got != tc.want {
			t.Errorf("%s: %+v, want %+v (APR %v)", tc.name, got, tc.want, res.APR)
		}
	}
}

func TestAboveTakesALineFromTheCaller(t *testing.T) {
	res, _ := Compute(Input{Received: 10000 * yuan, Total: 11300 * yuan, TermMonths: 12})
	if lpr4 := 4 * 0.03; !res.Above(lpr4) || res.Above(CourtLine) {
		t.Errorf("13 %%: above 4×LPR %v, above 24 %% %v", res.Above(lpr4), res.Above(CourtLine))
	}
}
