package wechat

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// message is what WeChat posts: a user's message or an event, in the clear
// (plaintext mode, or the decrypted Encrypt of the safe modes).
type message struct {
	ToUserName   string `xml:"ToUserName"`   // the Official Account
	FromUserName string `xml:"FromUserName"` // the user's openid
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        string `xml:"MsgId"` // a 64-bit number: kept as text
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	// Recognition is WeChat's text of a voice message, when the account
	// has speech recognition on (empty otherwise).
	Recognition string `xml:"Recognition"`
}

// envelope is the body of a request in compatible or safe mode: only
// Encrypt is trusted (the plaintext fields of compatible mode are not
// signed).
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	Encrypt    string `xml:"Encrypt"`
}

// textReply is the XML of a passive text reply.
func textReply(to, from string, at int64, content string) []byte {
	var b strings.Builder
	b.WriteString("<xml><ToUserName><![CDATA[")
	b.WriteString(escapeCDATA(to))
	b.WriteString("]]></ToUserName><FromUserName><![CDATA[")
	b.WriteString(escapeCDATA(from))
	b.WriteString("]]></FromUserName><CreateTime>")
	b.WriteString(strconv.FormatInt(at, 10))
	b.WriteString("</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[")
	b.WriteString(escapeCDATA(content))
	b.WriteString("]]></Content></xml>")
	return []byte(b.String())
}

// encryptedReply is the envelope of a reply in the safe modes.
func encryptedReply(encrypt, signature, timestamp, nonce string) []byte {
	var b strings.Builder
	b.WriteString("<xml><Encrypt><![CDATA[")
	b.WriteString(encrypt)
	b.WriteString("]]></Encrypt><MsgSignature><![CDATA[")
	b.WriteString(signature)
	b.WriteString("]]></MsgSignature><TimeStamp>")
	b.WriteString(timestamp)
	b.WriteString("</TimeStamp><Nonce><![CDATA[")
	b.WriteString(escapeCDATA(nonce))
	b.WriteString("]]></Nonce></xml>")
	return []byte(b.String())
}

// parseMessage reads a message; ok is false when it is not WeChat's XML or
// lacks a sender or a type.
func parseMessage(b []byte) (m message, ok bool) {
	if err := xml.Unmarshal(b, &m); err != nil {
		return m, false
	}
	m.FromUserName = strings.TrimSpace(m.FromUserName)
	m.MsgType = strings.ToLower(strings.TrimSpace(m.MsgType))
	m.MsgID = strings.TrimSpace(m.MsgID)
	if m.FromUserName == "" || m.MsgType == "" || len(m.FromUserName) > 128 || len(m.MsgID) > 32 {
		return m, false
	}
	return m, true
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
