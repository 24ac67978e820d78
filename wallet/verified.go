package wallet

import (
	"sync"
	"time"
)

// maxVerified bounds the tokens verifiedTokens keeps.
const maxVerified = 4096

// verifiedTokens remembers the session tokens Authenticate accepted, until
// they expire. A wallet sends the same token on every request of its
// session, and checking it again (base64, JSON, the claims, the HMAC) was
// a few percent of the gateway's CPU per payment. A token is found only
// under its own exact text, signature included, so nothing is taken that
// was not verified, and its expiry is checked on every use. At most
// maxVerified are kept: when full, the expired go, and if none has, all.
type verifiedTokens struct {
	mu     sync.RWMutex
	tokens map[string]verifiedToken
}

type verifiedToken struct {
	session Session
	expires time.Time
}

// get returns the session of token, verified before and unexpired at now.
func (v *verifiedTokens) get(token string, now time.Time) (Session, bool) {
	v.mu.RLock()
	t, ok := v.tokens[token]
	v.mu.RUnlock()
	if !ok || !now.Before(t.expires) {
		return Session{}, false
	}
	return t.session, true
}

// put remembers that token, valid until expires, carries session.
func (v *verifiedTokens) put(token string, session Session, expires, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.tokens) >= maxVerified {
		for k, t := range v.tokens {
			if !now.Before(t.expires) {
				delete(v.tokens, k)
			}
		}
		if len(v.tokens) >= maxVerified {
			clear(v.tokens)
		}
	}
	if v.tokens == nil {
		v.tokens = make(map[string]verifiedToken)
	}
	v.tokens[token] = verifiedToken{session: session, expires: expires}
}
