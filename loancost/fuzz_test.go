package loancost

import (
	"errors"
	"math"
	"testing"
)

// FuzzParse checks that no message makes Parse or Compute panic, that
// every Missing names a real field and problem, and that an Input Parse
// calls complete either computes to finite figures or is refused as out of
// range.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"到手9000，每月还1000，还12期", "借一万到手9000 每期还1000 共12期", "日息万五", "日利率0.05%",
		"借了5000，3个月后还6000", "received 9000, pay 1000 a month for 12 months", "daily rate 0.05%",
		"到手9000，每月還1000，還12期", "不知道", "", "😀", "到手-5", "每月还0元", "还99999期",
		"月息1分5", "年息5厘", "借1.5年还2万", "到手9000，第1期还1000", "万分之", "3万5", "1,000,000,000,000,000",
		"借１万，６个月后还１万２", "每月还1000 12期 到手100",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, ms := Parse(s)
		for _, m := range ms {
			if m.Field < FieldReceived || m.Field > FieldRatePeriod || m.Problem < Absent || m.Problem > OutOfRange {
				t.Fatalf("Parse(%q): bad %#v", s, m)
			}
		}
		res, err := Compute(in)
		if err != nil {
			var m Missing
			if !errors.As(err, &m) {
				t.Fatalf("Parse(%q) → Compute: %v is not a Missing", s, err)
			}
			if len(ms) == 0 && m.Problem != OutOfRange {
				t.Fatalf("Parse(%q) said nothing was missing, Compute said %v", s, err)
			}
			return
		}
		for _, v := range []float64{res.APR, res.EAR, res.Simple} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("Parse(%q) → %+v: a figure is not finite", s, res)
			}
		}
		_ = Assess(res)
	})
}
