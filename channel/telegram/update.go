package telegram

import (
	"regexp"
	"strconv"
	"strings"

	"loanbot/bot"
	"loanbot/i18n"
	"loanbot/msg"
)

// update is the part of a Bot API Update the adapter reads. Decoding into
// these few fields instead of models.Update (hundreds of fields, custom
// decoders) is most of the webhook's parse cost saved.
type update struct {
	ID            int64          `json:"update_id"`
	Message       *message       `json:"message"`
	CallbackQuery *callbackQuery `json:"callback_query"`
}

type message struct {
	ID      int64    `json:"message_id"`
	Date    int64    `json:"date"` // 0: an inaccessible message
	From    *user    `json:"from"`
	Chat    chat     `json:"chat"`
	Text    string   `json:"text"`
	Caption string   `json:"caption"`
	ReplyTo *message `json:"reply_to_message"`
}

type user struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	LanguageCode string `json:"language_code"`
}

type chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"` // private, group, supergroup, channel
}

type callbackQuery struct {
	ID      string   `json:"id"`
	From    user     `json:"from"`
	Message *message `json:"message"`
	Data    string   `json:"data"`
}

// work is an update as the adapter acts on it.
type work struct {
	in     bot.Inbound
	chatID int64
	tap    *callbackQuery // answered, and its keyboard removed
	group  bool
	// link, when set, replaces the engine: a personal matter raised in a
	// group is answered with a deep link to a private chat.
	link string
	// dupTap: a second tap on a keyboard already used; answered, not handled.
	dupTap bool
}

// toWork maps an update to what to do with it; ok is false for updates the
// bot leaves alone (group chatter, other bots, kinds it does not handle).
func (a *Adapter) toWork(u *update) (w work, ok bool) {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.From.IsBot {
			return w, false
		}
		text := m.Text
		if text == "" {
			text = m.Caption
		}
		w.chatID, w.group = m.Chat.ID, m.Chat.Type != "private"
		if w.group {
			var addressed bool
			if text, addressed = a.addressed(m, text); !addressed {
				return w, false
			}
		}
		w.in = bot.Inbound{Channel: Channel, UserID: userID(m.From.ID, m.Chat.ID, w.group), ChatID: strconv.FormatInt(m.Chat.ID, 10),
			Text: text, LangHint: m.From.LanguageCode, MessageID: "u" + strconv.FormatInt(u.ID, 10)}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		w.tap = q
		w.chatID = q.From.ID
		mid := "u" + strconv.FormatInt(u.ID, 10)
		if m := q.Message; m != nil {
			w.chatID, w.group = m.Chat.ID, m.Chat.Type != "private"
			if m.Date != 0 { // an accessible message: its keyboard is one use
				mid = "k" + strconv.FormatInt(m.Chat.ID, 10) + "." + strconv.FormatInt(m.ID, 10)
				w.dupTap = !a.taps.first(m.Chat.ID, m.ID, u.ID)
			}
		}
		w.in = bot.Inbound{Channel: Channel, UserID: userID(q.From.ID, w.chatID, w.group), ChatID: strconv.FormatInt(w.chatID, 10),
			Payload: q.Data, LangHint: q.From.LanguageCode, MessageID: mid}
	default:
		return w, false
	}
	if w.group {
		w.link = a.privateLink(w.in)
	}
	return w, true
}

// userID is the engine's user for a sender. In a group it is the member in
// that group ("<user>@<chat>"), a session of its own: a dialog the member
// has open in the private chat must not take a group message as its answer,
// nor show its questions to the group.
func userID(from, chat int64, group bool) string {
	id := strconv.FormatInt(from, 10)
	if group {
		id += "@" + strconv.FormatInt(chat, 10)
	}
	return id
}

// addressed tells whether a group message is for the bot: a command (bare,
// or "/cmd@thisbot"), a mention of the bot, or a reply to one of its
// messages. text comes back without the mention.
func (a *Adapter) addressed(m *message, text string) (string, bool) {
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		if _, to, ok := strings.Cut(cmd, "@"); ok && !strings.EqualFold(to, a.username) {
			return text, false // a command for another bot
		}
		return text, true
	}
	if a.username != "" {
		if i := indexFold(text, "@"+a.username); i >= 0 {
			return strings.TrimSpace(text[:i] + text[i+1+len(a.username):]), true
		}
	}
	if r := m.ReplyTo; r != nil && r.From != nil && a.botID != 0 && r.From.ID == a.botID {
		return text, true
	}
	return text, false
}

// indexFold is strings.Index ignoring ASCII case (usernames are).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// amountLike matches a message that states a sum ("35000", "3万5", "两千块",
// "¥8,000", "3.5w"): in a group it is moved to the private chat rather than
// answered where everyone reads it.
var amountLike = regexp.MustCompile(`\d[\d,，.]{2,}|[0-9〇零一二两三四五六七八九十百千]+\s*[万千wWkK元块]|[¥￥]\s*\d`)

// privateLink returns a deep link to the private chat when a group message
// or tap raises something personal, else "".
func (a *Adapter) privateLink(in bot.Inbound) string {
	if a.username == "" {
		return ""
	}
	s := in.Text
	if p, ok := msg.ParseCmd(in.Payload); ok {
		s = p
	}
	if strings.HasPrefix(s, "/") {
		cmd, arg, _ := strings.Cut(s, " ")
		cmd, _, _ = strings.Cut(strings.ToLower(cmd), "@")
		if cmd == "/start" { // "/start prep" would open the flow here
			cmd = "/" + strings.TrimPrefix(strings.ToLower(strings.TrimSpace(arg)), "/")
		}
		for _, c := range a.eng.Commands(i18n.ZhHans) {
			if c.Name == cmd && c.Personal {
				return "https://t.me/" + a.username + "?start=" + strings.TrimPrefix(cmd, "/")
			}
		}
		return ""
	}
	if in.Payload == "" && amountLike.MatchString(s) {
		return "https://t.me/" + a.username + "?start=start"
	}
	return ""
}

// privateText says why the bot answers elsewhere, in the member's language
// (their language_code).
func privateText(langHint string) string {
	l := i18n.FromHint(langHint)
	if l == "" {
		l = i18n.ZhHans
	}
	return i18n.Localize(l, i18n.T(l, "group.private"))
}
