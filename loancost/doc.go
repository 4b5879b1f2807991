// Package loancost owns the arithmetic of what a loan really costs: the
// annual rate hidden in "到手9000，每月还1000，还12期", in a total repaid
// after a term, or in a quoted 日息万五. The bot's /rate command and the debt
// list use it; they pick their texts from the message catalog by the facts
// Assess returns, so no prose lives here.
//
// The rate is the IRR-based APR regulators ask lenders to disclose: the
// internal rate of return of the cash flows per period, times the periods
// in a year. It is counted on what actually reached the borrower (民法典
// art. 670: interest may not be deducted up front, the principal is what
// was received), so 砍头息 and service fees taken at the start raise it.
//
// A conversation goes Parse → ask for each Missing field → Compute → Assess:
//
//	in, missing := loancost.Parse("借一万到手9000，每期还1000，共12期")
//	// missing is empty: nothing to ask.
//	res, err := loancost.Compute(in)
//	// res.APR ≈ 0.5675, res.EAR ≈ 0.7411, res.Flows: +9000, 12 × −1000.
//	a := loancost.Assess(res)
//	// a.AboveCourtLine and a.UpfrontDeducted are true.
//
// Money is integer fen, as everywhere in loanbot; rates are float64
// fractions (0.35 is 35 %), because they are ratios, not money.
package loancost
