// Package faq owns the legal knowledge base (one YAML file a topic under
// data/, embedded) and its retrieval: a question in the user's own words, in
// any script, to the topic that answers it, or to nothing when nothing does.
package faq

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"loanbot/i18n"
)

//go:embed data/*.yaml
var data embed.FS

// categories in menu order.
var categories = []string{"lawsuit", "credit", "collection", "negotiation", "basics", "platforms", "help"}

// Topic is one entry of the knowledge base.
type Topic struct {
	ID        string              `yaml:"id"`
	Category  string              `yaml:"category"`
	Reviewed  string              `yaml:"reviewed"`
	Refer     string              `yaml:"refer"`
	Title     map[string]string   `yaml:"title"`
	Answer    map[string]string   `yaml:"answer"`
	Basis     map[string]string   `yaml:"basis"`
	Questions map[string][]string `yaml:"questions"`
	Keywords  map[string][]string `yaml:"keywords"`
	Related   []string            `yaml:"related"`
	Actions   []string            `yaml:"actions"`
}

// base is the language a topic is written in for a reader of lang: zh-Hant
// readers get the zh-Hans text, which the engine converts.
func base(lang string) string { return i18n.Base(lang) }

// Text is the answer followed by its legal basis, in lang (zh-Hant readers
// get the zh-Hans text; the engine converts it).
func (t *Topic) Text(lang string) string {
	l := base(lang)
	text := strings.TrimSpace(t.Answer[l])
	if b := strings.TrimSpace(t.Basis[l]); b != "" {
		text += "\n\n" + i18n.T(l, "faq.basis") + b
	}
	return text
}

// TitleIn is the topic's title in lang.
func (t *Topic) TitleIn(lang string) string { return t.Title[base(lang)] }

// KB is the loaded knowledge base with its index.
type KB struct {
	topics []*Topic
	byID   map[string]*Topic
	idx    *index
}

// Load reads and checks the embedded knowledge base.
func Load() (*KB, error) {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads and checks a knowledge base from fsys (*.yaml at its root).
func LoadFS(fsys fs.FS) (*KB, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	kb := &KB{byID: map[string]*Topic{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var t Topic
		if err := yaml.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("faq: %s: %w", name, err)
		}
		if err := t.check(strings.TrimSuffix(path.Base(name), ".yaml")); err != nil {
			return nil, fmt.Errorf("faq: %s: %w", name, err)
		}
		if kb.byID[t.ID] != nil {
			return nil, fmt.Errorf("faq: %s: duplicate id %q", name, t.ID)
		}
		kb.byID[t.ID] = &t
		kb.topics = append(kb.topics, &t)
	}
	for _, t := range kb.topics {
		for _, r := range t.Related {
			if kb.byID[r] == nil {
				return nil, fmt.Errorf("faq: %s: related topic %q does not exist", t.ID, r)
			}
		}
	}
	sort.Slice(kb.topics, func(i, j int) bool { return kb.topics[i].ID < kb.topics[j].ID })
	kb.idx = buildIndex(kb.topics)
	// The models and the crisis rules are read now, at start-up, not at
	// the first message (whose answer would wait for them).
	trained()
	crisisRules()
	return kb, nil
}

// check rejects a topic that is missing a language or is malformed.
func (t *Topic) check(file string) error {
	switch {
	case t.ID == "":
		return fmt.Errorf("no id")
	case t.ID != file:
		return fmt.Errorf("id %q differs from the file name", t.ID)
	case !validCategory(t.Category):
		return fmt.Errorf("unknown category %q (want one of %v)", t.Category, categories)
	}
	for _, l := range []string{i18n.ZhHans, i18n.En} {
		if strings.TrimSpace(t.Title[l]) == "" || strings.TrimSpace(t.Answer[l]) == "" {
			return fmt.Errorf("missing %s title or answer", l)
		}
	}
	if n := len(t.Questions[i18n.ZhHans]); n < 8 {
		return fmt.Errorf("%d zh-Hans questions, want at least 8", n)
	}
	if n := len(t.Questions[i18n.En]); n < 4 {
		return fmt.Errorf("%d en questions, want at least 4", n)
	}
	return nil
}

func validCategory(c string) bool {
	for _, x := range categories {
		if x == c {
			return true
		}
	}
	return false
}

// Topic returns a topic by id, or nil.
func (kb *KB) Topic(id string) *Topic { return kb.byID[id] }

// Topics lists every topic, by id.
func (kb *KB) Topics() []*Topic { return kb.topics }

// Categories lists the categories in menu order.
func (kb *KB) Categories() []string { return categories }

// InCategory lists the topics of a category, by id.
func (kb *KB) InCategory(cat string) []*Topic {
	var out []*Topic
	for _, t := range kb.topics {
		if t.Category == cat && t.ID != "crisis-support" {
			out = append(out, t)
		}
	}
	return out
}
