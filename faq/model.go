package faq

import (
	_ "embed"
	"log/slog"
	"sync"

	"loanbot/faq/nlu"
	"loanbot/zhtext"
)

//go:generate go run ./internal/gen -dir .

// The models trained from data/ and train/ by `go generate ./faq`
// (internal/gen); committed, so a build needs no training.
var (
	//go:embed topics.model
	topicsModel []byte
	//go:embed crisis.model
	crisisModel []byte
)

type models struct {
	topics, crisis *nlu.Model
	oos            int // the out-of-scope class of topics
}

var (
	modelsOnce sync.Once
	loaded     models
)

// trained returns the models, read once; a model that cannot be read is
// nil (the FAQ then ranks by retrieval alone, the crisis check by rules).
func trained() models {
	modelsOnce.Do(func() {
		var err error
		if loaded.topics, err = nlu.Read(topicsModel); err != nil {
			slog.Error("faq: the topic model cannot be read; run go generate ./faq", "err", err)
			loaded.topics = nil
		}
		if loaded.crisis, err = nlu.Read(crisisModel); err != nil {
			slog.Error("faq: the crisis model cannot be read; run go generate ./faq", "err", err)
			loaded.crisis = nil
		}
		loaded.oos = -1
		if loaded.topics != nil {
			for i, c := range loaded.topics.Classes {
				if c == "oos" {
					loaded.oos = i
				}
			}
		}
	})
	return loaded
}

var (
	prepOnce sync.Once
	prepIx   *index
)

// Prepare is a message as the models see it: width, script and case
// folded, and the aliases (typos, pinyin and English names of platforms
// and terms) rewritten to one word.
func Prepare(s string) string {
	prepOnce.Do(func() {
		prepIx = &index{}
		prepIx.aliases, prepIx.wordAliases = buildAliases(aliases)
	})
	return prepIx.alias(zhtext.Normalize(s))
}
