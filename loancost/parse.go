package loancost

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"loanbot/zhtext"
)

// Parse reads one message about a loan and returns what it found, with
// what is still missing or wrong, so the bot asks only for the rest:
// "到手9000，每月还1000，还12期", "借一万到手9000 每期还1000 共12期",
// "借了5000，3个月后还6000", "日息万五", "月息2分", "received 9000, pay
// 1000 a month for 12 months", "daily rate 0.05%", in Simplified or
// Traditional Chinese or English, with Arabic digits (full-width too) or
// Chinese numerals. An empty Missing means Compute will accept the Input.
//
// It reads keywords, not grammar: each number takes its meaning from its
// unit (期, 个月, 天, %) or from the nearest keyword before it in the same
// clause (到手, 借, 每月还, 服务费, 还). Where the message leaves a choice,
// Parse takes the common reading: 12个月 is the number of instalments when
// there is an instalment and the term otherwise; 2分 with no period is
// 月息; 万五 with no period is 日息; "12期一共还12000" is 12 equal
// instalments. It never panics.
func Parse(text string) (Input, []Missing) {
	t := numeralWords.Replace(zhtext.Normalize(text))
	var p parser
	for _, c := range clauses(t) {
		p.clause(c)
	}
	return p.finish()
}

// numeralWords are words with a numeral in them that are not numbers (as
// in zhtext), and the 每一期 forms, which are 每期.
var numeralWords = strings.NewReplacer(
	"一共", " ", "一次性", " ", "一次", " ", "一下", " ", "一些", " ", "一直", " ",
	"一般", " ", "一定", " ", "一起", " ", "一样", " ", "万一", " ", "唯一", " ",
	"统一", " ", "十分", " ", "千万", " ",
	"每一期", "每期", "每一个月", "每个月", "每一月", "每月",
)

// clauses splits t at punctuation, but not at the comma of 8,000 or the
// point of 0.05: a keyword speaks only for the numbers in its clause.
func clauses(t string) []string {
	var out []string
	start := 0
	for i, r := range t {
		switch r {
		case ',':
			if thousands(t, i) {
				continue
			}
		case '.':
			if i+1 < len(t) && isDigit(t[i+1]) {
				continue
			}
		case ';', '!', '?', '。', '、', '\n', '；', '，':
		default:
			continue
		}
		out = append(out, t[start:i])
		start = i + utf8.RuneLen(r)
	}
	return append(out, t[start:])
}

// role is what a sum of money is in the loan.
type role int

const (
	roleNone role = iota
	roleReceived
	rolePrincipal
	roleFees
	roleInstalment
	roleTotal
)

// keywords before a sum give its role; the one ending nearest the sum
// wins, the longer on a tie. Traditional input arrives Simplified.
var keywords = []struct {
	word string
	role role
}{
	{"到手", roleReceived}, {"到账", roleReceived}, {"实到", roleReceived}, {"拿到", roleReceived},
	{"收到", roleReceived}, {"放款", roleReceived}, {"下款", roleReceived}, {"到卡", roleReceived},
	{"打款", roleReceived}, {"实收", roleReceived}, {"received", roleReceived},
	{"receive", roleReceived}, {"got", roleReceived}, {"in hand", roleReceived},
	{"借", rolePrincipal}, {"贷", rolePrincipal}, {"合同", rolePrincipal}, {"本金", rolePrincipal},
	{"额度", rolePrincipal}, {"欠条", rolePrincipal}, {"borrow", rolePrincipal},
	{"loan", rolePrincipal}, {"principal", rolePrincipal}, {"contract", rolePrincipal},
	{"砍头", roleFees}, {"服务费", roleFees}, {"手续费", roleFees}, {"扣", roleFees},
	{"费", roleFees}, {"fee", roleFees}, {"deduct", roleFees}, {"upfront", roleFees},
	{"每月", roleInstalment}, {"每期", roleInstalment}, {"每个月", roleInstalment},
	{"月供", roleInstalment}, {"月付", roleInstalment}, {"每次", roleInstalment},
	{"monthly", roleInstalment}, {"per month", roleInstalment}, {"a month", roleInstalment},
	{"each month", roleInstalment}, {"every month", roleInstalment},
	{"instalment", roleInstalment}, {"installment", roleInstalment},
	{"payments of", roleInstalment},
	{"还", roleTotal}, {"总", roleTotal}, {"共", roleTotal}, {"合计", roleTotal},
	{"到期", roleTotal}, {"repay", roleTotal}, {"pay", roleTotal}, {"total", roleTotal},
}

// afterWords right after a sum (past 元, 块, 的) give its role when no
// keyword before did: "9000到手", "1000服务费", "1000 a month". An
// instalment marker also overrides a bare 还/pay before: "pay 1000 a month".
var afterWords = []struct {
	word string
	role role
}{
	{"/月", roleInstalment}, {"/期", roleInstalment}, {"一期", roleInstalment},
	{"一个月", roleInstalment}, {"每月", roleInstalment}, {"/month", roleInstalment},
	{"/mo", roleInstalment}, {"a month", roleInstalment}, {"per month", roleInstalment},
	{"monthly", roleInstalment}, {"each month", roleInstalment}, {"every month", roleInstalment},
	{"到手", roleReceived}, {"到账", roleReceived}, {"in hand", roleReceived},
	{"服务费", roleFees}, {"手续费", roleFees}, {"砍头息", roleFees}, {"fee", roleFees},
	{"借款", rolePrincipal}, {"本金", rolePrincipal}, {"loan", rolePrincipal},
}

// unit is what a number with a time unit after it counts.
type unit int

const (
	unitNone unit = iota
	unitCount
	unitMonths
	unitDays
	unitWeeks
	unitYears
)

// units follow a number, past spaces, 个 and 多; longer words first where
// one starts another. English words must end at a word boundary.
var units = []struct {
	word string
	unit unit
}{
	{"期", unitCount}, {"monthly payments", unitCount}, {"monthly instalments", unitCount},
	{"monthly installments", unitCount}, {"monthly repayments", unitCount},
	{"instalments", unitCount}, {"installments", unitCount}, {"repayments", unitCount},
	{"payments", unitCount}, {"instalment", unitCount}, {"installment", unitCount},
	{"payment", unitCount},
	{"月", unitMonths}, {"months", unitMonths}, {"month", unitMonths}, {"mos", unitMonths}, {"mo", unitMonths},
	{"天", unitDays}, {"日", unitDays}, {"days", unitDays}, {"day", unitDays},
	{"周", unitWeeks}, {"星期", unitWeeks}, {"礼拜", unitWeeks}, {"weeks", unitWeeks}, {"week", unitWeeks},
	{"年", unitYears}, {"years", unitYears}, {"year", unitYears}, {"yrs", unitYears}, {"yr", unitYears},
}

// parser collects what the clauses of one message say. The first value
// found for a field counts.
type parser struct {
	in      Input
	seen    map[Field]bool // a value was given, maybe zero
	zero    map[Field]bool // given as zero
	months  int            // the first number of months, for Count or TermMonths
	split   bool           // 分12个月: the months are instalments
	rateSet bool
}

func (p *parser) clause(c string) {
	c = p.rates(c)
	spans := numbers(c)
	prev := 0
	for i, s := range spans {
		next := len(c)
		if i+1 < len(spans) {
			next = spans[i+1].start
		}
		p.number(c[s.start:s.end], c[prev:s.start], c[s.end:next])
		prev = s.end
	}
}

type span struct{ start, end int }

// numbers finds the runs of digits and Chinese numerals in c: "9000",
// "8,000", "1.2k", "3万5", "一万二", "十二".
func numbers(c string) []span {
	var out []span
	for i := 0; i < len(c); {
		r, n := utf8.DecodeRuneInString(c[i:])
		if !isDigit(c[i]) && !isNumeral(r) {
			i += n
			continue
		}
		j := i
		for j < len(c) {
			r, n := utf8.DecodeRuneInString(c[j:])
			switch {
			case isDigit(c[j]), isNumeral(r):
				j += n
			case c[j] == '.' && j > i && isDigit(c[j-1]) && j+1 < len(c) && isDigit(c[j+1]),
				c[j] == ',' && thousands(c, j):
				j++
			default:
				goto end
			}
		}
	end:
		if j < len(c) && (c[j] == 'k' || c[j] == 'w') && isDigit(c[j-1]) && (j+1 == len(c) || !isLetter(c[j+1])) {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// number reads one number with the text between it and its neighbours.
func (p *parser) number(num, before, after string) {
	b := strings.TrimRight(before, " ")
	if strings.HasSuffix(b, "第") {
		return // 第1期: which one, not how many
	}
	neg := strings.HasSuffix(b, "-") || strings.HasSuffix(b, "负") || strings.HasSuffix(b, "−")
	fen, err := zhtext.ParseAmount(num)
	if u, n := unitAt(after, before); u != unitNone {
		p.split = p.split || u == unitMonths && strings.Contains(before, "分") // 分12个月
		p.duration(u, num, after[:n], fen, err, neg)
		return
	}
	r := roleOf(before, after)
	if r == roleNone && !p.seen[FieldReceived] && !p.seen[FieldPrincipal] {
		r = rolePrincipal // a bare first sum is what was borrowed
	}
	f, dst := p.field(r)
	if dst == nil || p.seen[f] {
		return
	}
	switch {
	case errors.Is(err, zhtext.ErrTooLarge):
		*dst = maxFen + 1
	case err != nil:
		return
	case fen == 0:
		p.zero[f] = true
	case neg:
		*dst = -fen
	default:
		*dst = fen
	}
	p.seen[f] = true
}

func (p *parser) field(r role) (Field, *int64) {
	if p.seen == nil {
		p.seen, p.zero = map[Field]bool{}, map[Field]bool{}
	}
	switch r {
	case roleReceived:
		return FieldReceived, &p.in.Received
	case rolePrincipal:
		return FieldPrincipal, &p.in.Principal
	case roleFees:
		return FieldFees, &p.in.Fees
	case roleInstalment:
		return FieldInstalment, &p.in.Instalment
	case roleTotal:
		return FieldTotal, &p.in.Total
	}
	return 0, nil
}

// duration records a count of instalments or a length of time. Whole
// numbers are counted directly; a fraction (1.5年) goes through
// zhtext.ParseDuration and becomes a term in days.
func (p *parser) duration(u unit, num, unitText string, fen int64, err error, neg bool) {
	p.field(roleNone) // make the maps
	field := FieldTerm
	if u == unitCount {
		field = FieldCount
	}
	if p.seen[field] {
		return
	}
	v, whole := fen/100, err == nil && fen%100 == 0
	switch {
	case errors.Is(err, zhtext.ErrTooLarge) || whole && v > 1e6:
		v, whole = 1e6, true // out of range, whatever it was
	case err != nil:
		return
	case !whole && u != unitCount:
		if days, err := zhtext.ParseDuration(num + unitText); err == nil {
			p.in.TermDays, p.seen[FieldTerm] = days, true
		}
		return
	case !whole:
		return
	case v == 0:
		p.zero[field] = true
		return
	case neg:
		v = -v
	}
	switch u {
	case unitCount:
		p.in.Count = int(v)
	case unitMonths:
		p.months = int(v)
	case unitYears:
		p.months = int(v) * 12
	case unitWeeks:
		p.in.TermDays = int(v) * 7
	case unitDays:
		p.in.TermDays = int(v)
	}
	p.seen[field] = true
}

// unitAt returns the time unit at the start of after and its length.
// A bare 月 or 日 after a number is more often a date (3月5日) than a
// length, so it counts only as 个月, 月后, or 日 with no 月 before it.
func unitAt(after, before string) (unit, int) {
	i := 0
	skip := func(w string) bool {
		for i < len(after) && after[i] == ' ' {
			i++
		}
		if strings.HasPrefix(after[i:], w) {
			i += len(w)
			return true
		}
		return false
	}
	skip("多")
	skip("-")
	ge := skip("个")
	s := after[i:]
	for _, u := range units {
		if !strings.HasPrefix(s, u.word) {
			continue
		}
		n := len(u.word)
		if isLetter(u.word[0]) && n < len(s) && isLetter(s[n]) {
			continue
		}
		switch u.word {
		case "月":
			if !ge && !strings.HasPrefix(s[n:], "后") {
				return unitNone, 0
			}
		case "日":
			if strings.Contains(before, "月") || strings.Contains(before, "号") {
				return unitNone, 0
			}
		}
		return u.unit, i + n
	}
	return unitNone, 0
}

// roleOf gives the role of a sum from the clause around it.
func roleOf(before, after string) role {
	best, end, size := roleNone, -1, 0
	monthly := false
	for _, k := range keywords {
		i := strings.LastIndex(before, k.word)
		if i < 0 {
			continue
		}
		if k.role == roleInstalment {
			monthly = true
		}
		if e := i + len(k.word); e > end || e == end && len(k.word) > size {
			best, end, size = k.role, e, len(k.word)
		}
	}
	if best == roleTotal && monthly { // 每月还款1000: 还款 is nearer, 每月 decides
		best = roleInstalment
	}
	a := strings.TrimLeft(after, " ")
	for _, w := range []string{"块钱", "元", "块", "yuan", "rmb", "的", " "} {
		a = strings.TrimPrefix(a, w)
	}
	a = strings.TrimLeft(a, " ")
	for _, w := range afterWords {
		if !strings.HasPrefix(a, w.word) {
			continue
		}
		if best == roleNone || best == roleTotal && w.role == roleInstalment {
			best = w.role
		}
		break
	}
	return best
}

// finish settles what depended on the whole message and lists what is
// missing.
func (p *parser) finish() (Input, []Missing) {
	p.field(roleNone)
	in := p.in
	if p.months != 0 {
		switch {
		case in.Count == 0 && (in.Instalment != 0 || p.split):
			in.Count = p.months
		case in.Count == 0:
			in.TermMonths = p.months
		}
	}
	switch {
	case in.Instalment > 0 && in.Count == 0 && in.Total > 0 && in.Total%in.Instalment == 0:
		in.Count = int(min(in.Total/in.Instalment, 1e6))
	case in.Instalment == 0 && in.Count > 0 && in.Total > 0 && in.Total%int64(in.Count) == 0:
		in.Instalment = in.Total / int64(in.Count)
	}
	ms := check(in)
	// A field given as zero is asked for again as "more than zero", not
	// as if the user had said nothing.
	for _, f := range []Field{FieldReceived, FieldPrincipal, FieldInstalment, FieldCount, FieldTotal, FieldTerm} {
		if !p.zero[f] {
			continue
		}
		g := f
		if f == FieldPrincipal {
			g = FieldReceived
		}
		if i := slices.Index(ms, Missing{g, Absent}); i >= 0 {
			ms[i].Problem = NotPositive
			continue
		}
		if !slices.ContainsFunc(ms, func(m Missing) bool { return m.Field == g }) && f != FieldPrincipal {
			ms = append(ms, Missing{g, NotPositive})
			if i := slices.Index(ms, Missing{FieldRepayment, Absent}); i >= 0 {
				// The repayment was given, as zero: ask for it again, and
				// for what was received as Compute would.
				ms = slices.Delete(ms, i, i+1)
				if in.Received == 0 && in.Principal == 0 && !p.zero[FieldReceived] && !p.zero[FieldPrincipal] {
					ms = append(ms, Missing{FieldReceived, Absent})
				}
			}
		}
	}
	slices.SortStableFunc(ms, func(a, b Missing) int { return int(a.Field) - int(b.Field) })
	return in, ms
}

// The forms of a quoted rate. numRE is a number in digits or numerals.
const numRE = `([0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十]+(?:点[零〇一二三四五六七八九]+)?)`

var (
	fracRE = regexp.MustCompile(`(百|千|万)分之` + numRE)                             // 万分之五
	pctRE  = regexp.MustCompile(numRE + ` ?(%|‰|‱|percent)`)                     // 0.05%
	wanRE  = regexp.MustCompile(`万([0-9](?:\.[0-9]+)?|[一二两三四五六七八九])`)            // 万五, 万2.5
	fenRE  = regexp.MustCompile(numRE + ` ?(分|厘)(?: ?([0-9]|[一二三四五六七八九]) ?厘?)?`) // 2分, 1分5, 5厘
)

// periodWords say what a rate is per; the nearest before the rate wins,
// else the first after it.
var periodWords = []struct {
	word string
	per  Period
}{
	{"日息", PerDay}, {"日利", PerDay}, {"日费率", PerDay}, {"日化", PerDay}, {"日综合", PerDay},
	{"每天", PerDay}, {"每日", PerDay}, {"一天", PerDay}, {"daily", PerDay}, {"per day", PerDay},
	{"a day", PerDay}, {"/day", PerDay}, {"/天", PerDay}, {"/日", PerDay},
	{"月息", PerMonth}, {"月利", PerMonth}, {"月费率", PerMonth}, {"月化", PerMonth}, {"月综合", PerMonth},
	{"每月", PerMonth}, {"每个月", PerMonth}, {"monthly", PerMonth}, {"per month", PerMonth},
	{"a month", PerMonth}, {"/month", PerMonth}, {"/月", PerMonth},
	{"年息", PerYear}, {"年利", PerYear}, {"年化", PerYear}, {"年费率", PerYear}, {"年综合", PerYear},
	{"每年", PerYear}, {"annual", PerYear}, {"yearly", PerYear}, {"per year", PerYear},
	{"a year", PerYear}, {"apr", PerYear}, {"p.a", PerYear}, {"/year", PerYear}, {"/年", PerYear},
}

// rates finds a quoted rate in c, records the first, and returns c with
// every rate blanked so its digits are not read as money.
func (p *parser) rates(c string) string {
	blank := func(lo, hi int) { c = c[:lo] + strings.Repeat(" ", hi-lo) + c[hi:] }
	found := func(lo, hi int, per Period, v float64) {
		if !p.rateSet {
			p.in.Rate, p.rateSet = Rate{per, v}, true
		}
		blank(lo, hi)
	}
	for _, m := range fracRE.FindAllStringSubmatchIndex(c, -1) {
		if v, ok := numeral(c[m[4]:m[5]]); ok {
			scale := map[string]float64{"百": 100, "千": 1000, "万": 10000}[c[m[2]:m[3]]]
			fallback := Period(0)
			if scale == 10000 {
				fallback = PerDay // 万分之五, like 万五, is a daily rate
			}
			found(m[0], m[1], periodOf(c[:m[0]], c[m[1]:], fallback), v/scale)
		}
	}
	for _, m := range pctRE.FindAllStringSubmatchIndex(c, -1) {
		if v, ok := numeral(c[m[2]:m[3]]); ok {
			scale := map[string]float64{"%": 100, "‰": 1000, "‱": 10000}[strings.TrimSpace(c[m[4]:m[5]])]
			if scale == 0 {
				scale = 100 // percent
			}
			found(m[0], m[1], periodOf(c[:m[0]], c[m[1]:], 0), v/scale)
		}
	}
	for _, m := range wanRE.FindAllStringSubmatchIndex(c, -1) {
		// 3万5 and 万五千 are money.
		r, _ := utf8.DecodeLastRuneInString(c[:m[0]])
		q, _ := utf8.DecodeRuneInString(c[m[1]:])
		if r < utf8.RuneSelf && isDigit(byte(r)) || isNumeral(r) || isNumeral(q) || q >= '0' && q <= '9' ||
			strings.ContainsRune("元块", q) {
			continue
		}
		if v, ok := numeral(c[m[2]:m[3]]); ok {
			found(m[0], m[1], periodOf(c[:m[0]], c[m[1]:], PerDay), v/10000)
		}
	}
	for _, m := range fenRE.FindAllStringSubmatchIndex(c, -1) {
		before := c[:m[0]]
		if !strings.Contains(before, "息") && !strings.Contains(before, "利") && !strings.Contains(before, "费率") {
			continue // 10000分12期, 5分钱: not a rate
		}
		v, ok := numeral(c[m[2]:m[3]])
		if !ok {
			continue
		}
		if c[m[4]:m[5]] == "厘" {
			v /= 10
		} else if m[6] >= 0 {
			w, _ := numeral(c[m[6]:m[7]])
			v += w / 10
		}
		per := periodOf(before, c[m[1]:], PerMonth)
		// 1分 is a tenth of the yearly unit: 10 %/yr, 1 %/month, 0.1 %/day.
		unitOf := map[Period]float64{PerYear: 0.1, PerMonth: 0.01, PerDay: 0.001}
		found(m[0], m[1], per, v*unitOf[per])
	}
	return c
}

func periodOf(before, after string, fallback Period) Period {
	best, end := Period(0), -1
	for _, w := range periodWords {
		if i := strings.LastIndex(before, w.word); i >= 0 && i+len(w.word) > end {
			best, end = w.per, i+len(w.word)
		}
	}
	if best != 0 {
		return best
	}
	start := len(after)
	for _, w := range periodWords {
		if i := strings.Index(after, w.word); i >= 0 && i < start {
			best, start = w.per, i
		}
	}
	if best != 0 {
		return best
	}
	return fallback
}

// numeral reads a plain number, "0.05" or "五": strconv for digits, since
// zhtext.ParseAmount refuses a fraction of a fen and rates have them.
func numeral(s string) (float64, bool) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, true
	}
	fen, err := zhtext.ParseAmount(s)
	return float64(fen) / 100, err == nil
}

// thousands reports whether the comma at t[i] separates thousands, as in
// 8,000, rather than clauses, as in 5000,3个月后 typed with a half-width
// comma: a digit before it and exactly three after.
func thousands(t string, i int) bool {
	if i == 0 || !isDigit(t[i-1]) || i+4 > len(t) {
		return false
	}
	for _, c := range []byte(t[i+1 : i+4]) {
		if !isDigit(c) {
			return false
		}
	}
	return i+4 == len(t) || !isDigit(t[i+4])
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isNumeral reports a Chinese numeral zhtext.ParseAmount reads.
func isNumeral(r rune) bool {
	return r >= 0x3007 && strings.ContainsRune("零〇一二两俩三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟", r)
}
