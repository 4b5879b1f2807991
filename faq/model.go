package faq

import (
	"embed"
	"log/slog"
	"sync"

	"loanbot/faq/internal/corpus"
	"loanbot/faq/nlu"
	"loanbot/i18n"
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
	// near ranks the classes of topics by BM25 against every training
	// phrasing (a nearest-neighbour view that the linear model lacks);
	// its topics are in the model's class order.
	near *index
}

// The training data, embedded for the nearest-phrasing index.
//
//go:embed data/*.yaml train/*.tsv
var corpusFS embed.FS

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
				if c == corpus.OutOfScope {
					loaded.oos = i
				}
			}
			loaded.near, err = nearIndex(loaded.topics.Classes)
			if err != nil {
				slog.Error("faq: the training data cannot be read", "err", err)
				loaded.topics = nil
			}
		}
	})
	return loaded
}

// LooksLikePinyin reports whether s reads as toneless pinyin typed in
// Latin letters ("weilidai yuqi le zenme ban") rather than English.
func LooksLikePinyin(s string) bool { return nlu.LooksLikePinyin(zhtext.Normalize(s)) }

// nearIndex indexes every training phrasing under its class.
func nearIndex(classes []string) (*index, error) {
	lines, _, err := corpus.Read(corpusFS)
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	tops := make([]*Topic, len(classes))
	for i, c := range classes {
		pos[c] = i
		tops[i] = &Topic{ID: c, Title: map[string]string{}, Questions: map[string][]string{}, Keywords: map[string][]string{}}
	}
	for _, l := range lines {
		if i, ok := pos[l.Label]; ok {
			tops[i].Questions[i18n.ZhHans] = append(tops[i].Questions[i18n.ZhHans], l.Text)
		}
	}
	ix := buildIndex(tops)
	for _, t := range tops {
		t.Questions = nil // indexed; only the class names are needed now
	}
	return ix, nil
}

var (
	prepOnce sync.Once
	prepIx   *index
)

// Prepare is a message as the models see it: width, script and case
// folded, and the aliases (typos, pinyin and English names of platforms
// and terms) rewritten to one word.
func Prepare(s string) string {
	return aliasIndex().alias(zhtext.Normalize(s))
}

// PrepareCrisis is a message as the crisis model sees it: prepared, with
// the everyday exaggerations ("急死了", "this debt is killing me") blanked,
// so that neither the rules nor the model read them as despair.
func PrepareCrisis(s string) string {
	return aliasIndex().alias(blankExaggerations(zhtext.Normalize(s)))
}

func aliasIndex() *index {
	prepOnce.Do(func() {
		prepIx = &index{}
		prepIx.aliases, prepIx.wordAliases = buildAliases(aliases)
	})
	return prepIx
}
