package loancost_test

import (
	"errors"
	"fmt"

	"loanbot/loancost"
)

func Example() {
	in, missing := loancost.Parse("借一万到手9000，每期还1000，共12期")
	fmt.Println("missing:", missing)

	res, err := loancost.Compute(in)
	if err != nil {
		var m loancost.Missing
		if errors.As(err, &m) {
			fmt.Println("ask for", m.Field)
		}
		return
	}
	fmt.Printf("APR %.2f%%, EAR %.2f%%\n", res.APR*100, res.EAR*100)
	for _, f := range res.Flows[:3] {
		fmt.Printf("month %d: %+d yuan\n", f.At, f.Fen/100)
	}
	a := loancost.Assess(res)
	fmt.Println("above 24%:", a.AboveCourtLine, "砍头息:", a.UpfrontDeducted)

	quoted, _ := loancost.Compute(loancost.Input{Rate: loancost.Rate{Per: loancost.PerDay, Value: 0.0005}})
	fmt.Printf("日息万五: %.2f%% a year, simple\n", quoted.Simple*100)

	_, missing = loancost.Parse("到手9000，每月还1000")
	fmt.Println("missing:", missing)
	// Output:
	// missing: []
	// APR 56.75%, EAR 74.11%
	// month 0: +9000 yuan
	// month 1: -1000 yuan
	// month 2: -1000 yuan
	// above 24%: true 砍头息: true
	// 日息万五: 18.25% a year, simple
	// missing: [loancost: count: absent]
}
