package loancost

import (
	"fmt"
	"slices"
)

// Field names a piece of Input the bot may have to ask for. String gives
// a stable name the bot can build catalog keys from.
type Field int

// The fields, in the order the bot should ask for them.
const (
	FieldReceived   Field = iota + 1 // 到手: what reached the borrower
	FieldPrincipal                   // 合同金额
	FieldFees                        // 砍头息, 服务费
	FieldRepayment                   // how it is repaid: none of the forms below was given
	FieldInstalment                  // 每期还多少
	FieldCount                       // 还几期
	FieldTotal                       // 一共还多少 (one sum at the end)
	FieldTerm                        // 多久后还 (months or days)
	FieldRate                        // a quoted 日息/月息/年息
	FieldRatePeriod                  // whether the quoted rate is per day, month or year
)

var fieldNames = [...]string{
	FieldReceived: "received", FieldPrincipal: "principal", FieldFees: "fees",
	FieldRepayment: "repayment", FieldInstalment: "instalment", FieldCount: "count",
	FieldTotal: "total", FieldTerm: "term", FieldRate: "rate", FieldRatePeriod: "rate_period",
}

func (f Field) String() string {
	if f > 0 && int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", int(f))
}

// Problem says what is wrong with a field, so the bot can ask again with
// the right words ("how much did you receive?" versus "the amount must be
// more than zero").
type Problem int

const (
	Absent      Problem = iota // not given
	NotPositive                // zero or negative where only a positive value makes sense
	OutOfRange                 // too large to be real (more than 600 months, 10^12 yuan, a rate above 10000 % a period), or inconsistent with another field
)

var problemNames = [...]string{Absent: "absent", NotPositive: "not positive", OutOfRange: "out of range"}

func (p Problem) String() string {
	if p >= 0 && int(p) < len(problemNames) {
		return problemNames[p]
	}
	return fmt.Sprintf("Problem(%d)", int(p))
}

// Missing is a field the bot still needs, or needs again. It is also the
// error Compute returns, so errors.As(err, &m) tells the bot what to ask;
// its text names the field only, never the user's amounts, so it is safe
// to log.
type Missing struct {
	Field   Field
	Problem Problem
}

func (m Missing) Error() string {
	return fmt.Sprintf("loancost: %v: %v", m.Field, m.Problem)
}

// Bounds on what Compute accepts. They are far beyond any real loan, so
// hitting one means a typo or a joke, and the float arithmetic stays
// finite inside them.
const (
	maxFen       = 1e14  // 10^12 yuan, as zhtext.ParseAmount
	maxMonths    = 600   // 50 years
	maxDays      = 18250 // 50 years
	maxPeriodIRR = 100.0 // 10000 % per period
	minPeriodIRR = -0.999999
)

// check lists what in lacks or gets wrong, ordered by Field. Compute and
// Parse share it, so the bot asks for exactly what Compute would refuse.
func check(in Input) []Missing {
	var ms []Missing
	add := func(f Field, p Problem) { ms = append(ms, Missing{f, p}) }
	amount := func(f Field, v int64, required bool) {
		switch {
		case v < 0:
			add(f, NotPositive)
		case v > maxFen:
			add(f, OutOfRange)
		case v == 0 && required:
			add(f, Absent)
		}
	}
	instalments := in.Instalment != 0 || in.Count != 0
	bullet := !instalments && (in.Total != 0 || in.TermMonths != 0 || in.TermDays != 0)
	quoted := in.Rate != (Rate{})

	amount(FieldReceived, in.Received, false)
	amount(FieldPrincipal, in.Principal, false)
	amount(FieldFees, in.Fees, false)
	if (instalments || bullet) && in.Received == 0 && in.Principal == 0 {
		add(FieldReceived, Absent)
	}
	if in.Received == 0 && in.Principal > 0 && in.Fees >= in.Principal {
		add(FieldFees, OutOfRange) // nothing would reach the borrower
	}
	if in.Received > 0 && in.Principal > 0 && in.Received > in.Principal {
		add(FieldReceived, OutOfRange) // more than the contract: a typo
	}
	switch {
	case instalments:
		amount(FieldInstalment, in.Instalment, true)
		switch {
		case in.Count < 0:
			add(FieldCount, NotPositive)
		case in.Count > maxMonths:
			add(FieldCount, OutOfRange)
		case in.Count == 0:
			add(FieldCount, Absent)
		}
	case bullet:
		amount(FieldTotal, in.Total, true)
		switch {
		case in.TermMonths < 0 || in.TermMonths == 0 && in.TermDays < 0:
			add(FieldTerm, NotPositive)
		case in.TermMonths > maxMonths || in.TermMonths == 0 && in.TermDays > maxDays:
			add(FieldTerm, OutOfRange)
		case in.TermMonths == 0 && in.TermDays == 0:
			add(FieldTerm, Absent)
		}
	case !quoted:
		add(FieldRepayment, Absent)
	}
	if quoted {
		switch {
		case !(in.Rate.Value > 0): // also NaN
			add(FieldRate, NotPositive)
		case in.Rate.Value > maxPeriodIRR:
			add(FieldRate, OutOfRange)
		}
		if in.Rate.Per.perYear() == 0 {
			add(FieldRatePeriod, Absent)
		}
	}
	slices.SortStableFunc(ms, func(a, b Missing) int { return int(a.Field) - int(b.Field) })
	return slices.CompactFunc(ms, func(a, b Missing) bool { return a.Field == b.Field })
}
