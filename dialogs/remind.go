package dialogs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/remind"
	"loanbot/zhtext"
)

// Remind is the /remind flow: which loan, how much, when it is due, how
// early and at what time; then a confirmation that shows the next three
var (
	_ = Declare(Command{Name: "/remind", Desc: "cmd.remind", Menu: GroupMine, Order: 50, Personal: true, Flow: Remind, Prefill: remindPrefill})
	_ = Declare(Command{Name: "/reminders", Desc: "cmd.reminders", Menu: GroupMine, Order: 60, Personal: true, Run: listReminders})
	_ = DeclareAction(Action{Prefix: remind.ActionPrefix, Run: reminderAction})
)

// notices. Started from a plan, the loan and amount come prefilled.
var Remind = &Flow{
	Name: "remind", Version: 1, Initial: "lender",
	Events: chain("lender", "amount", "schedule", "offsets", "time", "confirm"),
	Steps: map[string]*Step{
		"lender": {Prompt: "remind.lender", Slot: "lender", Choices: lenderChoices[:5], Parse: parseLender},
		"amount": {Prompt: "remind.amount.prompt", Slot: "amount", Optional: true, Numeric: true, Example: "remind.amount.example",
			Parse: amountIn(1, maxOwedFen, "prep.owed.range")},
		"schedule": {Prompt: "remind.schedule", Slot: "schedule", Example: "remind.schedule.example", Parse: parseSchedule},
		"offsets": {Prompt: "remind.offsets", Slot: "offsets", Example: "remind.offsets.example", Parse: parseOffsets, Choices: []Choice{
			{Value: "0", Label: "remind.offsets.0", Aliases: []string{"当天", "当日", "on the day", "same day"}},
			{Value: "1", Label: "remind.offsets.1", Aliases: []string{"提前一天", "前一天", "1 day before"}},
			{Value: "3", Label: "remind.offsets.3", Aliases: []string{"提前三天", "3 days before"}},
			{Value: "0,1", Label: "remind.offsets.01"},
			{Value: "0,1,3", Label: "remind.offsets.013", Aliases: []string{"都要", "全部", "all"}},
		}},
		"time": {Prompt: "remind.time", Slot: "time", Example: "remind.time.example", Parse: parseTimeOfDay, Choices: []Choice{
			{Value: "09:00", Label: "time.0900"}, {Value: "12:00", Label: "time.1200"}, {Value: "20:00", Label: "time.2000"},
		}},
		"confirm": {Prompt: "remind.confirm", Args: confirmArgs, Choices: []Choice{
			{Value: "ok", Label: "remind.confirm.ok", Aliases: []string{"确认", "确定", "好", "对", "ok", "yes", "confirm"}},
		}},
	},
	Finish: finishRemind,
}

// parseSchedule reads "每月31号", "12月20日", "下个月5号" into "m:<day>" or
// "d:<YYYY-MM-DD>".
func parseSchedule(c *Context, s string) (string, error) {
	d, err := zhtext.ParseDate(s, c.Now.In(c.location()))
	if err != nil {
		return "", Invalid("input.not_date")
	}
	if d.Monthly {
		return "m:" + strconv.Itoa(d.Day), nil
	}
	if d.Date.Before(dayStart(c.Now.In(c.location()))) {
		return "", Invalid("remind.schedule.past")
	}
	return "d:" + d.Date.Format(time.DateOnly), nil
}

func dayStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// parseOffsets reads one or several of "当天", "提前1天", "提前3天" (or
// plain numbers of days), separated by commas or "和"/"and".
func parseOffsets(c *Context, s string) (string, error) {
	t := zhtext.Normalize(s)
	for _, sep := range []string{"、", "，", "和", "及", " and ", "&", "+", ";", "；"} {
		t = strings.ReplaceAll(t, sep, ",")
	}
	set := map[int]bool{}
	for _, part := range strings.Split(t, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		switch part {
		case "当天", "当日", "on the day", "same day", "the day", "0":
			set[0] = true
			continue
		}
		p := strings.NewReplacer("提前", "", "before", "", "early", "", "ahead", "").Replace(part)
		d, err := zhtext.ParseDuration(strings.TrimSpace(p))
		if err != nil || d < 0 || d > 30 {
			return "", Invalid("flow.invalid")
		}
		set[d] = true
	}
	if len(set) == 0 {
		return "", Invalid("flow.invalid")
	}
	var ds []int
	for d := range set {
		ds = append(ds, d)
	}
	sort.Ints(ds)
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ","), nil
}

// parseTimeOfDay reads a time of day outside quiet hours into "HH:MM".
func parseTimeOfDay(c *Context, s string) (string, error) {
	h, m, err := zhtext.ParseClock(s)
	if err != nil {
		return "", Invalid("flow.invalid")
	}
	if h < 8 || h >= 22 {
		return "", Invalid("remind.time.quiet")
	}
	return fmt.Sprintf("%02d:%02d", h, m), nil
}

// location is the user's zone: the default of the reminder service.
func (c *Context) location() *time.Location {
	tz := "Asia/Shanghai"
	if c.Reminders != nil {
		tz = c.Reminders.DefaultTZ()
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// reminderFrom builds a reminder from the flow's slots.
func reminderFrom(c *Context) *remind.Reminder {
	r := &remind.Reminder{ID: c.Slot("edit_id"), Lender: c.Slot("lender"), AmountFen: atoi64(c.Slot("amount"))}
	sc := c.Slot("schedule")
	if day, ok := strings.CutPrefix(sc, "m:"); ok {
		r.Schedule.Monthly = true
		r.Schedule.Day, _ = strconv.Atoi(day)
	} else {
		r.Schedule.Date = strings.TrimPrefix(sc, "d:")
	}
	for _, o := range strings.Split(c.Slot("offsets"), ",") {
		if d, err := strconv.Atoi(o); err == nil {
			r.Schedule.Offsets = append(r.Schedule.Offsets, d)
		}
	}
	fmt.Sscanf(c.Slot("time"), "%d:%d", &r.Schedule.Hour, &r.Schedule.Minute)
	r.Schedule.TZ = c.location().String()
	return r
}

func confirmArgs(c *Context) []any {
	r := reminderFrom(c)
	var next []string
	for _, n := range r.Schedule.NoticesAfter(c.Now, 3, "") {
		next = append(next, "· "+whenText(c.Lang, n.At.In(c.location())))
	}
	if len(next) == 0 {
		next = []string{c.T("remind.none_left")}
	}
	return []any{
		"lender", i18n.Lender(c.Lang, r.Lender), "amount", amountSuffix(c.Lang, r.AmountFen),
		"schedule", scheduleText(c.Lang, r.Schedule), "offsets", offsetsText(c.Lang, r.Schedule.Offsets),
		"time", fmt.Sprintf("%02d:%02d", r.Schedule.Hour, r.Schedule.Minute), "next", strings.Join(next, "\n"),
	}
}

func finishRemind(c *Context) []msg.Reply {
	r := reminderFrom(c)
	if len(r.Schedule.NoticesAfter(c.Now, 1, "")) == 0 {
		c.Sess.State = "schedule" // keep the flow: ask for the date again
		return []msg.Reply{{Text: c.T("remind.none_left")}}
	}
	if c.Reminders == nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	svc, user, now := c.Reminders, c.User, c.Now
	c.After(func(ctx context.Context) error { return svc.Save(ctx, user, r, now) })
	return []msg.Reply{{Text: c.T("remind.saved"), Buttons: [][]msg.Button{{{Label: c.T("menu.reminders"), Payload: msg.Cmd("/reminders")}}}}}
}

// remindPrefill reads /remind's argument: "plan" prefills the loan and the
// plan's monthly amount; a date (from a call log) prefills the schedule.
func remindPrefill(c *Context, arg string) map[string]string {
	pre := map[string]string{}
	switch {
	case arg == "plan" && c.Docs != nil:
		var p Plan
		if found, _ := c.Docs.GetDoc(c.Ctx, c.User, planDoc, &p); found {
			pre["lender"] = p.Lender
			if p.MonthlyFen > 0 {
				pre["amount"] = strconv.FormatInt(p.MonthlyFen, 10)
			}
		}
	case arg != "":
		if v, err := parseSchedule(c, arg); err == nil {
			pre["schedule"] = v
		}
	}
	return pre
}

// Reminders is the reminder service as the flows see it (*remind.Service).
type Reminders interface {
	Save(ctx context.Context, user string, r *remind.Reminder, now time.Time) error
	Get(ctx context.Context, user, id string) (*remind.Reminder, error)
	List(ctx context.Context, user string) ([]*remind.Reminder, error)
	Paid(ctx context.Context, user, id, period string, now time.Time) (*remind.Reminder, error)
	Snooze(ctx context.Context, user, id string, now time.Time) (*remind.Reminder, error)
	SetPaused(ctx context.Context, user, id string, paused bool, now time.Time) (*remind.Reminder, error)
	Delete(ctx context.Context, user, id string) (bool, error)
	DefaultTZ() string
}

// listReminders is /reminders: each reminder with its next time and
// buttons to pause or resume, edit and delete it.
func listReminders(c *Context, arg string) []msg.Reply {
	if c.Reminders == nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	rs, err := c.Reminders.List(c.Ctx, c.User)
	if err != nil {
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	}
	newRow := []msg.Button{{Label: c.T("remind.btn.new"), Payload: msg.Cmd("/remind")}}
	if len(rs) == 0 {
		return []msg.Reply{{Text: c.T("remind.list.none"), Buttons: [][]msg.Button{newRow}}}
	}
	var b strings.Builder
	b.WriteString(c.T("remind.list"))
	var rows [][]msg.Button
	for i, r := range rs {
		n := strconv.Itoa(i + 1)
		state := c.T("remind.list.done")
		switch {
		case r.Paused:
			state = c.T("remind.list.paused")
		case r.Next != nil:
			state = c.T("remind.list.next", "at", whenText(c.Lang, r.Next.At.In(r.Schedule.Location())))
		}
		b.WriteString("\n" + n + ". " + strings.TrimPrefix(c.T("remind.list.item",
			"lender", i18n.Lender(c.Lang, r.Lender), "amount", amountSuffix(c.Lang, r.AmountFen),
			"schedule", scheduleText(c.Lang, r.Schedule),
			"time", fmt.Sprintf("%02d:%02d", r.Schedule.Hour, r.Schedule.Minute), "state", state), "· "))
		pause := msg.Button{Label: c.T("remind.btn.pause", "n", n), Payload: remind.Payload("pause", r.ID)}
		if r.Paused {
			pause = msg.Button{Label: c.T("remind.btn.resume", "n", n), Payload: remind.Payload("resume", r.ID)}
		}
		rows = append(rows, []msg.Button{pause,
			{Label: c.T("remind.btn.edit", "n", n), Payload: remind.Payload("edit", r.ID)},
			{Label: c.T("remind.btn.delete", "n", n), Payload: remind.Payload("del", r.ID)}})
	}
	return []msg.Reply{{Text: b.String(), Buttons: append(rows, newRow)}}
}

// reminderAction handles a reminder's buttons (remind.Payload: paid, snooze,
// pause, resume, edit, del, each with the reminder's id).
func reminderAction(c *Context, parts []string) []msg.Reply {
	if c.Reminders == nil || len(parts) < 2 {
		return []msg.Reply{{Text: c.T("remind.gone")}}
	}
	svc, action, id := c.Reminders, parts[0], parts[1]
	var rem *remind.Reminder
	var err error
	var text string
	switch action {
	case "paid":
		period := ""
		if len(parts) > 2 {
			period = parts[2]
		}
		rem, err = svc.Paid(c.Ctx, c.User, id, period, c.Now)
		text = c.T("remind.paid", "due", remind.DueText(c.Lang, period))
	case "snooze":
		rem, err = svc.Snooze(c.Ctx, c.User, id, c.Now)
		if rem != nil && rem.Next != nil {
			text = c.T("remind.snoozed", "at", whenText(c.Lang, rem.Next.At.In(rem.Schedule.Location())))
		}
	case "pause", "resume":
		rem, err = svc.SetPaused(c.Ctx, c.User, id, action == "pause", c.Now)
		text = c.T("remind." + map[string]string{"pause": "paused", "resume": "resumed"}[action])
	case "del":
		var ok bool
		if ok, err = svc.Delete(c.Ctx, c.User, id); ok {
			text = c.T("remind.deleted")
			rem = &remind.Reminder{}
		}
	case "edit":
		if rem, err = svc.Get(c.Ctx, c.User, id); err == nil && rem != nil {
			return c.Flows.Start(c, Remind.Name, slotsOf(rem))
		}
	}
	switch {
	case err != nil:
		return []msg.Reply{{Text: c.T("err.unavailable")}}
	case rem == nil:
		return []msg.Reply{{Text: c.T("remind.gone")}}
	}
	return []msg.Reply{{Text: text}}
}

// slotsOf prefills the flow to edit a reminder (every step is filled: the
// flow opens at its confirmation, and "back" reaches each answer).
func slotsOf(r *remind.Reminder) map[string]string {
	sc := "d:" + r.Schedule.Date
	if r.Schedule.Monthly {
		sc = "m:" + strconv.Itoa(r.Schedule.Day)
	}
	var offs []string
	for _, o := range r.Schedule.Offsets {
		offs = append(offs, strconv.Itoa(o))
	}
	s := map[string]string{"edit_id": r.ID, "lender": r.Lender, "schedule": sc, "offsets": strings.Join(offs, ","),
		"time": fmt.Sprintf("%02d:%02d", r.Schedule.Hour, r.Schedule.Minute)}
	if r.AmountFen > 0 {
		s["amount"] = strconv.FormatInt(r.AmountFen, 10)
	}
	return s
}

func amountSuffix(lang string, fen int64) string {
	if fen <= 0 {
		return ""
	}
	return " " + i18n.Yuan(lang, fen)
}

func scheduleText(lang string, s remind.Schedule) string {
	switch {
	case s.Monthly && s.Day == 31:
		return i18n.T(lang, "remind.schedule.monthly.last")
	case s.Monthly:
		return i18n.T(lang, "remind.schedule.monthly", "day", s.Day)
	}
	return i18n.T(lang, "remind.schedule.once", "date", remind.DueText(lang, s.Date))
}

func offsetsText(lang string, offs []int) string {
	var parts []string
	for _, o := range offs {
		if o == 0 {
			parts = append(parts, i18n.T(lang, "remind.offsets.0"))
		} else {
			parts = append(parts, i18n.T(lang, "unit.days_before", "n", o))
		}
	}
	return strings.Join(parts, i18n.T(lang, "list.sep"))
}

// whenText formats a moment for people, in its own zone.
func whenText(lang string, t time.Time) string {
	return i18n.DateTime(lang, t)
}
