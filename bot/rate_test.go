package bot_test

import (
	"testing"

	"loanbot/store/storetest"
)

// /rate answers a whole message at once and asks only for what is missing.
func TestRateAtOnceAndStepByStep(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("rate")
	transcript(t, e, u, []step{
		{"/rate 到手10000，每月还1000，还12期", "年化约35.07%"},
		{"/rate 日息万五", "年化约18.25%"},
		{"/rate", "实际到手多少"},
		{"合同借一万，到手9000", "怎么还"},
		{"每月还1000，还12期", "年化约56.75%"},
		{"/rate 借一万到手9000 每期还1000 共12期", "民法典第670条"},
		{"/rate 到手9000，每月还1000，还12期", "超过24%"},
		{"/rate 到手9000，每月还1000，还12期", "第12个月：−1,000元"},
		{"/rate 到手9000，每月还1000，还12期", "12378"},
		{"/rate 不知道", "实际到手多少"},
		{"算了", "怎么还"},
		{"/cancel", "已退出"},
	})
	// English, and a Traditional reader.
	en := storetest.User("rate-en")
	transcript(t, e, en, []step{
		{"/lang", ""}, {"English", "English"},
		{"/rate received 10000, pay 1000 a month for 12 months", "about 35.07% a year"},
	})
	hant := storetest.User("rate-hant")
	transcript(t, e, hant, []step{
		{"/lang", ""}, {"繁體中文", ""},
		{"/rate 到手9000，每月還1000，還12期", "年化約56.75%"},
	})
}
