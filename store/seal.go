package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Sealer encrypts what the store writes about a user (sessions with their
// amounts and income, plans, call logs, reminders) with AES-256-GCM. Each
// sealed value names the key that sealed it, so keys can be rotated: new
// writes use the first key, old values stay readable while their key is
// listed. Values written before encryption was turned on are read as they
// are.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
	logKey  []byte
}

// sealedPrefix marks a sealed value: "\x00lb1:<key id>:" then nonce+ciphertext.
const sealedPrefix = "\x00lb1:"

// ParseDataKey reads LOANBOT_DATA_KEY: comma-separated "id:base64(32 bytes)"
// entries, the first being the key new writes use.
func ParseDataKey(spec string) (*Sealer, error) {
	s := &Sealer{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || strings.ContainsAny(id, ":\x00") {
			return nil, fmt.Errorf("LOANBOT_DATA_KEY entry %d: want id:base64key (e.g. k1:%s)", i+1, "<44 base64 characters>")
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("LOANBOT_DATA_KEY key %q: want 32 bytes in standard base64 (openssl rand -base64 32)", id)
		}
		block, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(block)
		if _, dup := s.aeads[id]; dup {
			return nil, fmt.Errorf("LOANBOT_DATA_KEY: key id %q listed twice", id)
		}
		s.aeads[id] = aead
		if i == 0 {
			s.current = id
			sum := sha256.Sum256(append([]byte("loanbot log ids\x00"), key...))
			s.logKey = sum[:]
		}
	}
	return s, nil
}

// seal encrypts plain, binding it to the Redis key it is stored under so a
// value copied to another user's key does not open.
func (s *Sealer) seal(key string, plain []byte) []byte {
	if s == nil {
		return plain
	}
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out := append([]byte(sealedPrefix+s.current+":"), nonce...)
	return aead.Seal(out, nonce, plain, []byte(key))
}

// open decrypts a sealed value; unsealed values pass through.
func (s *Sealer) open(key string, data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(sealedPrefix)) {
		return data, nil
	}
	if s == nil {
		return nil, errors.New("value is encrypted and LOANBOT_DATA_KEY is not set")
	}
	rest := data[len(sealedPrefix):]
	i := bytes.IndexByte(rest, ':')
	if i < 0 {
		return nil, errors.New("sealed value without a key id")
	}
	aead := s.aeads[string(rest[:i])]
	if aead == nil {
		return nil, fmt.Errorf("sealed with key %q, which LOANBOT_DATA_KEY does not list", rest[:i])
	}
	body := rest[i+1:]
	if len(body) < aead.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	return aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], []byte(key))
}

// LogKey is a key derived from the current data key for hashing user ids
// in logs (nil without a sealer).
func (s *Sealer) LogKey() []byte {
	if s == nil {
		return nil
	}
	return s.logKey
}
