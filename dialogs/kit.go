// Package dialogs owns the guided conversations (negotiation prep, reminders,
// call logs, language choice) and the small kit they share. A flow is data: a
// looplab/fsm events table, a step (prompt, buttons, validator) per state, and
// a version. The FSM is rebuilt from the stored state for every message, so no
// machine lives in memory between messages and any replica serves any user.
package dialogs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"loanbot/i18n"
	"loanbot/msg"
	"loanbot/store"
	"loanbot/zhtext"
)

// Done is the state every flow ends in; entering it calls Flow.Finish.
const Done = "done"

// Payload prefixes of the buttons the kit makes.
const (
	ChoicePrefix = "c:"
	NavBack      = "nav:back"
	NavSkip      = "nav:skip"
	NavCancel    = "nav:cancel"
)

// Slot names the kit itself keeps in the session.
const (
	slotReturn = "_ret" // the state to go back to after an edit from a summary
	// slotSkip lists slots an earlier answer filled ("owed,due"): their
	// questions are passed over once ("back" still reaches them).
	slotSkip = "_skip"
)

// Flow is one guided conversation.
type Flow struct {
	Name    string
	Version int
	Initial string
	Events  fsm.Events
	Steps   map[string]*Step
	// Finish runs on entering Done: it builds the flow's result.
	Finish func(c *Context) []msg.Reply
	// Migrate upgrades a session saved under an older version in place and
	// reports whether it could; when nil or false the flow restarts with an
	// apology.
	Migrate func(from int, s *store.Session) bool
}

// Step is one question of a flow.
type Step struct {
	Prompt  string // catalog key of the question
	Example string // catalog key of an example answer, shown on invalid input
	// Renders are the catalog keys the flow builds from this step's chosen
	// value, "%s" standing for it ("plan.reason.%s"): the registry checks
	// them for every choice, so a new choice without its texts fails at
	// start-up and in tests instead of showing a raw key to a user.
	Renders []string
	// Args fills the prompt's placeholders.
	Args func(c *Context) []any
	// Choices are the buttons; ChoicesFunc computes them per session.
	Choices     []Choice
	ChoicesFunc func(c *Context) []Choice
	// Parse validates free text and returns the slot value; nil accepts only choices.
	Parse func(c *Context, text string) (string, error)
	// Slot receives the value; empty for steps that store nothing.
	Slot string
	// Optional steps offer "skip", which stores "".
	Optional bool
	// Numeric: a typed number is an answer, not the index of a button.
	Numeric bool
	// Event picks the event to fire for a value; nil fires "next".
	Event func(c *Context, value string) string
}

// Choice is a button of a step.
type Choice struct {
	Value   string
	Label   string   // catalog key
	Aliases []string // other words that pick it (any language, normalised)
	Goto    string   // jump to this state and come back here after it (edit from a summary)
}

// key is what a choice's button sends back.
func (ch Choice) key() string {
	if ch.Goto != "" {
		return "goto:" + ch.Goto
	}
	return ch.Value
}

// InputError is a validator's explanation of what it expected.
type InputError struct {
	Key  string // catalog key
	Args []any
}

func (e *InputError) Error() string { return "invalid input: " + e.Key }

// Invalid makes an InputError.
func Invalid(key string, args ...any) error { return &InputError{Key: key, Args: args} }

// Input is what the user sent: a tapped button's payload, or text.
type Input struct {
	Text    string
	Payload string
}

// Context is what a step sees while one message is handled.
type Context struct {
	Ctx       context.Context
	User      string
	Lang      string
	Now       time.Time
	Sess      *store.Session
	Docs      Docs      // nil when the store keeps no documents
	Reminders Reminders // nil when reminders are not available
	Flows     *Registry // the engine's flows, commands and actions
	Numeric   bool      // set by the kit when the question now shown expects a number
	effects   []func(context.Context) error
}

// T renders a catalog key in the user's language.
func (c *Context) T(key string, args ...any) string { return i18n.T(c.Lang, key, args...) }

// Slot returns a slot's value.
func (c *Context) Slot(name string) string { return c.Sess.Slots[name] }

// SetSlot stores a slot's value.
func (c *Context) SetSlot(name, v string) {
	if c.Sess.Slots == nil {
		c.Sess.Slots = map[string]string{}
	}
	c.Sess.Slots[name] = v
}

// After schedules work (saving a plan, deleting data) to run once the
// session is saved, so a message that loses a race does nothing twice.
func (c *Context) After(f func(context.Context) error) { c.effects = append(c.effects, f) }

// Effects returns the work scheduled with After.
func (c *Context) Effects() []func(context.Context) error { return c.effects }

// Registry holds the flows, commands and actions of an engine.
type Registry struct {
	flows    map[string]*Flow
	commands map[string]*Command
	actions  map[string]Action
}

// NewRegistry checks the flows and indexes them with the commands and
// actions the product declares (a declared command whose flow is not among
// flows is left out: tests run with a few flows).
func NewRegistry(flows ...*Flow) (*Registry, error) {
	r := &Registry{flows: map[string]*Flow{}, commands: map[string]*Command{}, actions: map[string]Action{}}
	for _, f := range flows {
		if err := f.check(); err != nil {
			return nil, err
		}
		if _, dup := r.flows[f.Name]; dup {
			return nil, fmt.Errorf("flow %q defined twice", f.Name)
		}
		r.flows[f.Name] = f
	}
	for _, c := range declared.cmds {
		if c.Flow != nil && r.flows[c.Flow.Name] == nil {
			continue
		}
		if err := r.AddCommand(c); err != nil {
			return nil, err
		}
	}
	for _, a := range declared.acts {
		if err := r.AddAction(a); err != nil {
			return nil, err
		}
	}
	return r, r.checkMenus()
}

// check rejects a table naming a state without a step, a step no event
// reaches, or a choice with a label missing from the catalog.
func (f *Flow) check() error {
	if f.Steps[f.Initial] == nil {
		return fmt.Errorf("flow %s: initial state %q has no step", f.Name, f.Initial)
	}
	reached := map[string]bool{f.Initial: true}
	for _, e := range f.Events {
		if e.Dst != Done && f.Steps[e.Dst] == nil {
			return fmt.Errorf("flow %s: event %s goes to %q, which has no step", f.Name, e.Name, e.Dst)
		}
		for _, s := range e.Src {
			if f.Steps[s] == nil {
				return fmt.Errorf("flow %s: event %s leaves %q, which has no step", f.Name, e.Name, s)
			}
		}
		reached[e.Dst] = true
	}
	for name, st := range f.Steps {
		if !reached[name] {
			return fmt.Errorf("flow %s: no event reaches step %q", f.Name, name)
		}
		keys := append([]string{st.Prompt}, labels(st.Choices)...)
		if st.Example != "" {
			keys = append(keys, st.Example)
		}
		for _, ch := range st.Choices {
			for _, r := range st.Renders {
				if ch.Value != "" {
					keys = append(keys, fmt.Sprintf(r, ch.Value))
				}
			}
		}
		for _, key := range keys {
			for _, lang := range []string{i18n.ZhHans, i18n.En} {
				if !i18n.HasIn(lang, key) {
					return fmt.Errorf("flow %s: step %s: the %s catalog has no %q", f.Name, name, lang, key)
				}
			}
		}
	}
	if f.Finish == nil {
		return fmt.Errorf("flow %s: no Finish", f.Name)
	}
	return nil
}

// chain is the events of a flow whose steps follow one another: "next"
// from each state to the one after it, and from the last to Done.
func chain(states ...string) fsm.Events {
	ev := make(fsm.Events, len(states))
	for i, st := range states {
		dst := Done
		if i+1 < len(states) {
			dst = states[i+1]
		}
		ev[i] = fsm.EventDesc{Name: "next", Src: []string{st}, Dst: dst}
	}
	return ev
}

func labels(cs []Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label
	}
	return out
}

// Flow returns a flow by name, or nil.
func (r *Registry) Flow(name string) *Flow { return r.flows[name] }

// Flows lists the flows sorted by name.
func (r *Registry) Flows() []*Flow {
	out := make([]*Flow, 0, len(r.flows))
	for _, f := range r.flows {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Mermaid draws a flow as a Mermaid state diagram (looplab/fsm's visualiser).
func (f *Flow) Mermaid() (string, error) {
	m := fsm.NewFSM(f.Initial, f.Events, nil)
	return fsm.VisualizeWithType(m, fsm.MermaidStateDiagram)
}

// Start begins flow name for the user, with slots prefilled, and asks its
// first question.
func (r *Registry) Start(c *Context, name string, prefill map[string]string) []msg.Reply {
	f := r.flows[name]
	if f == nil {
		return []msg.Reply{{Text: c.T("err.internal")}}
	}
	s := c.Sess
	s.Flow, s.FlowVersion, s.State, s.History = f.Name, f.Version, f.Initial, nil
	s.Slots = map[string]string{}
	for k, v := range prefill {
		s.Slots[k] = v
	}
	// Steps whose answer came prefilled are passed over; "back" still
	// reaches them.
	for st := f.Steps[s.State]; st != nil && st.Slot != "" && prefill[st.Slot] != ""; st = f.Steps[s.State] {
		m := fsm.NewFSM(s.State, f.Events, nil)
		if err := m.Event(context.WithoutCancel(c.Ctx), "next"); err != nil || m.Current() == Done {
			break
		}
		s.History = append(s.History, s.State)
		unskip(s, st.Slot)
		s.State = m.Current()
	}
	r.passFilled(c, f)
	return []msg.Reply{r.prompt(c, f, "")}
}

// Active returns the session's flow, or nil.
func (r *Registry) Active(s *store.Session) *Flow {
	if s.Flow == "" {
		return nil
	}
	return r.flows[s.Flow]
}

// End clears the flow from the session.
func End(s *store.Session) {
	s.Flow, s.FlowVersion, s.State, s.Slots, s.History = "", 0, "", nil, nil
}

// Prompt repeats the current question (after a command or an FAQ answer in
// the middle of a flow), or returns false when no flow is active.
func (r *Registry) Prompt(c *Context) (msg.Reply, bool) {
	f := r.Active(c.Sess)
	if f == nil || f.Steps[c.Sess.State] == nil {
		return msg.Reply{}, false
	}
	return r.prompt(c, f, ""), true
}

// Handle feeds one input to the active flow. ok is false when the input was
// not a valid answer; the replies then explain and ask again, and the caller
// may answer the text some other way (an FAQ question typed mid-flow).
func (r *Registry) Handle(c *Context, in Input) (replies []msg.Reply, ok bool) {
	s := c.Sess
	f := r.flows[s.Flow]
	if f == nil { // a flow that no longer exists
		End(s)
		return []msg.Reply{{Text: c.T("flow.gone")}}, true
	}
	if s.FlowVersion != f.Version || f.Steps[s.State] == nil {
		if s.FlowVersion != f.Version && f.Migrate != nil && f.Migrate(s.FlowVersion, s) && f.Steps[s.State] != nil {
			s.FlowVersion = f.Version
		} else {
			reps := r.Start(c, f.Name, nil)
			reps[0].Text = c.T("flow.restarted") + "\n\n" + reps[0].Text
			return reps, true
		}
	}
	st := f.Steps[s.State]

	switch nav(in) {
	case NavCancel:
		End(s)
		return []msg.Reply{{Text: c.T("flow.cancelled"), Buttons: mainMenu(c)}}, true
	case NavBack:
		if len(s.History) == 0 {
			return []msg.Reply{r.prompt(c, f, c.T("flow.at_first"))}, true
		}
		s.State = s.History[len(s.History)-1]
		s.History = s.History[:len(s.History)-1]
		delete(s.Slots, slotReturn)
		return []msg.Reply{r.prompt(c, f, "")}, true
	case NavSkip:
		if !st.Optional {
			return []msg.Reply{r.prompt(c, f, c.T("flow.no_skip"))}, false
		}
		return r.advance(c, f, st, ""), true
	}

	choices := st.choices(c)
	if ch, found := matchChoice(choices, in, c.Lang); found {
		if ch.Goto != "" {
			s.History = append(s.History, s.State)
			c.SetSlot(slotReturn, s.State)
			s.State = ch.Goto
			return []msg.Reply{r.prompt(c, f, "")}, true
		}
		return r.advance(c, f, st, ch.Value), true
	}
	if st.Parse == nil || in.Text == "" {
		return []msg.Reply{r.prompt(c, f, c.T("flow.pick_button"))}, false
	}
	v, err := st.Parse(c, in.Text)
	if err != nil {
		var ie *InputError
		why := c.T("flow.invalid")
		if errors.As(err, &ie) {
			why = c.T(ie.Key, ie.Args...)
		}
		if st.Example != "" {
			why += "\n" + c.T("flow.example", "example", c.T(st.Example))
		}
		return []msg.Reply{r.prompt(c, f, why)}, false
	}
	return r.advance(c, f, st, v), true
}

// advance stores v, fires the step's event and asks the next question, or
// finishes the flow.
func (r *Registry) advance(c *Context, f *Flow, st *Step, v string) []msg.Reply {
	s := c.Sess
	if st.Slot != "" {
		c.SetSlot(st.Slot, v)
	}
	from := s.State
	next := ""
	if ret := s.Slots[slotReturn]; ret != "" { // back to the summary after an edit
		delete(s.Slots, slotReturn)
		next = ret
	} else {
		ev := "next"
		if st.Event != nil {
			ev = st.Event(c, v)
		}
		m := fsm.NewFSM(from, f.Events, nil)
		// A cancelled context would leave looplab/fsm stuck mid-transition.
		if err := m.Event(context.WithoutCancel(c.Ctx), ev); err != nil {
			var nt fsm.NoTransitionError
			if !errors.As(err, &nt) {
				return []msg.Reply{{Text: c.T("err.internal")}}
			}
		}
		next = m.Current()
	}
	if next != from {
		s.History = append(s.History, from)
	}
	s.State = next
	next = r.passFilled(c, f)
	if next == Done {
		reps := f.Finish(c)
		if s.Flow == f.Name && s.State == Done { // Finish may have started another flow
			End(s)
		}
		return reps
	}
	return []msg.Reply{r.prompt(c, f, "")}
}

// passFilled passes over the questions whose answers an earlier message
// gave (slotSkip), and returns the state the flow is then in.
func (r *Registry) passFilled(c *Context, f *Flow) string {
	s := c.Sess
	skip := s.Slots[slotSkip]
	for skip != "" && s.State != Done {
		st := f.Steps[s.State]
		if st == nil || st.Slot == "" || !strings.Contains(","+skip+",", ","+st.Slot+",") {
			break
		}
		m := fsm.NewFSM(s.State, f.Events, nil)
		if err := m.Event(context.WithoutCancel(c.Ctx), "next"); err != nil || m.Current() == Done {
			break // the last question is asked, not answered for the user
		}
		skip = strings.Trim(strings.Replace(","+skip+",", ","+st.Slot+",", ",", 1), ",")
		s.History = append(s.History, s.State)
		s.State = m.Current()
	}
	if skip == "" {
		delete(s.Slots, slotSkip)
	} else {
		s.Slots[slotSkip] = skip
	}
	return s.State
}

// unskip takes slot off the list of questions to pass over.
func unskip(s *store.Session, slot string) {
	if skip := s.Slots[slotSkip]; skip != "" {
		if skip = strings.Trim(strings.Replace(","+skip+",", ","+slot+",", ",", 1), ","); skip == "" {
			delete(s.Slots, slotSkip)
		} else {
			s.Slots[slotSkip] = skip
		}
	}
}

// prompt renders the current step's question with its buttons and the
// navigation row, prefixed by note (an explanation) when given.
func (r *Registry) prompt(c *Context, f *Flow, note string) msg.Reply {
	s := c.Sess
	st := f.Steps[s.State]
	var args []any
	if st.Args != nil {
		args = st.Args(c)
	}
	text := c.T(st.Prompt, args...)
	if note != "" {
		text = note + "\n\n" + text
	}
	var rows [][]msg.Button
	var row []msg.Button
	for _, ch := range st.choices(c) {
		row = append(row, msg.Button{Label: c.T(ch.Label), Payload: ChoicePrefix + ch.key()})
		if len(row) == 3 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	var navRow []msg.Button
	if len(s.History) > 0 {
		navRow = append(navRow, msg.Button{Label: c.T("nav.back"), Payload: NavBack})
	}
	if st.Optional {
		navRow = append(navRow, msg.Button{Label: c.T("nav.skip"), Payload: NavSkip})
	}
	navRow = append(navRow, msg.Button{Label: c.T("nav.cancel"), Payload: NavCancel})
	rows = append(rows, navRow)
	c.Numeric = st.Numeric
	return msg.Reply{Text: text, Buttons: rows, NumberIsAnswer: st.Numeric}
}

func (st *Step) choices(c *Context) []Choice {
	if st.ChoicesFunc != nil {
		return st.ChoicesFunc(c)
	}
	return st.Choices
}

// Words that navigate in every step, normalised (Traditional input is
// converted to Simplified before matching).
var navWords = map[string]string{
	"取消": NavCancel, "退出": NavCancel, "不弄了": NavCancel, "cancel": NavCancel, "quit": NavCancel, "stop": NavCancel, "/cancel": NavCancel,
	"返回": NavBack, "上一步": NavBack, "后退": NavBack, "back": NavBack, "/back": NavBack, "go back": NavBack,
	"跳过": NavSkip, "略过": NavSkip, "不填": NavSkip, "skip": NavSkip, "/skip": NavSkip,
}

func nav(in Input) string {
	switch in.Payload {
	case NavBack, NavSkip, NavCancel:
		return in.Payload
	}
	if in.Payload != "" {
		return ""
	}
	return navWords[zhtext.Normalize(in.Text)]
}

// matchChoice finds the choice a tapped payload, a label (in any language)
// or an alias names.
func matchChoice(cs []Choice, in Input, lang string) (Choice, bool) {
	if strings.HasPrefix(in.Payload, ChoicePrefix) {
		v := strings.TrimPrefix(in.Payload, ChoicePrefix)
		for _, ch := range cs {
			if ch.key() == v {
				return ch, true
			}
		}
		return Choice{}, false // a stale button of an earlier question
	}
	t := zhtext.Normalize(in.Text)
	if t == "" {
		return Choice{}, false
	}
	for _, ch := range cs {
		for _, l := range []string{i18n.ZhHans, i18n.En} {
			if zhtext.Normalize(i18n.T(l, ch.Label)) == t {
				return ch, true
			}
		}
		for _, a := range ch.Aliases {
			if zhtext.Normalize(a) == t {
				return ch, true
			}
		}
	}
	return Choice{}, false
}

// mainMenu is the three entry buttons, shown when a flow ends.
func mainMenu(c *Context) [][]msg.Button {
	return MainMenu(c.Lang)
}

// MainMenu is the three entry buttons: FAQ, negotiation prep, reminders.
func MainMenu(lang string) [][]msg.Button {
	return [][]msg.Button{{
		{Label: i18n.T(lang, "menu.faq"), Payload: msg.Cmd("/faq")},
		{Label: i18n.T(lang, "menu.prep"), Payload: msg.Cmd("/prep")},
		{Label: i18n.T(lang, "menu.remind"), Payload: msg.Cmd("/remind")},
	}}
}

// Docs keeps a user's documents and logs (implemented by *store.Store).
type Docs interface {
	PutDoc(ctx context.Context, user, kind string, v any) error
	GetDoc(ctx context.Context, user, kind string, v any) (bool, error)
	AppendLog(ctx context.Context, user, kind string, v any, max int) error
	Logs(ctx context.Context, user, kind string, n int) ([][]byte, error)
}
