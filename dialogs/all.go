package dialogs

// All is every flow of the product, for the engine's registry.
func All() []*Flow { return []*Flow{Lang, Negotiate, CallLog, Remind} }

// Commands are the commands that show something without starting a flow.
func Commands() map[string]CommandFunc {
	return map[string]CommandFunc{"/plan": showPlan, "/logs": listCalls, "/reminders": listReminders}
}
