package zhtext

import (
	"strings"
	"testing"
)

// Run with: go test -run '^$' -bench . -benchmem ./zhtext/

// simplified200 and traditional200 are 200-character messages of the kind
// the bot reads.
var (
	simplified200  = benchText("我在微粒贷借了三万五，已经逾期两个月了，催收天天打电话给我家人，我该怎么办？以后还能协商分期还款吗？头发都愁白了。", 200)
	traditional200 = ToTraditional(simplified200)
	ascii200       = benchText("I borrowed 35000 yuan and I am two months overdue; what can I do? ", 200)
)

func benchText(s string, n int) string {
	r := []rune(strings.Repeat(s, n/len([]rune(s))+1))
	return string(r[:n])
}

func BenchmarkToSimplified(b *testing.B) {
	b.SetBytes(int64(len(traditional200)))
	for b.Loop() {
		ToSimplified(traditional200)
	}
}

func BenchmarkToSimplifiedUnchanged(b *testing.B) {
	b.SetBytes(int64(len(simplified200)))
	for b.Loop() {
		ToSimplified(simplified200)
	}
}

func BenchmarkToTraditional(b *testing.B) {
	b.SetBytes(int64(len(simplified200)))
	for b.Loop() {
		ToTraditional(simplified200)
	}
}

func BenchmarkToTraditionalASCII(b *testing.B) {
	b.SetBytes(int64(len(ascii200)))
	for b.Loop() {
		ToTraditional(ascii200)
	}
}

func BenchmarkIsTraditional(b *testing.B) {
	for b.Loop() {
		IsTraditional(simplified200)
	}
}

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		Normalize(traditional200)
	}
}

func BenchmarkParseAmount(b *testing.B) {
	for _, in := range []string{"35000", "3万5", "¥30,000.50", "大概三万五千元吧"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseAmount(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
