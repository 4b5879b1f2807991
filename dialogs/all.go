package dialogs

import "loanbot/msg"

// All is every flow of the product (those its declared commands start), for
// the engine's registry.
func All() []*Flow {
	var out []*Flow
	seen := map[*Flow]bool{}
	for _, c := range declared.cmds {
		if c.Flow != nil && !seen[c.Flow] {
			seen[c.Flow] = true
			out = append(out, c.Flow)
		}
	}
	for _, f := range declared.flows {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// TopicPrefix is the action of a button that opens an FAQ topic; the engine
// answers it (it holds the knowledge base).
const TopicPrefix = "faq"

// Topic is the payload of a button that opens the FAQ topic id.
func Topic(id string) string { return msg.Action(TopicPrefix, id) }
