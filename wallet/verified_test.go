package wallet

import (
	"strconv"
	"testing"
	"time"
)

func TestVerifiedTokensStayBoundedAndExpire(t *testing.T) {
	var v verifiedTokens
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	// Half expire in a minute, half in an hour.
	for i := range maxVerified {
		expires := now.Add(time.Minute)
		if i%2 == 1 {
			expires = now.Add(time.Hour)
		}
		v.put(strconv.Itoa(i), Session{WalletID: strconv.Itoa(i)}, expires, now)
	}
	if s, ok := v.get("1", now); !ok || s.WalletID != "1" {
		t.Fatalf("get(1) = %+v, %v", s, ok)
	}
	if _, ok := v.get("0", now.Add(time.Minute)); ok {
		t.Fatal("a token was taken at its expiry")
	}
	later := now.Add(2 * time.Minute)
	v.put("new", Session{WalletID: "new"}, later.Add(time.Hour), later)
	if len(v.tokens) != maxVerified/2+1 {
		t.Fatalf("full, with half expired: %d kept, want the %d unexpired and the new one", len(v.tokens), maxVerified/2)
	}
	if _, ok := v.get("1", later); !ok {
		t.Fatal("an unexpired token was dropped while expired ones were there to go")
	}
	for i := range maxVerified {
		v.put("more"+strconv.Itoa(i), Session{}, later.Add(time.Hour), later)
	}
	if len(v.tokens) > maxVerified {
		t.Fatalf("%d tokens kept, at most %d", len(v.tokens), maxVerified)
	}
	if _, ok := v.get("more"+strconv.Itoa(maxVerified-1), later); !ok {
		t.Fatal("the newest token was not kept")
	}
}
