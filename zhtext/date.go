package zhtext

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DateSpec is a date as a user gives it: one day, or a day of every month.
type DateSpec struct {
	Monthly bool      // "每月15号", "每个月15日", "monthly on 15", "15th of every month"
	Day     int       // day of month (1–31) when Monthly; 31 also means the last day
	Date    time.Time // when !Monthly: midnight of that date in now's Location
}

// LastDay is the Day of a monthly DateSpec for "the last day of the month"
// (每月最后一天, 每月底).
const LastDay = 31

const (
	numZh   = `([0-9]{1,2}|[零〇一二三四五六七八九十两]{1,4})`
	yearZh  = `([0-9]{2}|[0-9]{4}|[零〇一二三四五六七八九]{2}|[零〇一二三四五六七八九]{4})`
	ordinal = `(?:st|nd|rd|th)?`
	monthEn = `(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\.?`
)

// The forms ParseDate knows, Chinese ones matched with the spaces removed.
var (
	reMonthlyZh     = regexp.MustCompile(`^(?:每个?月|每月份)的?` + numZh + `[号日]?$`)
	reMonthlyLastZh = regexp.MustCompile(`^每个?月的?(?:最后一天|最后1天|月底|底|月末|末)$`)
	reMonthlyEn     = regexp.MustCompile(`^(?:monthly|every month|each month)(?: on)?(?: the)? ([0-9]{1,2})` + ordinal + `(?: day)?$`)
	reMonthlyEn2    = regexp.MustCompile(`^(?:on )?(?:the )?([0-9]{1,2})` + ordinal + `(?: day)?(?: of)? (?:every|each) month$|^(?:on )?(?:the )?([0-9]{1,2})` + ordinal + ` monthly$`)
	reMonthlyLastEn = regexp.MustCompile(`^(?:(?:monthly|every month|each month)(?: on)? the last day|(?:on )?(?:the )?last day of (?:every|each) month|(?:at the )?end of (?:every|each) month)$`)

	reYMDZh    = regexp.MustCompile(`^(?:` + yearZh + `年)?` + numZh + `月份?` + numZh + `[号日]?$`)
	reYMD      = regexp.MustCompile(`^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$`)
	reDMY      = regexp.MustCompile(`^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$`)
	reMD       = regexp.MustCompile(`^([0-9]{1,2})[-/.]([0-9]{1,2})$`)
	reRelMonth = regexp.MustCompile(`^(下下个?月|下个?月|这个?月|本月|当月)的?` + numZh + `[号日]?$`)
	reDayZh    = regexp.MustCompile(`^` + numZh + `[号日]$`)
	reWeekday  = regexp.MustCompile(`^(下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])$`)

	reMonthDayEn = regexp.MustCompile(`^` + monthEn + ` ([0-9]{1,2})` + ordinal + `(?:,? ([0-9]{4}))?$`)
	reDayMonthEn = regexp.MustCompile(`^(?:the )?([0-9]{1,2})` + ordinal + `(?: of)? ` + monthEn + `(?:,? ([0-9]{4}))?$`)
	reDayEn      = regexp.MustCompile(`^(?:on )?(?:the )?([0-9]{1,2})(?:st|nd|rd|th)$`)
)

var relativeDays = map[string]int{
	"今天": 0, "今日": 0, "today": 0,
	"明天": 1, "明日": 1, "tomorrow": 1,
	"后天": 2, "the day after tomorrow": 2, "day after tomorrow": 2,
	"大后天": 3,
}

// dateSuffixes are trailing words that do not change the date: 12月20日之前.
var dateSuffixes = []string{"之前", "以前", "前", "左右", "吧", "那天", "当天", "的时候", "。", ".", "!", "?"}

// ParseDate reads a due date: one day ("12月20日", "12/20", "2026-12-20",
// "2026年12月20日", "下个月5号", "本月25号", "明天", "后天", "20号",
// "周五", "Dec 20", "20 Dec 2026") or a day of every month ("每月15号",
// "每个月15日", "每月最后一天", "monthly on 15", "15th of every month").
// A date without a year is the next one on or after now's date; "20号" is
// the next 20th (this month's unless it has passed). Dates are midnight in
// now's Location.
//
// Errors, as a *ParseError: ErrEmpty; ErrNotDate for anything else,
// including days that do not exist (2月30日, 13月1日, day 0 or 32).
func ParseDate(s string, now time.Time) (DateSpec, error) {
	t := strings.Join(strings.Fields(prepare(s)), " ")
	if t == "" {
		return DateSpec{}, parseErr(ErrEmpty, s)
	}
	for trimmed := true; trimmed; {
		trimmed = false
		for _, suf := range dateSuffixes {
			if strings.HasSuffix(t, suf) && len(t) > len(suf) {
				t, trimmed = strings.TrimSpace(strings.TrimSuffix(t, suf)), true
			}
		}
	}
	t = strings.TrimPrefix(t, "on ")
	compact := strings.ReplaceAll(t, " ", "")
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())

	d, ok := parseDate(t, compact, today)
	if !ok {
		return DateSpec{}, parseErr(ErrNotDate, s)
	}
	return d, nil
}

func parseDate(t, c string, today time.Time) (DateSpec, bool) {
	monthly := func(day int, ok bool) (DateSpec, bool) {
		if !ok || day < 1 || day > 31 {
			return DateSpec{}, false
		}
		return DateSpec{Monthly: true, Day: day}, true
	}
	if m := reMonthlyZh.FindStringSubmatch(c); m != nil {
		return monthly(parseInt(m[1]))
	}
	if reMonthlyLastZh.MatchString(c) || reMonthlyLastEn.MatchString(t) {
		return DateSpec{Monthly: true, Day: LastDay}, true
	}
	if m := reMonthlyEn.FindStringSubmatch(t); m != nil {
		return monthly(parseInt(m[1]))
	}
	if m := reMonthlyEn2.FindStringSubmatch(t); m != nil {
		return monthly(parseInt(m[1] + m[2]))
	}

	if n, ok := relativeDays[t]; ok {
		return date(today.AddDate(0, 0, n)), true
	}
	if n, ok := relativeDays[c]; ok {
		return date(today.AddDate(0, 0, n)), true
	}
	if m := reYMDZh.FindStringSubmatch(c); m != nil {
		return yearMonthDay(today, m[1], m[2], m[3])
	}
	if m := reYMD.FindStringSubmatch(c); m != nil {
		return yearMonthDay(today, m[1], m[2], m[3])
	}
	if m := reDMY.FindStringSubmatch(c); m != nil {
		a, _ := strconv.Atoi(m[1])
		if a > 12 { // 20/12/2026
			return yearMonthDay(today, m[3], m[2], m[1])
		}
		return yearMonthDay(today, m[3], m[1], m[2])
	}
	if m := reMD.FindStringSubmatch(c); m != nil {
		a, _ := strconv.Atoi(m[1])
		if a > 12 {
			return yearMonthDay(today, "", m[2], m[1])
		}
		return yearMonthDay(today, "", m[1], m[2])
	}
	if m := reRelMonth.FindStringSubmatch(c); m != nil {
		day, ok := parseInt(m[2])
		if !ok {
			return DateSpec{}, false
		}
		months := 0
		switch {
		case strings.HasPrefix(m[1], "下下"):
			months = 2
		case strings.HasPrefix(m[1], "下"):
			months = 1
		}
		first := time.Date(today.Year(), today.Month()+time.Month(months), 1, 0, 0, 0, 0, today.Location())
		return exact(first.Year(), int(first.Month()), day, today.Location())
	}
	if m := reDayZh.FindStringSubmatch(c); m != nil {
		return nextDay(today, m[1])
	}
	if m := reDayEn.FindStringSubmatch(t); m != nil {
		return nextDay(today, m[1])
	}
	if m := reWeekday.FindStringSubmatch(c); m != nil {
		return weekday(today, m[1], m[2])
	}
	if m := reMonthDayEn.FindStringSubmatch(t); m != nil {
		return yearMonthDay(today, m[3], strconv.Itoa(englishMonth(m[1])), m[2])
	}
	if m := reDayMonthEn.FindStringSubmatch(t); m != nil {
		return yearMonthDay(today, m[3], strconv.Itoa(englishMonth(m[2])), m[1])
	}
	return DateSpec{}, false
}

func date(t time.Time) DateSpec { return DateSpec{Date: t} }

// exact returns the date y-m-d, or false when there is no such day.
func exact(y, m, d int, loc *time.Location) (DateSpec, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return DateSpec{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Day() != d || int(t.Month()) != m {
		return DateSpec{}, false // 2月30日
	}
	return date(t), true
}

// yearMonthDay builds a date from its parts as written; with no year, it
// is the next such day on or after today.
func yearMonthDay(today time.Time, year, month, day string) (DateSpec, bool) {
	m, ok1 := parseInt(month)
	d, ok2 := parseInt(day)
	if !ok1 || !ok2 || m < 1 || m > 12 || d < 1 || d > 31 {
		return DateSpec{}, false
	}
	if year != "" {
		y, ok := parseYear(year)
		if !ok {
			return DateSpec{}, false
		}
		return exact(y, m, d, today.Location())
	}
	// 2月29日 may be years away; no other day is more than one.
	for y := today.Year(); y <= today.Year()+8; y++ {
		if ds, ok := exact(y, m, d, today.Location()); ok && !ds.Date.Before(today) {
			return ds, true
		}
	}
	return DateSpec{}, false
}

// parseYear reads 2026, 26 or 二〇二六.
func parseYear(s string) (int, bool) {
	y := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			y = y*10 + int(r-'0')
		case isZeroRune(r):
			y *= 10
		default:
			d, ok := chineseDigits[r]
			if !ok {
				return 0, false
			}
			y = y*10 + int(d)
		}
	}
	if y < 100 {
		y += 2000
	}
	if y < 1900 || y > 2200 {
		return 0, false
	}
	return y, true
}

// nextDay is the next day-th of a month on or after today, skipping
// months too short to have it.
func nextDay(today time.Time, num string) (DateSpec, bool) {
	day, ok := parseInt(num)
	if !ok || day < 1 || day > 31 {
		return DateSpec{}, false
	}
	for i := 0; i < 3; i++ {
		first := time.Date(today.Year(), today.Month()+time.Month(i), 1, 0, 0, 0, 0, today.Location())
		if ds, ok := exact(first.Year(), int(first.Month()), day, today.Location()); ok && !ds.Date.Before(today) {
			return ds, true
		}
	}
	return DateSpec{}, false
}

// weekday handles 周五 (the next Friday on or after today), 这周五 (this
// week's, Monday to Sunday) and 下周五 (next week's).
func weekday(today time.Time, which, day string) (DateSpec, bool) {
	target, ok := weekdays[day]
	if !ok {
		return DateSpec{}, false
	}
	cur := (int(today.Weekday()) + 6) % 7 // Monday = 0
	switch {
	case which == "":
		return date(today.AddDate(0, 0, (target-cur+7)%7)), true
	case strings.HasPrefix(which, "下"):
		return date(today.AddDate(0, 0, target-cur+7)), true
	default:
		return date(today.AddDate(0, 0, target-cur)), true
	}
}

// weekdays numbers the days of the week from Monday = 0.
var weekdays = map[string]int{
	"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
	"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}

func englishMonth(name string) int {
	months := []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	for i, m := range months {
		if strings.HasPrefix(name, m) {
			return i + 1
		}
	}
	return 0
}
