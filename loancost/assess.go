package loancost

// CourtLine is the annual rate above which courts in practice do not
// support interest, penalties and fees on a financial loan: 24 %/yr, the
// project's domain facts, penalty-interest. It is practice, not a statute,
// so the catalog's text must not give it an article.
const CourtLine = 0.24

// rateEpsilon keeps float noise from putting a loan on the wrong side of
// a line: 24.0000000001 % is 24 %.
const rateEpsilon = 1e-9

// Assessment is what a Result means, as facts the bot maps to catalog
// texts. It holds no prose and no legal conclusions: whether a line
// applies depends on the lender (licensed or private), which the bot asks
// about or explains.
type Assessment struct {
	// Negative: the borrower repays less than they received.
	Negative bool
	// InterestFree: the borrower repays exactly what they received.
	InterestFree bool
	// AboveCourtLine: the APR is above CourtLine.
	AboveCourtLine bool
	// UpfrontDeducted: less reached the borrower than the contract says
	// (砍头息); 民法典 art. 670 counts the principal as what was received.
	UpfrontDeducted bool
	// QuotedUnderstates: the lender's quoted rate, made annual, is more
	// than one percentage point below the real APR, as with a flat monthly
	// rate on instalments or fees left out of the quote. The point of
	// slack keeps a rounded quote from being flagged.
	QuotedUnderstates bool
	// RateOnly: there was no schedule, only a quoted rate, so fees and
	// deductions are not in the figure and the real cost may be higher.
	RateOnly bool
}

// Assess returns the facts about r the bot needs to pick its texts.
func Assess(r Result) Assessment {
	a := Assessment{
		AboveCourtLine:  r.Above(CourtLine),
		UpfrontDeducted: r.Received > 0 && r.Received < r.Principal,
		RateOnly:        r.Basis == BasisQuoted,
	}
	if r.Basis == BasisSchedule {
		a.Negative = r.Repaid < r.Received
		a.InterestFree = r.Repaid == r.Received
		a.QuotedUnderstates = r.Simple > 0 && r.APR > r.Simple+0.01
	}
	return a
}

// Above reports whether r's APR is above an annual rate given as a
// fraction. The bot uses it for lines that change, such as four times the
// one-year LPR for private loans, which it reads from its configuration
// rather than from this package.
func (r Result) Above(annual float64) bool {
	return r.APR > annual+rateEpsilon
}
