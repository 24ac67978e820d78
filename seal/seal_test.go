package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/seal"
)

func TestSealOpensOnlyForItsRecordAndKey(t *testing.T) {
	box, err := seal.New(bytes.Repeat([]byte{0x5c}, seal.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("whsec_c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0")
	sealed := box.Seal("we_1", secret)
	if bytes.Contains([]byte(sealed), secret) {
		t.Fatal("the sealed value holds the secret")
	}
	if again := box.Seal("we_1", secret); again == sealed {
		t.Error("two seals of one value are equal; the nonce is not fresh")
	}
	if got, err := box.Open("we_1", sealed); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := box.Open("we_2", sealed); !errors.Is(err, seal.ErrCannotOpen) {
		t.Errorf("opened under another record: %v", err)
	}
	other, err := seal.New(bytes.Repeat([]byte{1}, seal.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open("we_1", sealed); !errors.Is(err, seal.ErrCannotOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	for _, bad := range []string{"", "!!", "AAAA", sealed[:len(sealed)-4] + "AAAA"} {
		if _, err := box.Open("we_1", bad); !errors.Is(err, seal.ErrCannotOpen) {
			t.Errorf("Open(%q) = %v, want ErrCannotOpen", bad, err)
		}
	}
}

func TestNewRefusesAKeyOfTheWrongLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := seal.New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}
