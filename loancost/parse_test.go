package loancost

import (
	"fmt"
	"testing"
)

func TestParseReadsTheUsualPhrasings(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Input
	}{
		// zh-Hans
		{"到手9000，每月还1000，还12期", Input{Received: 900000, Instalment: 100000, Count: 12}},
		{"借一万到手9000 每期还1000 共12期", Input{Received: 900000, Principal: 1000000, Instalment: 100000, Count: 12}},
		{"借了5000，3个月后还6000", Input{Principal: 500000, Total: 600000, TermMonths: 3}},
		{"借５０００，３０天后还６０００", Input{Principal: 500000, Total: 600000, TermDays: 30}},
		{"借10000，扣了1000服务费，每月还款1000，分12个月", Input{Principal: 1000000, Fees: 100000, Instalment: 100000, Count: 12}},
		{"合同金额1万，实际到手8500，月供1000，12期", Input{Received: 850000, Principal: 1000000, Instalment: 100000, Count: 12}},
		{"借一万，12期，一共还一万二", Input{Principal: 1000000, Instalment: 100000, Count: 12, Total: 1200000}},
		{"我借了两千块，一个月后还两千五", Input{Principal: 200000, Total: 250000, TermMonths: 1}},
		{"到手¥8,000，每月还800元，还十二期", Input{Received: 800000, Instalment: 80000, Count: 12}},
		{"借款3万5，36期，每期1500", Input{Principal: 3500000, Instalment: 150000, Count: 36}},
		{"日息万五", Input{Rate: Rate{PerDay, 0.0005}}},
		{"日利率0.05%", Input{Rate: Rate{PerDay, 0.0005}}},
		{"日息万分之五", Input{Rate: Rate{PerDay, 0.0005}}},
		{"日息万三", Input{Rate: Rate{PerDay, 0.0003}}},
		{"月息2分", Input{Rate: Rate{PerMonth, 0.02}}},
		{"月利率1.5%", Input{Rate: Rate{PerMonth, 0.015}}},
		{"年化36%", Input{Rate: Rate{PerYear, 0.36}}},
		{"借5000，日息万五，7天后还5100", Input{Principal: 500000, Total: 510000, TermDays: 7, Rate: Rate{PerDay, 0.0005}}},
		// zh-Hant
		{"到手9000，每月還1000，還12期", Input{Received: 900000, Instalment: 100000, Count: 12}},
		{"借一萬，到手九千，每期還一千，共十二期", Input{Received: 900000, Principal: 1000000, Instalment: 100000, Count: 12}},
		{"借了5000，3個月後還6000", Input{Principal: 500000, Total: 600000, TermMonths: 3}},
		{"日利率0.05％", Input{Rate: Rate{PerDay, 0.0005}}},
		// English
		{"received 9000, pay 1000 a month for 12 months", Input{Received: 900000, Instalment: 100000, Count: 12}},
		{"daily rate 0.05%", Input{Rate: Rate{PerDay, 0.0005}}},
		{"borrowed 10000, got 9000, 12 monthly payments of 1000", Input{Received: 900000, Principal: 1000000, Instalment: 100000, Count: 12}},
		{"I borrowed 5000 and must repay 6000 after 30 days", Input{Principal: 500000, Total: 600000, TermDays: 30}},
		{"Loan of 10,000, fee 1,500 deducted, 1000 per month, 24 months", Input{Principal: 1000000, Fees: 150000, Instalment: 100000, Count: 24}},
		{"monthly interest 2%", Input{Rate: Rate{PerMonth, 0.02}}},
		{"APR 24%", Input{Rate: Rate{PerYear, 0.24}}},
	} {
		got, ms := Parse(tc.text)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || len(ms) != 0 {
			t.Errorf("Parse(%q)\n got %+v %v\nwant %+v", tc.text, got, ms, tc.want)
		}
	}
}

func TestParseSaysWhatIsMissingOrWrong(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []Missing
	}{
		{"", []Missing{{FieldRepayment, Absent}}},
		{"不知道", []Missing{{FieldRepayment, Absent}}},
		{"😀", []Missing{{FieldRepayment, Absent}}},
		{"到手-5", []Missing{{FieldReceived, NotPositive}, {FieldRepayment, Absent}}},
		{"每月还0元", []Missing{{FieldReceived, Absent}, {FieldInstalment, NotPositive}}},
		{"还99999期", []Missing{{FieldReceived, Absent}, {FieldInstalment, Absent}, {FieldCount, OutOfRange}}},
		{"还0期", []Missing{{FieldReceived, Absent}, {FieldCount, NotPositive}}},
		{"到手9000", []Missing{{FieldRepayment, Absent}}},
		{"到手9000，每月还1000", []Missing{{FieldCount, Absent}}},
		{"到手9000，还12期", []Missing{{FieldInstalment, Absent}}},
		{"每月还1000，还12期", []Missing{{FieldReceived, Absent}}},
		{"借了5000，要还6000", []Missing{{FieldTerm, Absent}}},
		{"借了5000，3个月后还", []Missing{{FieldTotal, Absent}}},
		{"利率0.05%", []Missing{{FieldRatePeriod, Absent}}},
		{"到手1000000000000000", []Missing{{FieldReceived, OutOfRange}, {FieldRepayment, Absent}}},
		{"借10000，到手12000，每月还1000，还12期", []Missing{{FieldReceived, OutOfRange}}},
		{"received 9000", []Missing{{FieldRepayment, Absent}}},
		{"whatever", []Missing{{FieldRepayment, Absent}}},
	} {
		_, got := Parse(tc.text)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Parse(%q): missing %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestParseThenComputeGivesTheRequiredFigures(t *testing.T) {
	for text, want := range map[string]string{
		"到手一万，每月还1000，还12期":                                        "35.07%",
		"借一万到手9000 每期还1000 共12期":                                   "56.75%",
		"received 9000 on a 10000 loan, 1000 a month, 12 payments": "56.75%",
		"日息万五": "18.25%",
	} {
		in, ms := Parse(text)
		res, err := Compute(in)
		if err != nil || len(ms) != 0 {
			t.Fatalf("%q: %v %v", text, ms, err)
		}
		if got := pct(res.APR); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}
