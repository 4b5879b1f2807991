package dialogs

import (
	"fmt"
	"sort"
	"strings"

	"loanbot/i18n"
	"loanbot/msg"
)

// Every command and every kind of button is declared once, next to the flow
// or feature that owns it, with Declare and DeclareAction; the engine routes
// through the registry and the channel adapters build their menus from it.
// Adding a command touches its feature's file and the two catalog files.

// Command is a slash command.
type Command struct {
	Name string // "/prep"
	// Desc is the catalog key of its one-line description: the channels'
	// menus and /help. Required.
	Desc string
	// Menu places it in the channels' menus and /help, in this group
	// (catalog key of the group's title; WeChat shows a group as one menu
	// button), at Order within all menus (lower first). "": not listed.
	Menu  string
	Order int
	// Personal: about the user's own money or data, so never answered in a
	// group chat (Telegram moves it to the private chat).
	Personal bool
	// Flow is the flow it starts, with the answers Prefill finds in the
	// command's argument ("/remind plan"); or Run answers it.
	Flow    *Flow
	Prefill func(c *Context, arg string) map[string]string
	Run     CommandFunc
}

// CommandFunc answers a command that is not a flow (/plan, /logs).
type CommandFunc func(c *Context, arg string) []msg.Reply

// Action answers the buttons whose payload starts with Prefix + ":" (see
// msg.Action); Run gets the arguments after the prefix.
type Action struct {
	Prefix string
	Run    func(c *Context, args []string) []msg.Reply
}

// Menu groups (catalog keys of their titles).
const (
	GroupAsk  = "menu.group.ask"  // questions and help
	GroupPlan = "menu.group.plan" // negotiation: plans, calls
	GroupMine = "menu.group.mine" // reminders, language, one's data
)

const (
	maxPerGroup = 5  // WeChat: five entries under a menu button
	maxGroups   = 3  // WeChat: three menu buttons
	cmdNameMax  = 32 // Telegram's limit on a command's name
	cmdNameOK   = "abcdefghijklmnopqrstuvwxyz0123456789_"
)

var declared struct {
	cmds  []Command
	acts  []Action
	flows []*Flow // flows no command starts (started by another feature)
	reads []Reader
}

// Reader is a feature that recognises free text outside a flow before the
// FAQ reads it (a pasted collector's message is checked, not looked up).
type Reader func(c *Context, text string) ([]msg.Reply, bool)

// DeclareReader registers a Reader of the product.
func DeclareReader(r Reader) Reader {
	declared.reads = append(declared.reads, r)
	return r
}

// Read gives free text to the declared readers; ok when one answered it.
func (r *Registry) Read(c *Context, text string) ([]msg.Reply, bool) {
	for _, read := range declared.reads {
		if reps, ok := read(c, text); ok {
			return reps, true
		}
	}
	return nil, false
}

// DeclareFlow registers a flow that no command starts.
func DeclareFlow(f *Flow) *Flow {
	declared.flows = append(declared.flows, f)
	return f
}

// Declare registers a command of the product (call it in a package-level
// var next to the feature: var _ = Declare(Command{…})).
func Declare(c Command) Command {
	declared.cmds = append(declared.cmds, c)
	return c
}

// DeclareAction registers a kind of button of the product.
func DeclareAction(a Action) Action {
	declared.acts = append(declared.acts, a)
	return a
}

// AddCommand registers a command on this registry only (the engine's own
// commands, tests' flows).
func (r *Registry) AddCommand(c Command) error {
	if err := c.check(); err != nil {
		return err
	}
	if _, dup := r.commands[c.Name]; dup {
		return fmt.Errorf("command %s declared twice", c.Name)
	}
	if c.Flow != nil && r.flows[c.Flow.Name] != c.Flow {
		return fmt.Errorf("command %s starts flow %q, which is not in the registry", c.Name, c.Flow.Name)
	}
	cc := c
	r.commands[c.Name] = &cc
	return nil
}

// AddAction registers a kind of button on this registry only.
func (r *Registry) AddAction(a Action) error {
	if a.Prefix == "" || strings.ContainsAny(a.Prefix, ": ") || a.Run == nil {
		return fmt.Errorf("action %q: a prefix without ':' and a handler are needed", a.Prefix)
	}
	if _, dup := r.actions[a.Prefix]; dup || a.Prefix == "cmd" || a.Prefix+":" == ChoicePrefix || a.Prefix == "nav" {
		return fmt.Errorf("action prefix %q taken", a.Prefix)
	}
	r.actions[a.Prefix] = a
	return nil
}

func (c Command) check() error {
	name := strings.TrimPrefix(c.Name, "/")
	if !strings.HasPrefix(c.Name, "/") || name == "" || len(name) > cmdNameMax || strings.Trim(name, cmdNameOK) != "" {
		return fmt.Errorf("command %q: want / and up to %d of a-z, 0-9, _", c.Name, cmdNameMax)
	}
	if (c.Flow == nil) == (c.Run == nil) {
		return fmt.Errorf("command %s: a Flow or a Run, not both", c.Name)
	}
	for _, key := range []string{c.Desc, c.Menu} {
		if key != "" && !i18n.Has(key) {
			return fmt.Errorf("command %s: catalog has no %q", c.Name, key)
		}
	}
	if c.Desc == "" {
		return fmt.Errorf("command %s: no description", c.Name)
	}
	return nil
}

// Command returns a registered command, or nil.
func (r *Registry) Command(name string) *Command { return r.commands[name] }

// Action returns the handler of an action payload and its arguments.
func (r *Registry) Action(payload string) (Action, []string, bool) {
	prefix, args, ok := msg.ParseAction(payload)
	if !ok {
		return Action{}, nil, false
	}
	a, ok := r.actions[prefix]
	return a, args, ok
}

// Commands lists the registered commands, menu order first, then by name.
func (r *Registry) Commands() []*Command {
	out := make([]*Command, 0, len(r.commands))
	for _, c := range r.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Menu == "") != (b.Menu == "") {
			return a.Menu != ""
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Name < b.Name
	})
	return out
}

// checkMenus: the menus fit every channel (WeChat: three buttons of five).
func (r *Registry) checkMenus() error {
	groups := map[string]int{}
	for _, c := range r.commands {
		if c.Menu != "" {
			groups[c.Menu]++
			if groups[c.Menu] > maxPerGroup {
				return fmt.Errorf("menu group %s has more than %d commands", c.Menu, maxPerGroup)
			}
		}
	}
	if len(groups) > maxGroups {
		return fmt.Errorf("%d menu groups; WeChat shows %d", len(groups), maxGroups)
	}
	return nil
}

// CommandOf returns the command that starts flow f, or "".
func (r *Registry) CommandOf(f *Flow) string {
	for _, c := range r.commands {
		if c.Flow == f {
			return c.Name
		}
	}
	return ""
}
