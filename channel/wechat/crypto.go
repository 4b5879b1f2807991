// Package wechat holds the WeChat Official Account server channel.
//
// This file is its crypto/signature core, the scheme Tencent documents as
// "消息加解密" and ships as WXBizMsgCrypt in its C++/PHP/Java/Python/C# samples:
//
//   - signature = hex(sha1(concat(sort(token, timestamp, nonce)))) for the URL
//     check and plaintext-mode pushes;
//   - msg_signature = hex(sha1(concat(sort(token, timestamp, nonce, Encrypt))))
//     for safe-mode pushes and for encrypted replies;
//   - Encrypt = base64(AES-256-CBC(key, iv = key[:16],
//     PKCS#7-pad-to-32(random(16) | be32(len(msg)) | msg | appid))),
//     key = base64decode(EncodingAESKey + "=").
//
// Decrypt does not authenticate anything: AES-CBC has no MAC, and a changed
// ciphertext can decrypt "successfully" to different bytes. Callers must check
// msg_signature (VerifySignature with token, timestamp, nonce, Encrypt) before
// they call Decrypt, and refuse the request if it does not match.
package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

const (
	// encodingAESKeyLen is the length of an EncodingAESKey as the WeChat
	// console shows it: 43 base64 characters, which decode (after "=" is
	// appended) to a 32-byte AES-256 key.
	encodingAESKeyLen = 43

	aesKeyLen    = 32
	prefixLen    = 16 // random bytes in front of every plaintext
	lengthLen    = 4  // big-endian length of msg
	headerLen    = prefixLen + lengthLen
	padBlockSize = 32 // WeChat pads PKCS#7-style to 32 bytes, not to the AES block size
)

// Errors returned by NewCipher and Decrypt. They are wrapped with details;
// test for them with errors.Is.
var (
	errKey        = errors.New("wechat: invalid EncodingAESKey")
	errAppID      = errors.New("wechat: appid mismatch")
	ErrBase64     = errors.New("wechat: ciphertext is not valid base64")
	errCiphertext = errors.New("wechat: invalid ciphertext length")
	errPadding    = errors.New("wechat: invalid padding")
	errPlaintext  = errors.New("wechat: malformed plaintext")
	errTooLong    = errors.New("wechat: message too long")
)

// Signature sorts parts lexicographically (byte order, like the official
// samples), concatenates them, and returns the lowercase hex SHA-1 of the
// result. The URL check uses (token, timestamp, nonce); msg_signature uses
// (token, timestamp, nonce, Encrypt). parts itself is not modified.
func Signature(parts ...string) string {
	sorted := slices.Clone(parts)
	slices.Sort(sorted)
	sum := sha1.Sum([]byte(strings.Join(sorted, "")))
	return hex.EncodeToString(sum[:])
}

// VerifySignature reports whether want equals Signature(parts...), comparing
// in constant time. want must be lowercase hex, as WeChat sends it.
func VerifySignature(want string, parts ...string) bool {
	got := Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Cipher encrypts and decrypts message bodies for one appid. It is safe for
// concurrent use.
type Cipher struct {
	key   [aesKeyLen]byte
	block cipher.Block
	appID string
}

// NewCipher decodes encodingAESKey (43 characters of the standard base64
// alphabet) and returns a Cipher bound to appID.
//
// Decoding is lenient about the two spare bits of the last character: the
// WeChat console generates keys whose last character often has them set (the
// official sample key "...ABCDEFG" does), which strict base64 rejects. Such
// keys decode exactly as the official samples decode them.
func NewCipher(encodingAESKey, appID string) (*Cipher, error) {
	if len(encodingAESKey) != encodingAESKeyLen {
		return nil, fmt.Errorf("%w: length %d, want %d characters", errKey, len(encodingAESKey), encodingAESKeyLen)
	}
	for i := 0; i < len(encodingAESKey); i++ {
		if !isBase64Char(encodingAESKey[i]) {
			return nil, fmt.Errorf("%w: character %d (%q) is not in the base64 alphabet", errKey, i, encodingAESKey[i])
		}
	}
	// base64.StdEncoding is not Strict, so set spare bits in the last
	// character are ignored instead of rejected.
	raw, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errKey, err)
	}
	if len(raw) != aesKeyLen {
		return nil, fmt.Errorf("%w: decodes to %d bytes, want %d", errKey, len(raw), aesKeyLen)
	}
	if appID == "" {
		return nil, fmt.Errorf("%w: empty appid", errAppID)
	}
	c := &Cipher{appID: appID}
	copy(c.key[:], raw)
	block, err := aes.NewCipher(c.key[:])
	if err != nil { // cannot happen with a 32-byte key
		return nil, fmt.Errorf("%w: %v", errKey, err)
	}
	c.block = block
	return c, nil
}

func isBase64Char(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '+' || b == '/'
}

// Decrypt decodes and decrypts an Encrypt field and returns the message it
// carries. It checks the padding, the length field and that the trailing
// appid equals c's appid, and returns an error (never panics) on any
// malformed input.
//
// Decrypt does not prove the ciphertext came from WeChat: verify msg_signature
// first.
func (c *Cipher) Decrypt(b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBase64, err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes, want a positive multiple of %d", errCiphertext, len(ct), aes.BlockSize)
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(pt, ct)

	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > padBlockSize || pad > len(pt) {
		return nil, fmt.Errorf("%w: pad value %d", errPadding, pad)
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: inconsistent pad bytes", errPadding)
		}
	}
	pt = pt[:len(pt)-pad]

	if len(pt) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", errPlaintext, len(pt), headerLen)
	}
	n := binary.BigEndian.Uint32(pt[prefixLen:headerLen])
	rest := pt[headerLen:]
	if uint64(n) > uint64(len(rest)) {
		return nil, fmt.Errorf("%w: length field %d exceeds the %d bytes left", errPlaintext, n, len(rest))
	}
	msg, appID := rest[:n], rest[n:]
	if subtle.ConstantTimeCompare(appID, []byte(c.appID)) != 1 {
		return nil, errAppID
	}
	out := make([]byte, len(msg)) // exact size: no spare capacity, no aliasing
	copy(out, msg)
	return out, nil
}

// Encrypt encrypts msg for a reply, with a fresh random 16-byte prefix from
// crypto/rand, and returns the base64 Encrypt field.
func (c *Cipher) Encrypt(msg []byte) (string, error) {
	if uint64(len(msg)) > math.MaxUint32 {
		return "", fmt.Errorf("%w: %d bytes", errTooLong, len(msg))
	}
	var prefix [prefixLen]byte
	if _, err := rand.Read(prefix[:]); err != nil {
		return "", fmt.Errorf("wechat: random prefix: %w", err)
	}
	return c.encryptWithPrefix(prefix, msg), nil
}

// encryptWithPrefix is Encrypt with a caller-chosen prefix, for reproducible
// output (tests, published vectors). Real replies should use Encrypt. It
// panics if len(msg) does not fit the 32-bit length field (over 4 GiB).
func (c *Cipher) encryptWithPrefix(prefix [16]byte, msg []byte) string {
	if uint64(len(msg)) > math.MaxUint32 {
		panic(fmt.Sprintf("wechat: message of %d bytes does not fit the length field", len(msg)))
	}
	size := headerLen + len(msg) + len(c.appID)
	pad := padBlockSize - size%padBlockSize // 1..32
	buf := make([]byte, 0, size+pad)
	buf = append(buf, prefix[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(msg)))
	buf = append(buf, msg...)
	buf = append(buf, c.appID...)
	for range pad {
		buf = append(buf, byte(pad))
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

// escapeCDATA returns s with every "]]>" replaced by "]]]]><![CDATA[>", so
// that "<![CDATA[" + escapeCDATA(s) + "]]>" holds s exactly.
func escapeCDATA(s string) string {
	return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>")
}
