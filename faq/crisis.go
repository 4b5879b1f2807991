package faq

import (
	"strings"

	"loanbot/zhtext"
)

// IsCrisis reports whether text expresses despair or thoughts of self-harm,
// in any script. It is checked before anything else on every message, so it
// leans to recall on clear phrases, and it does not fire on everyday
// exaggeration ("急死了", "烦死了", "this is killing me").
func IsCrisis(text string) bool {
	t := zhtext.Normalize(text)
	if t == "" {
		return false
	}
	for _, x := range crisisExclusions {
		t = strings.ReplaceAll(t, x, " ")
	}
	for _, p := range crisisPhrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// crisisPhrases are normalised (Simplified, lower case).
var crisisPhrases = []string{
	"不想活", "活不下去", "活着没意思", "活着没有意思", "活着还有什么意思", "没有活下去", "没法活了", "没脸活",
	"想死", "想去死", "寻死", "求死", "不如死了", "死了算了", "死了一了百了", "一死了之", "了结自己", "结束自己", "结束生命", "结束我的生命",
	"自杀", "轻生", "自尽", "想跳楼", "去跳楼", "跳楼算了", "跳河", "跳江", "割腕", "上吊", "烧炭", "吃安眠药", "喝农药",
	"从楼上跳", "跳下去", "不值得活", "活着太累",
	"死了就解脱", "死了也就解脱", "死了才能解脱", "死了才解脱", "死了就一了百了", "死了就好了", "死掉算了", "死了好了",
	"不想再活", "活够了", "没有活路", "没活路", "离开这个世界", "告别这个世界", "写遗书", "留遗书", "交代后事",
	"一瓶安眠药", "一把安眠药", "整瓶安眠药", "攒安眠药", "吞安眠药", "吃了安眠药", "安眠药睡过去", "再也不醒", "不想醒来", "永远睡过去", "吞药",
	"kill myself", "killing myself", "suicide", "suicidal", "end it all", "end my life", "ending my life", "want to die", "wanna die",
	"don't want to live", "dont want to live", "do not want to live", "no reason to live", "reason for me to live", "not worth living",
	"better off dead", "take my own life",
	"hurt myself", "self-harm", "self harm", "can't go on", "cant go on", "can not go on",
	"no point living", "no point in living", "no point to living", "no point being alive", "no point in being alive",
	"nothing to live for", "wish i was dead", "wish i were dead", "don't want to be alive", "dont want to be alive",
	"do not want to be alive", "tired of living", "sick of living", "better off without me", "end myself",
	"overdose", "sleeping pills", "never wake up", "not wake up again", "jump off a", "jump off the",
}

// crisisExclusions are phrases containing a crisis word that mean something
// else; they are blanked before matching.
var crisisExclusions = []string{
	"想死你", "想死我了", "suicide squad",
}
