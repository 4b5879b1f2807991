package lenders

import (
	"strings"

	"github.com/mozillazg/go-pinyin"
)

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true
	return a
}()

// readings are the toneless readings of a Han character, every one of a
// character with several (调 tiao, diao), folded the way people who mix up
// zh/z, ch/c, sh/s and -ng/-n type them.
func readings(r rune) []string {
	ps := pinyin.SinglePinyin(r, pinyinArgs)
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, fold(p))
	}
	return out
}

func fold(p string) string {
	for _, h := range []string{"zh", "ch", "sh"} {
		if strings.HasPrefix(p, h) {
			p = p[:1] + p[2:]
			break
		}
	}
	return strings.TrimSuffix(p, "g")
}
