package faq

import (
	"strings"
	"testing"
	"testing/fstest"

	"loanbot/i18n"
)

// The ids of shared/faq-topics.md: a stable public key, never renamed.
var requiredIDs = []string{
	"sued-risk", "summons-received", "lawyer-letter", "overdue-consequences", "small-overdue", "credit-report",
	"credit-repair", "collection-harassment", "contact-third-parties", "negotiation-how", "negotiation-options",
	"principal-discount", "negotiation-documents", "negotiation-failed", "penalty-interest", "criminal-risk",
	"after-judgment", "asset-freeze", "limitation-period", "arbitration", "borrow-to-repay", "repay-priority",
	"third-party-agents", "legal-aid", "debt-restructuring", "credit-card", "platform-weilidai", "platform-alipay",
	"platform-mybank", "prevention", "crisis-support",
}

func TestEmbeddedDataCoversEveryTopic(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range requiredIDs {
		if kb.Topic(id) == nil {
			t.Errorf("topic %q is missing", id)
		}
	}
	for _, tp := range kb.Topics() {
		for _, l := range []string{i18n.ZhHans, i18n.En} {
			if strings.Contains(tp.Answer[l], "法律依据") || strings.Contains(tp.Answer[l], "Legal basis") {
				t.Errorf("%s: the basis belongs in basis, not in the %s answer", tp.ID, l)
			}
		}
	}
}

const good = `id: %s
category: lawsuit
related: [%s]
title: {zh-Hans: 标题, en: Title}
answer: {zh-Hans: 回答, en: Answer}
questions:
  zh-Hans: [一, 二, 三, 四, 五, 六, 七, 八]
  en: [one, two, three, four]
`

func topicFile(id, related string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(strings.NewReplacer("%s", id).Replace(strings.Replace(good, "[%s]", "["+related+"]", 1)))}
}

func TestLoadRejectsBadTopics(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"missing language", fstest.MapFS{"a.yaml": {Data: []byte(strings.Replace(strings.NewReplacer("%s", "a", "[%s]", "[]").Replace(good), "en: Answer", "", 1))}}, "missing en"},
		{"id not the file name", fstest.MapFS{"b.yaml": topicFile("a", "")}, "differs from the file name"},
		{"unknown related", fstest.MapFS{"a.yaml": topicFile("a", "nope")}, `related topic "nope"`},
		{"unknown category", fstest.MapFS{"a.yaml": {Data: []byte(strings.Replace(strings.NewReplacer("%s", "a", "[%s]", "[]").Replace(good), "lawsuit", "gossip", 1))}}, "unknown category"},
		{"too few questions", fstest.MapFS{"a.yaml": {Data: []byte(strings.Replace(strings.NewReplacer("%s", "a", "[%s]", "[]").Replace(good), "七, 八", "", 1))}}, "zh-Hans questions"},
		{"bad yaml", fstest.MapFS{"a.yaml": {Data: []byte("id: [")}}, "a.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFS(tc.fs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := LoadFS(fstest.MapFS{"a.yaml": topicFile("a", "b"), "b.yaml": topicFile("b", "a")}); err != nil {
		t.Errorf("good topics: %v", err)
	}
}

func TestCrisisIsRecognisedButNotEverydayStress(t *testing.T) {
	for _, s := range []string{"欠得太多了不想活了", "我想跳楼", "活不下去了", "真的想死", "不如一死了之", "不想活了，還不上", "I want to end it all", "I might kill myself", "我想自殺"} {
		if !IsCrisis(s) {
			t.Errorf("IsCrisis(%q) = false", s)
		}
	}
	for _, s := range []string{"压力很大", "急死了", "烦死了", "累死了", "this is totally killing me", "笑死", "想死你了", "微粒贷逾期会被起诉吗", "催收说让我去死"} {
		if IsCrisis(s) {
			t.Errorf("IsCrisis(%q) = true", s)
		}
	}
}
