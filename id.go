package scanpay

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet in lower case. Its characters
// are in ASCII order, so encoded IDs sort like the bytes they encode.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

var (
	idMu   sync.Mutex
	lastID [16]byte
)

// NewID returns prefix_ followed by 26 characters: 48 bits of milliseconds
// since the epoch and 80 random bits. IDs sort by creation time, which
// makes them list cursors; within one process they are strictly
// increasing even inside a millisecond (the random part then counts up
// from the previous ID), so a list shows what was made last first.
func NewID(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	idMu.Lock()
	if bytes.Compare(b[:], lastID[:]) <= 0 {
		b = lastID
		for i := len(b) - 1; i >= 0; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	}
	lastID = b
	idMu.Unlock()
	return prefix + "_" + Base32(b[:])
}

// RandomToken returns n random bytes in lower-case base32, for secrets
// and unguessable codes.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return Base32(b)
}

// IsToken reports whether s has the shape of a RandomToken of n bytes, so
// that text which cannot be one is refused before it is looked up.
func IsToken(s string, n int) bool {
	if len(s) != (n*8+4)/5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Base32 encodes b in Crockford's alphabet without padding, most
// significant bits first.
func Base32(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, crockford[acc>>bits&31])
		}
	}
	if bits > 0 {
		out = append(out, crockford[acc<<(5-bits)&31])
	}
	return string(out)
}

// FirstID returns the lowest ID that NewID can return at t with prefix:
// every ID made at t or later sorts after it, and every ID made before t
// sorts before it. It turns a time into a list cursor.
func FirstID(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	return prefix + "_" + Base32(b[:])
}

// IsID reports whether s has the form of an ID that NewID or FirstID
// returns with prefix, so a cursor from outside can be refused early.
func IsID(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	return ok && len(rest) == 26 && strings.Trim(rest, crockford) == ""
}
