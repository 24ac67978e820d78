package webhooks

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpensOnlyForItsEndpointAndKey(t *testing.T) {
	s, err := newSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	secret := NewSecret()
	sealed := s.seal("we_1", secret)
	if again := s.seal("we_1", secret); again == sealed {
		t.Error("two seals of one secret are equal; the nonce is not fresh")
	}
	if got, err := s.open("we_1", sealed); err != nil || got != secret {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.open("we_2", sealed); !errors.Is(err, errSealed) {
		t.Errorf("opened under another endpoint's id: %v", err)
	}
	other, _ := newSealer(bytes.Repeat([]byte{1}, SecretKeyLen))
	if _, err := other.open("we_1", sealed); !errors.Is(err, errSealed) {
		t.Errorf("opened with another key: %v", err)
	}
	for _, bad := range []string{"", "!!", "AAAA", sealed[:len(sealed)-4] + "AAAA"} {
		if _, err := s.open("we_1", bad); !errors.Is(err, errSealed) {
			t.Errorf("open(%q) = %v, want errSealed", bad, err)
		}
	}
}
