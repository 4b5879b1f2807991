package faq

import (
	"strings"
	"sync"

	"loanbot/faq/nlu"
	"loanbot/zhtext"
)

// Level is how strongly a message reads as despair or thoughts of
// self-harm.
type Level int

const (
	// Calm: nothing of despair (exaggerations such as "急死了" are calm).
	Calm Level = iota
	// Possible: the normal answer, with one support line on top.
	Possible
	// Likely: the support reply first, before anything else.
	Likely
)

// Thresholds on the crisis model's calibrated probability.
var (
	crisisLikelyAt   = 0.60
	crisisPossibleAt = 0.25
)

// IsCrisis reports whether the support reply must come first.
func IsCrisis(text string) bool { return CrisisLevel(text) == Likely }

// CrisisLevel reads text for despair, in any script and in toneless
// pinyin. It is checked before anything else on every message, so it leans
// to recall: the rules (clear phrases; a means or a place next to an ending
// word; the pinyin of the Chinese phrases) and the crisis model each can
// raise the level; everyday exaggerations are blanked first and never reach
// Likely by a rule.
func CrisisLevel(text string) Level {
	t := zhtext.Normalize(text)
	if strings.TrimSpace(t) == "" {
		return Calm
	}
	t = blankExaggerations(t)
	level := ruleLevel(t)
	if level == Likely {
		return Likely
	}
	if m := trained().crisis; m != nil {
		p := m.Predict(Prepare(text))[1]
		switch {
		case p >= crisisLikelyAt:
			return Likely
		case p >= crisisPossibleAt:
			level = max(level, Possible)
		}
	}
	return level
}

// ruleLevel applies the phrase and proximity rules to t (normalised,
// exaggerations blanked).
func ruleLevel(t string) Level {
	r := crisisRules()
	for _, p := range r.likely {
		if containsPhrase(t, p) {
			return Likely
		}
	}
	if near(t, crisisMeans, crisisEndings, 24) || near(t, crisisPlaces, crisisEndings, 24) || near(t, crisisSelf, crisisFarewell, 12) {
		return Likely
	}
	if py := typedPinyin(t); py != "" {
		for _, p := range r.likelyPinyin {
			if strings.Contains(py, p) {
				return Likely
			}
		}
		for _, p := range r.possiblePinyin {
			if strings.Contains(py, p) {
				return Possible
			}
		}
	}
	for _, p := range crisisPossible {
		if containsPhrase(t, p) {
			return Possible
		}
	}
	for _, p := range crisisPlaces {
		if containsPhrase(t, p) {
			return Possible
		}
	}
	return Calm
}

// containsPhrase: Chinese phrases anywhere, English ones as whole words.
func containsPhrase(t, p string) bool {
	if isASCII(p) {
		return indexWord(t, p) >= 0
	}
	return strings.Contains(t, p)
}

// near reports whether a word of a and a word of b occur within gap bytes
// of each other, in either order.
func near(t string, a, b []string, gap int) bool {
	for _, x := range a {
		for off := 0; ; {
			i := phraseIndex(t[off:], x)
			if i < 0 {
				break
			}
			i += off
			lo, hi := max(0, i-gap*3), min(len(t), i+len(x)+gap*3)
			// gap counts characters; a Han character is 3 bytes.
			window := t[lo:hi]
			for _, y := range b {
				if phraseIndex(window, y) >= 0 {
					return true
				}
			}
			off = i + len(x)
		}
	}
	return false
}

func phraseIndex(t, p string) int {
	if isASCII(p) {
		return indexWord(t, p)
	}
	return strings.Index(t, p)
}

// blankExaggerations removes the idioms that use a word of death or
// killing for something else, so no rule fires on them.
func blankExaggerations(t string) string {
	for _, x := range crisisExaggerations {
		for {
			i := phraseIndex(t, x)
			if i < 0 {
				break
			}
			t = t[:i] + " " + t[i+len(x):]
		}
	}
	return t
}

// typedPinyin is t's Latin words as fuzzy pinyin syllables (" bu xiang huo
// le "), or "" when t does not read as typed pinyin.
func typedPinyin(t string) string {
	if !nlu.LooksLikePinyin(t) {
		return ""
	}
	return " " + nlu.SyllablesOf(t) + " "
}

type rules struct {
	likely                       []string
	likelyPinyin, possiblePinyin []string
}

var (
	rulesOnce sync.Once
	rulesAll  rules
)

// crisisRules adds to the phrase lists the pinyin of their Chinese phrases
// (two syllables or more), so toneless pinyin is read like characters.
func crisisRules() rules {
	rulesOnce.Do(func() {
		rulesAll.likely = crisisPhrases
		seen := map[string]bool{}
		add := func(dst *[]string, p string) {
			if isASCII(p) {
				return
			}
			py := nlu.FuzzyPinyin(p)
			if strings.Count(py, " ") < 1 || seen[py] {
				return
			}
			seen[py] = true
			*dst = append(*dst, " "+py+" ")
		}
		for _, p := range crisisPhrases {
			add(&rulesAll.likelyPinyin, p)
		}
		for _, p := range crisisPossible {
			add(&rulesAll.possiblePinyin, p)
		}
	})
	return rulesAll
}

// crisisPhrases are clear on their own (normalised: Simplified, lower
// case; English matched as whole words).
var crisisPhrases = []string{
	"不想活", "活不下去", "活着没意思", "活着没有意思", "活着还有什么意思", "没有活下去", "没法活了", "没脸活", "不活了",
	"想死", "想去死", "寻死", "求死", "不如死了", "死了算了", "死了一了百了", "一死了之", "了结自己", "结束自己", "结束生命", "结束我的生命",
	"自杀", "轻生", "自尽", "想跳楼", "去跳楼", "跳楼算了", "跳河", "跳江", "割腕", "上吊", "烧炭", "吃安眠药", "喝农药", "喝药",
	"从楼上跳", "跳下去", "不值得活", "活着太累", "活着好累", "去死算了", "死了就不用还", "死了就不用", "死了债", "人没了债", "人死债",
	"死了就解脱", "死了也就解脱", "死了才能解脱", "死了才解脱", "死了就一了百了", "死了就好了", "死掉算了", "死了好了",
	"不想再活", "活够了", "没有活路", "没活路", "离开这个世界", "告别这个世界", "写遗书", "留遗书", "写好遗书", "遗书", "交代后事", "安排后事",
	"一瓶安眠药", "一把安眠药", "整瓶安眠药", "攒安眠药", "吞安眠药", "吃了安眠药", "安眠药睡过去", "再也不醒", "不想醒来", "永远睡过去", "吞药",
	"下辈子再还", "下辈子还", "下辈子做牛做马", "来世再还", "来世做牛做马", "来生再还", "下辈子不做人", "下辈子再也不",
	"不想再醒", "醒不过来就好", "一了百了", "解脱了", "永别了", "最后一条消息", "最后一次跟", "不在这个世界", "替我照顾", "帮我照顾好",
	"我走了以后", "我走了之后", "我不在了", "我死了以后", "我死了之后", "如果我死了", "要是我死了", "我要是死了", "我死后", "等我死了",
	"唔想做人", "唔想生存", "不想做人", "不想存在", "消失算了", "消失就好了",
	"kill myself", "killing myself", "suicide", "suicidal", "end it all", "end my life", "ending my life", "want to die", "wanna die",
	"don't want to live", "dont want to live", "do not want to live", "no reason to live", "reason for me to live", "not worth living",
	"better off dead", "take my own life", "end it tonight", "end things", "ending things",
	"hurt myself", "self-harm", "self harm", "can't go on", "cant go on", "can not go on", "cannot go on",
	"no point living", "no point in living", "no point to living", "no point being alive", "no point in being alive",
	"nothing to live for", "wish i was dead", "wish i were dead", "don't want to be alive", "dont want to be alive",
	"do not want to be alive", "tired of living", "sick of living", "better off without me", "end myself",
	"overdose", "never wake up", "not wake up again", "jump off a", "jump off the", "jump from the", "next life",
	"when i'm gone", "when i am gone", "after i'm gone", "after i am gone", "if i'm gone", "if i am gone", "once i'm gone",
	"if i die", "if i died", "when i die", "after i die", "won't be around", "will not be around", "wont be around",
	"goodbye everyone", "goodbye world", "my last message", "last message", "suicide note", "goodbye letter", "goodbye letters",
	"say goodbye", "saying goodbye", "disappear forever", "not be here anymore", "not be here tomorrow", "won't be here",
	"the insurance money", "life insurance",
}

// crisisPossible read as despair but also as ordinary worry: the normal
// answer with a support line.
var crisisPossible = []string{
	"绝望", "崩溃", "撑不下去", "坚持不下去", "扛不住了", "走投无路", "没有出路", "没出路", "看不到希望", "没希望了",
	"拖累", "累赘", "连累家人", "对不起家人", "对不起爸妈", "对不起父母", "对不起老婆", "对不起孩子", "人生完了", "这辈子完了", "完蛋了",
	"活着", "死", "不想醒", "睡不醒", "想消失", "人没了",
	"hopeless", "no way out", "can't take it", "cant take it", "can't take this", "give up on life", "burden", "no future",
	"can't cope", "cant cope", "falling apart", "die", "dying", "dead", "disappear", "end it",
}

// crisisSelf and crisisFarewell: a farewell said of oneself ("我…永别").
var crisisSelf = []string{"我", "i", "i'm", "im", "my"}
var crisisFarewell = []string{"永别", "再见了", "别了", "告别", "遗言", "后事", "goodbye", "farewell", "forgive me"}

// crisisMeans and crisisPlaces next to crisisEndings are a plan.
var crisisMeans = []string{
	"炭", "木炭", "绳子", "安眠药", "农药", "百草枯", "敌敌畏", "老鼠药", "刀片", "割腕", "上吊", "卧轨", "铁轨", "煤气", "药片",
	"charcoal", "rope", "pills", "sleeping pills", "pesticide", "razor", "noose", "train tracks", "poison",
}
var crisisPlaces = []string{
	"天台", "楼顶", "顶楼", "大桥", "桥上", "江边", "河边", "海边", "楼上", "阳台", "高楼", "悬崖", "跳",
	"rooftop", "the roof", "bridge", "balcony", "ledge", "the edge", "cliff", "jump", "floor window",
}
var crisisEndings = []string{
	"死", "走了", "结束", "解脱", "离开", "永别", "再见", "不用还", "一了百了", "了结", "最后", "下辈子", "来世", "遗书", "后事", "告别",
	"对不起", "跳", "风好大", "风很大", "好高", "多高", "不疼", "多少片", "几片", "够不够", "下去", "睡过去", "不醒", "攒", "买了", "准备好",
	"die", "dead", "death", "end", "gone", "goodbye", "last", "sorry", "forever", "never", "tonight", "how many", "enough",
	"painless", "saved up", "bought", "ready", "jump", "fall", "high enough",
}

// crisisExaggerations are idioms with a word of death or killing that mean
// something else (normalised; English as whole words). Blanked before the
// rules.
var crisisExaggerations = []string{
	"想死你", "想死我了", "急死", "烦死", "累死", "气死", "笑死", "愁死", "吓死", "穷死", "饿死", "热死", "冷死", "困死", "忙死", "闷死",
	"激死", "攰到死", "悶死", "疼死", "痛死", "丑死", "难受死", "死活", "死缠烂打", "拼死", "死磕", "作死", "死期", "死账", "呆账", "死机",
	"死心", "死板", "死贵", "死胡同", "死对头", "死皮赖脸", "死路一条", "要死要活", "半死", "该死的", "死命", "死死", "死都不", "打死也不", "打死我也不",
	"要命", "要了老命", "要了我的命", "要人命", "要我的命", "弄死我", "弄死你", "打死你", "去死吧", "让我去死", "叫我去死", "死全家",
	"借款人死", "借款人去世", "去世", "过世", "病死", "老人死", "爸死", "妈死", "父亲死", "母亲死", "他死", "她死",
	"跳槽", "跳过", "跳转", "跳票", "心跳", "眼皮跳", "吓一跳",
	"dying to", "killing me", "kill for", "deadline", "deadlines", "dead broke", "dead line", "dead tired", "dead serious",
	"phone died", "battery died", "battery is dead", "phone is dead", "died down", "to die for", "scared to death", "bored to death",
	"over my dead body", "is murder", "killed it", "kill them", "kill me if", "would kill", "i'd kill", "they'll kill me", "kill you",
	"threatened to kill", "said i should die", "told me to die", "go die", "died last", "passed away", "he died", "she died", "father died",
	"mother died", "dad died", "mom died", "borrower dies", "borrower died", "if the borrower",
	"jump the queue", "jump through", "jumped at", "jump start",
}
