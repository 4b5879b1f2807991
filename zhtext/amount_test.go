package zhtext

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // fen
	}{
		{"35000", 3500000},
		{"0", 0},
		{"零", 0},
		{"0.07", 7},
		{"1.230", 123}, // trailing zeros are not extra decimals
		{"3万5", 3500000},
		{"3.5万", 3500000},
		{"两万", 2000000},
		{"二万", 2000000},
		{"三千五百元", 350000},
		{"三千五", 350000},
		{"3千5", 350000},
		{"3.5w", 3500000},
		{"3.5W", 3500000},
		{"1.2k", 120000},
		{"35 k", 3500000},
		{"¥30,000.50", 3000050},
		{"￥30000", 3000000},
		{"30,000元", 3000000},
		{"1,234,567", 123456700},
		{"RMB 30000", 3000000},
		{"30000块", 3000000},
		{"30000块钱", 3000000},
		{"3万五千", 3500000},
		{"三万五千", 3500000},
		{"三万五", 3500000},
		{"一万二千三百四十五", 1234500},
		{"10万零500", 10050000},
		{"一百零五", 10500},
		{"十五", 1500},
		{"二十", 2000},
		{"1亿", 10000000000},
		{"1亿2000万", 12000000000},
		{"三千万", 3000000000},
		{"一点五万", 1500000},
		{"5毛", 50},
		{"三块五", 350},
		{"3元5角2分", 352},
		{"8000 yuan", 800000},
		{"8,000", 800000},
		{"３５０００", 3500000},
		{"兩萬", 2000000},
		{"參萬", 3000000},
		{"壹万伍仟元", 1500000},
		{"大概3万5吧", 3500000},
		{"about 35000", 3500000},
		{"around 3.5w", 3500000},
		{"差不多两万左右", 2000000},
		{"一共欠了3万多块", 3000000},
		{"30000 (3万)", 3000000},            // the same number twice
		{"1000000000000", 100000000000000}, // 10^12 yuan: the limit
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAmountRejects(t *testing.T) {
	rejects(t, "ParseAmount", func(s string) (any, error) { return ParseAmount(s) }, []reject{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{"abc", ErrNotNumber},
		{"很多", ErrNotNumber},
		{"万", ErrNotNumber},
		{"1.2.3", ErrNotNumber},
		{"1.234", ErrNotNumber}, // a fraction of a fen
		{"0.001", ErrNotNumber},
		{"3万或者5万", ErrNotNumber},
		{"3000-5000", ErrNotNumber},
		{"五百三千", ErrNotNumber},
		{"3万5万", ErrNotNumber},
		{"-500", ErrNegative},
		{"负3万", ErrNegative},
		{"欠款 -500", ErrNegative},
		{"1000000000001", ErrTooLarge},
		{"1万亿零1", ErrTooLarge},
		{"99999999999999999999999", ErrTooLarge},
		{"1亿亿", ErrNotNumber},
	})
}

func TestParseErrorNamesTheInput(t *testing.T) {
	_, err := ParseAmount("很多钱")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Input != "很多钱" || pe.Kind != ErrNotNumber {
		t.Fatalf("ParseAmount error = %#v, want a *ParseError for the input", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `"很多钱"`) || !strings.Contains(msg, ErrNotNumber.Error()) {
		t.Errorf("Error() = %q, want the kind and the quoted input", msg)
	}
	long := strings.Repeat("很", 500)
	_, err = ParseAmount(long)
	if n := len(err.Error()); n > 400 {
		t.Errorf("Error() for a long input is %d bytes, want it cut short", n)
	}
}
