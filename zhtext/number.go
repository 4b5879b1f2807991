package zhtext

import (
	"math"
	"strings"
	"unicode/utf8"
)

// This file reads numbers as people type them: Arabic digits with
// thousands separators and a decimal point, Chinese numerals (三千五百,
// 两万, 壹仟), the two mixed (3万5, 3.5万, 1.2k), and for money the yuan,
// jiao and fen markers (三块五, 5毛). Values are exact decimals, never
// floats.

// dec is the exact non-negative decimal m×10^e.
type dec struct {
	m int64
	e int
}

func (d dec) isZero() bool { return d.m == 0 }

// norm strips trailing zeros from m, so m stays small and e says how many
// decimal places the value really has.
func (d dec) norm() dec {
	if d.m == 0 {
		return dec{}
	}
	for d.m%10 == 0 {
		d.m /= 10
		d.e++
	}
	return d
}

// shift multiplies d by 10^p.
func (d dec) shift(p int) dec {
	if d.m == 0 {
		return dec{}
	}
	d.e += p
	return d
}

// digits is how many digits d has before the decimal point (≤ 0 when
// d < 1).
func (d dec) digits() int {
	n := 0
	for m := d.m; m > 0; m /= 10 {
		n++
	}
	return n + d.e
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// mulPow10 returns m×10^p, or false when that overflows int64.
func mulPow10(m int64, p int) (int64, bool) {
	if m == 0 {
		return 0, true
	}
	if p >= len(pow10) || m > math.MaxInt64/pow10[p] {
		return 0, false
	}
	return m * pow10[p], true
}

// add returns a+b, or false when the digits do not fit in an int64.
func add(a, b dec) (dec, bool) {
	a, b = a.norm(), b.norm()
	if a.m == 0 {
		return b, true
	}
	if b.m == 0 {
		return a, true
	}
	if a.e < b.e {
		a, b = b, a
	}
	am, ok := mulPow10(a.m, a.e-b.e)
	if !ok || am > math.MaxInt64-b.m {
		return dec{}, false
	}
	return dec{am + b.m, b.e}.norm(), true
}

// scaled returns d×10^p as an integer: ok is false when that is not a
// whole number, big is true when it overflows int64.
func (d dec) scaled(p int) (v int64, ok, big bool) {
	d = d.norm()
	if d.m == 0 {
		return 0, true, false
	}
	if d.e+p < 0 {
		return 0, false, false
	}
	v, fits := mulPow10(d.m, d.e+p)
	if !fits {
		return 0, true, true
	}
	return v, true, false
}

// roundInt rounds d half up to an integer, or reports false when it does
// not fit an int.
func (d dec) roundInt() (int, bool) {
	d = d.norm()
	if d.e >= 0 {
		v, ok := mulPow10(d.m, d.e)
		if !ok || v > math.MaxInt32 {
			return 0, false
		}
		return int(v), true
	}
	if -d.e >= len(pow10) {
		return 0, true
	}
	p := pow10[-d.e]
	q, r := d.m/p, d.m%p
	if 2*r >= p {
		q++
	}
	if q > math.MaxInt32 {
		return 0, false
	}
	return int(q), true
}

type tokKind uint8

const (
	tkNum  tokKind = iota + 1 // a number: 35000, 3.5, 三, 三点五
	tkZero                    // 零 or 〇: zero, or the placeholder in 一百零五
	tkUnit                    // 十 百 千 万 亿 k w: times 10^exp
	tkYuan                    // 元 块
	tkJiao                    // 角 毛: a tenth of a yuan
	tkFen                     // 分: a hundredth of a yuan
)

type token struct {
	kind tokKind
	v    dec
	// single is a lone digit with no point. After a unit it stands for
	// the next lower unit, as people say it: 3万5 is 35000, 三千五 3500.
	single bool
	exp    int
}

// numOpts says which tokens a kind of number may use.
type numOpts struct {
	money   bool // 元 块 角 毛 分 and "yuan"
	letters bool // k, w, thousand, million after a number
}

// chineseDigits maps Chinese numerals, everyday and financial, to their
// values. Traditional forms are not listed: callers simplify first.
var chineseDigits = map[rune]int64{
	'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
	'两': 2, '俩': 2, '幺': 1,
	'壹': 1, '贰': 2, '叁': 3, '参': 3, '肆': 4, '伍': 5, '陆': 6, '柒': 7, '捌': 8, '玖': 9,
	'弍': 2, '貮': 2,
}

var chineseUnits = map[rune]int{
	'十': 1, '拾': 1, '百': 2, '佰': 2, '千': 3, '仟': 3, '万': 4, '亿': 8,
}

func isZeroRune(r rune) bool { return r == '零' || r == '〇' }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// startsNumber reports whether a number starts at s[i].
func startsNumber(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if isASCIIDigit(s[i]) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	_, digit := chineseDigits[r]
	return digit || isZeroRune(r) || r == '十' || r == '拾'
}

// numberAt reads the number that starts at s[i] and returns its tokens
// (appended to buf) and where it ends. It stops before the first thing
// that is not part of a number; white space is crossed only before a unit
// (8000 yuan, 3 万). err is ErrNotNumber or ErrTooLarge when the digits
// themselves are malformed (1.2.3) or too long.
func numberAt(s string, i int, o numOpts, buf []token) (toks []token, end int, err error) {
	toks = buf[:0]
	end = i
	sawYuan, sawJiao := false, false
	for j := i; j < len(s); {
		var prev tokKind
		if len(toks) > 0 {
			prev = toks[len(toks)-1].kind
		}
		t, n, err := lexToken(s, j, o, prev, sawYuan || sawJiao)
		if err != nil {
			return nil, j, err
		}
		if n == 0 && len(toks) > 0 {
			// White space, then a unit?
			k := j
			for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
				k++
			}
			if k > j && k < len(s) {
				if t2, n2, _ := lexToken(s, k, o, prev, sawYuan || sawJiao); n2 > 0 && t2.kind != tkNum && t2.kind != tkZero {
					t, n, j = t2, n2, k
				}
			}
		}
		if n == 0 {
			break
		}
		switch t.kind {
		case tkYuan:
			sawYuan = true
		case tkJiao:
			sawJiao = true
		}
		toks = append(toks, t)
		j += n
		end = j
	}
	return toks, end, nil
}

// lexToken reads one token at s[i]; n is 0 when none starts there. prev
// is the kind of the token before it in the same number (0 at the start);
// fenOK says 分 may follow (after 元 or 角).
func lexToken(s string, i int, o numOpts, prev tokKind, fenOK bool) (t token, n int, err error) {
	c := s[i]
	if isASCIIDigit(c) {
		return lexDigits(s, i)
	}
	if isASCIILetter(c) {
		if prev == 0 {
			return token{}, 0, nil
		}
		j := i
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		switch w := strings.ToLower(s[i:j]); {
		case o.letters && (w == "k" || w == "thousand"):
			return token{kind: tkUnit, exp: 3}, j - i, nil
		case o.letters && (w == "w" || w == "wan"):
			return token{kind: tkUnit, exp: 4}, j - i, nil
		case o.letters && w == "million":
			return token{kind: tkUnit, exp: 6}, j - i, nil
		case o.money && w == "yuan":
			return token{kind: tkYuan}, j - i, nil
		}
		return token{}, 0, nil
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if d, ok := chineseDigits[r]; ok {
		t := token{kind: tkNum, v: dec{m: d}, single: true}
		// 三点五: a decimal point in words.
		if frac, fn := chineseFraction(s, i+size); fn > 0 {
			t.v, t.single = dec{m: d}, false
			for _, f := range frac {
				t.v.m = t.v.m*10 + f
				t.v.e--
				if t.v.m > math.MaxInt64/10 {
					return token{}, 0, ErrNotNumber
				}
			}
			t.v = t.v.norm()
			return t, size + fn, nil
		}
		return t, size, nil
	}
	if isZeroRune(r) {
		return token{kind: tkZero}, size, nil
	}
	if p, ok := chineseUnits[r]; ok {
		return token{kind: tkUnit, exp: p}, size, nil
	}
	if o.money && prev != 0 {
		switch r {
		case '元', '块', '圆':
			return token{kind: tkYuan}, size, nil
		case '角', '毛':
			if prev == tkNum {
				return token{kind: tkJiao}, size, nil
			}
		case '分':
			if prev == tkNum && fenOK {
				return token{kind: tkFen}, size, nil
			}
		}
	}
	return token{}, 0, nil
}

// chineseFraction reads 点 and the digits after it (五, 零五, 25) at s[i].
func chineseFraction(s string, i int) (digits []int64, n int) {
	const point = "点"
	if !strings.HasPrefix(s[i:], point) {
		return nil, 0
	}
	j := i + len(point)
	for j < len(s) {
		if isASCIIDigit(s[j]) {
			digits = append(digits, int64(s[j]-'0'))
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if d, ok := chineseDigits[r]; ok && r != '两' && r != '俩' {
			digits = append(digits, d)
		} else if isZeroRune(r) {
			digits = append(digits, 0)
		} else {
			break
		}
		j += size
	}
	if len(digits) == 0 {
		return nil, 0
	}
	return digits, j - i
}

// lexDigits reads 35000, 30,000.50, 3.5 or 3点5 at s[i].
func lexDigits(s string, i int) (token, int, error) {
	var (
		intDigits, fracDigits []byte
		j                     = i
		comma                 = false
	)
	for j < len(s) && isASCIIDigit(s[j]) {
		intDigits = append(intDigits, s[j])
		j++
	}
	// Thousands separators: a comma and exactly three digits, repeated.
	for j+4 <= len(s) && s[j] == ',' &&
		isASCIIDigit(s[j+1]) && isASCIIDigit(s[j+2]) && isASCIIDigit(s[j+3]) &&
		(j+4 == len(s) || !isASCIIDigit(s[j+4])) {
		intDigits = append(intDigits, s[j+1:j+4]...)
		j += 4
		comma = true
	}
	pointAt := func(k int) int { // length of a decimal point at s[k] that has a digit after it
		switch {
		case k < len(s) && s[k] == '.' && k+1 < len(s) && isASCIIDigit(s[k+1]):
			return 1
		case strings.HasPrefix(s[k:], "点") && k+3 < len(s) && isASCIIDigit(s[k+3]):
			return 3
		}
		return 0
	}
	if p := pointAt(j); p > 0 {
		j += p
		for j < len(s) && isASCIIDigit(s[j]) {
			fracDigits = append(fracDigits, s[j])
			j++
		}
		if pointAt(j) > 0 {
			return token{}, 0, ErrNotNumber // 1.2.3
		}
	}
	single := len(intDigits) == 1 && fracDigits == nil && !comma

	intDigits = []byte(strings.TrimLeft(string(intDigits), "0"))
	fracDigits = []byte(strings.TrimRight(string(fracDigits), "0"))
	if len(intDigits) > 15 {
		return token{}, 0, ErrTooLarge
	}
	if len(intDigits)+len(fracDigits) > 18 {
		return token{}, 0, ErrNotNumber
	}
	var v dec
	for _, d := range intDigits {
		v.m = v.m*10 + int64(d-'0')
	}
	for _, d := range fracDigits {
		v.m = v.m*10 + int64(d-'0')
		v.e--
	}
	return token{kind: tkNum, v: v.norm(), single: single}, j - i, nil
}

// parseTokens evaluates the tokens of one number: digits and units in the
// Chinese way (三千五百, 3万5, 10万零500, 1亿2000万), then for money the
// jiao and fen after 元 (三块五, 3元5角2分, 5毛).
func parseTokens(toks []token) (dec, error) {
	var (
		total, section, cur dec
		curSet, curSingle   bool
		seen                bool // any number yet
		smallLimit          = 99 // the next 十/百/千 must be below this
		maxBig, minBig      int  // big units (万 亿 million) used so far
		lastUnit            int  // exponent of the unit just before cur
		zeroSinceUnit       bool // 零 between that unit and cur: no 3万5 reading
	)
	sum := func(a, b dec) (dec, error) {
		v, ok := add(a, b)
		if !ok {
			return dec{}, ErrTooLarge
		}
		return v, nil
	}
	// integer closes the Chinese-style part, applying 3万5 = 35000.
	integer := func() (dec, error) {
		if curSet && curSingle && lastUnit > 0 && !zeroSinceUnit {
			cur = cur.shift(lastUnit - 1)
		}
		v, err := sum(total, section)
		if err != nil {
			return dec{}, err
		}
		return sum(v, cur)
	}

	i := 0
	for ; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tkNum:
			if curSet {
				return dec{}, ErrNotNumber // 三五, 3 5
			}
			cur, curSet, curSingle, seen = t.v, true, t.single, true
		case tkZero:
			if curSet {
				return dec{}, ErrNotNumber
			}
			seen = true
			zeroSinceUnit = true
		case tkUnit:
			if !curSet {
				switch {
				case t.exp == 1 && (!seen || zeroSinceUnit):
					cur, curSet, seen = dec{m: 1}, true, true // 十五, 一千零十
				case t.exp >= 4 && !section.isZero(): // 三千万
				case t.exp > maxBig && maxBig > 0 && section.isZero(): // 万亿
				default:
					return dec{}, ErrNotNumber
				}
			}
			if t.exp < 4 {
				if t.exp >= smallLimit {
					return dec{}, ErrNotNumber // 五百三千
				}
				v, err := sum(section, cur.shift(t.exp))
				if err != nil {
					return dec{}, err
				}
				section, smallLimit = v, t.exp
			} else {
				v, err := sum(section, cur)
				if err != nil {
					return dec{}, err
				}
				switch {
				case t.exp > maxBig: // 万亿, 3千万: multiplies all before it
					if total, err = sum(total, v); err != nil {
						return dec{}, err
					}
					total = total.shift(t.exp)
					maxBig, minBig = t.exp, t.exp
				case t.exp < minBig: // the 2000万 of 1亿2000万
					if total, err = sum(total, v.shift(t.exp)); err != nil {
						return dec{}, err
					}
					minBig = t.exp
				default:
					return dec{}, ErrNotNumber // 3万5万
				}
				section, smallLimit = dec{}, t.exp
			}
			if total.digits() > 20 || section.digits() > 20 {
				return dec{}, ErrTooLarge
			}
			cur, curSet, curSingle = dec{}, false, false
			lastUnit, zeroSinceUnit = t.exp, false
		case tkYuan, tkJiao:
			goto money
		default:
			return dec{}, ErrNotNumber
		}
	}
	if !seen {
		return dec{}, ErrNotNumber
	}
	return integer()

money:
	// 元 [d [角]] [d [分]], or d 角 [d [分]] with no yuan at all.
	yuan := dec{}
	if toks[i].kind == tkYuan {
		if !seen {
			return dec{}, ErrNotNumber
		}
		v, err := integer()
		if err != nil {
			return dec{}, err
		}
		yuan = v
		i++
	} else if !curSet || !curSingle || !total.isZero() || !section.isZero() {
		return dec{}, ErrNotNumber // 3万5毛
	} else {
		cur, curSet = dec{}, false
		i-- // re-read the digit before 角
	}
	exp := -1 // where the next bare digit goes: jiao, then fen
	var pending *token
	flush := func() error {
		if pending == nil {
			return nil
		}
		if exp < -2 {
			return ErrNotNumber
		}
		v, err := sum(yuan, pending.v.shift(exp))
		if err != nil {
			return err
		}
		yuan, pending = v, nil
		exp--
		return nil
	}
	for ; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tkNum:
			if pending != nil || !t.single {
				return dec{}, ErrNotNumber
			}
			pending = &toks[i]
		case tkZero:
			if pending != nil {
				return dec{}, ErrNotNumber
			}
			if exp == -1 {
				exp = -2 // 三块零五分
			}
		case tkJiao:
			if pending == nil || exp != -1 {
				return dec{}, ErrNotNumber
			}
			if err := flush(); err != nil {
				return dec{}, err
			}
		case tkFen:
			if pending == nil {
				return dec{}, ErrNotNumber
			}
			exp = -2
			if err := flush(); err != nil {
				return dec{}, err
			}
		default:
			return dec{}, ErrNotNumber // a second 元, or a unit after it
		}
	}
	if err := flush(); err != nil {
		return dec{}, err
	}
	return yuan, nil
}

// parseInt reads a whole number written in digits or Chinese numerals
// (20, 二十, 十二) that fills all of s.
func parseInt(s string) (int, bool) {
	var buf [8]token
	toks, end, err := numberAt(s, 0, numOpts{}, buf[:])
	if err != nil || end != len(s) || len(toks) == 0 {
		return 0, false
	}
	v, err := parseTokens(toks)
	if err != nil {
		return 0, false
	}
	n, whole, big := v.scaled(0)
	if !whole || big || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}
