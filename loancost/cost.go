package loancost

import "math"

// Input is a loan as the borrower describes it. Money is in fen; zero
// means "not given". Give what reached the borrower (Received), or the
// contract amount (Principal) with what was taken from it at the start
// (Fees); and one way of repaying: Instalment × Count, or Total after
// TermMonths or TermDays, or only a quoted Rate.
type Input struct {
	Received   int64 // 到手: what reached the borrower; wins over Principal − Fees
	Principal  int64 // 合同金额, when known
	Fees       int64 // 砍头息, 服务费 taken before the money reached the borrower
	Instalment int64 // paid each month
	Count      int   // number of monthly instalments, at most 600
	Total      int64 // repaid in one sum at the end
	TermMonths int   // months until Total is due
	TermDays   int   // days until Total is due; used when TermMonths is zero
	Rate       Rate  // a rate the lender quoted, if any
}

// Period is the period a quoted nominal rate is per.
type Period int

const (
	PerDay   Period = iota + 1 // 日息, 日利率
	PerMonth                   // 月息, 月利率
	PerYear                    // 年息, 年利率, 年化
)

// perYear is how many periods make a year, by the convention lenders and
// courts use for simple interest: 365 days, 12 months. Zero means the
// period is not known.
func (p Period) perYear() float64 {
	switch p {
	case PerDay:
		return 365
	case PerMonth:
		return 12
	case PerYear:
		return 1
	}
	return 0
}

// Rate is a nominal rate as a fraction per period: 日息万五 is
// Rate{PerDay, 0.0005}, 月息2分 is Rate{PerMonth, 0.02}.
type Rate struct {
	Per   Period
	Value float64
}

// Basis says what a Result's APR was computed from.
type Basis int

const (
	// BasisSchedule: the APR is the IRR of the cash flows.
	BasisSchedule Basis = iota + 1
	// BasisQuoted: there was no schedule, only a quoted rate, so the APR
	// is that rate made annual by simple interest and fees are not in it.
	BasisQuoted
)

// Unit is the time unit of Flow.At.
type Unit int

const (
	Months Unit = iota + 1
	Days
)

// Flow is one payment, seen from the borrower: positive when money comes
// to them, negative when they pay.
type Flow struct {
	At  int   // months or days (Result.Unit) after the money was received
	Fen int64 // the amount
}

// Result is what a loan costs. The rates are fractions: 0.3507 is 35.07 %.
type Result struct {
	Basis Basis

	// APR is the IRR per period times the periods in a year: the monthly
	// IRR × 12 for instalments. A single repayment is one period as long
	// as the term, so its APR is the interest over what was received,
	// made annual (× 12/months or × 365/days): the simple annual rate
	// courts compare with their limits. With BasisQuoted it is Simple.
	APR float64

	// EAR is the effective annual rate, the IRR per period compounded
	// over a year: (1 + monthly IRR)^12 − 1. Zero with BasisQuoted.
	EAR float64

	// Simple is the quoted Rate made annual by simple interest (日息万五
	// → 0.1825), zero when no rate was quoted. Set with a schedule too,
	// so the bot can set what the lender said beside what the loan costs.
	Simple float64

	Received  int64  // what reached the borrower, fen
	Principal int64  // the contract amount (Received + Fees when not given), fen
	Repaid    int64  // all the borrower pays back, fen; zero with BasisQuoted
	Unit      Unit   // of Flows[i].At
	Flows     []Flow // month (or day) 0: +Received; then each payment
}

// Compute works out what in costs. An Input that lacks something or
// cannot be real returns a Missing as the error. A loan repaid with less
// than was received is not an error: its APR is negative, and Assess says
// so. Compute never panics; every float it returns is finite.
func Compute(in Input) (Result, error) {
	if ms := check(in); len(ms) > 0 {
		return Result{}, ms[0]
	}
	res := Result{Simple: in.Rate.Value * in.Rate.Per.perYear()}
	res.Received, res.Principal = in.Received, in.Principal
	if res.Received == 0 {
		res.Received = in.Principal - in.Fees
	}
	if res.Principal == 0 {
		res.Principal = res.Received + in.Fees
	}
	switch {
	case in.Instalment != 0:
		return instalments(res, in.Instalment, in.Count)
	case in.Total != 0:
		return bullet(res, in)
	}
	res.Basis, res.APR = BasisQuoted, res.Simple
	res.Received, res.Principal = 0, 0 // nothing was said about them
	return res, nil
}

// instalments solves for the monthly IRR of Received now against Count
// payments of Instalment, one a month from the next month.
func instalments(res Result, instalment int64, count int) (Result, error) {
	res.Basis, res.Unit = BasisSchedule, Months
	res.Repaid = instalment * int64(count) // ≤ 10^14 × 600: no overflow
	var r float64
	if res.Repaid != res.Received { // exactly zero otherwise, with no float noise
		var ok bool
		if r, ok = monthlyIRR(float64(res.Received), float64(instalment), count); !ok {
			return Result{}, Missing{FieldInstalment, OutOfRange}
		}
	}
	res.APR = r * 12
	res.EAR = math.Pow(1+r, 12) - 1
	res.Flows = make([]Flow, count+1)
	res.Flows[0] = Flow{0, res.Received}
	for k := 1; k <= count; k++ {
		res.Flows[k] = Flow{k, -instalment}
	}
	return res, nil
}

// bullet prices one repayment of Total at the end of the term. With one
// period the IRR needs no search: it is Total/Received − 1.
func bullet(res Result, in Input) (Result, error) {
	res.Basis, res.Repaid = BasisSchedule, in.Total
	at, perYear := in.TermMonths, 12/float64(in.TermMonths)
	res.Unit = Months
	if in.TermMonths == 0 {
		at, perYear, res.Unit = in.TermDays, 365/float64(in.TermDays), Days
	}
	r := float64(in.Total)/float64(res.Received) - 1
	ear := math.Pow(1+r, perYear) - 1
	if r > maxPeriodIRR || math.IsInf(ear, 0) || math.IsNaN(ear) {
		return Result{}, Missing{FieldTotal, OutOfRange}
	}
	res.APR, res.EAR = r*perYear, ear
	res.Flows = []Flow{{0, res.Received}, {at, -in.Total}}
	return res, nil
}

// monthlyIRR returns the r at which the payments are worth what was
// received: received = Σ_{k=1..n} instalment/(1+r)^k. It bisects on the
// net present value, which rises steadily with r, so it cannot diverge or
// jump to a wrong root as Newton's method can on odd inputs; 200 halvings
// of the bracket reach the limit of float64. It reports false when the
// root lies outside [minPeriodIRR, maxPeriodIRR].
func monthlyIRR(received, instalment float64, n int) (float64, bool) {
	npv := func(r float64) float64 {
		v, d, sum := 1/(1+r), 1.0, 0.0
		for range n {
			d *= v
			sum += d
		}
		return received - instalment*sum // −Inf, never NaN, when sum overflows
	}
	lo, hi := minPeriodIRR, maxPeriodIRR
	if npv(lo) > 0 || npv(hi) < 0 {
		return 0, false
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if npv(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2, true
}
