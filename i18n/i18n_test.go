package i18n_test

import (
	"regexp"
	"slices"
	"testing"

	"loanbot/i18n"
)

func TestCatalogsHaveTheSameKeysAndPlaceholders(t *testing.T) {
	zh, en := i18n.Keys(i18n.ZhHans), i18n.Keys(i18n.En)
	if !slices.Equal(zh, en) {
		t.Fatalf("zh-Hans has %d keys, en %d: they must match", len(zh), len(en))
	}
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, k := range zh {
		a := ph.FindAllString(i18n.T(i18n.ZhHans, k), -1)
		b := ph.FindAllString(i18n.T(i18n.En, k), -1)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(slices.Compact(a), slices.Compact(b)) {
			t.Errorf("%s: placeholders zh-Hans %v, en %v", k, a, b)
		}
	}
}

func TestTFillsPlaceholdersAndFallsBack(t *testing.T) {
	if got := i18n.T(i18n.En, "unit.days", "n", 45); got != "45 days" {
		t.Errorf("en unit.days = %q", got)
	}
	if got := i18n.T(i18n.ZhHant, "unit.days", "n", 45); got != "45天" {
		t.Errorf("zh-Hant reads the zh-Hans catalog: %q", got)
	}
	if got := i18n.T(i18n.En, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
}

func TestFromHint(t *testing.T) {
	for in, want := range map[string]string{"zh-TW": i18n.ZhHant, "zh-hk": i18n.ZhHant, "zh-Hant-TW": i18n.ZhHant, "zh-CN": i18n.ZhHans, "zh": i18n.ZhHans, "en-US": i18n.En, "de": "", "": ""} {
		if got := i18n.FromHint(in); got != want {
			t.Errorf("FromHint(%q) = %q, want %q", in, got, want)
		}
	}
}
