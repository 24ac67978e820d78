package sdk_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/sdk"
	"github.com/scanpay/scanpay/settlement"
)

// A report the gateway made verifies offline with the key the SDK lists;
// a changed one, another key's signature or a malformed key does not, and
// the SDK's verdict is the gateway's own (scanpay report verify).
func TestVerifyReport(t *testing.T) {
	e := newShopEnv(t)
	ctx := context.Background()
	ids := e.settle(t)
	if len(ids) != 1 {
		t.Fatalf("%d settlements", len(ids))
	}
	st, err := e.c.Settlements.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	report := download(t, e.c, st.ID)
	keys, err := e.c.SigningKeys.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var key *sdk.SigningKey
	for _, k := range keys {
		if k.ID == st.Report.KeyID {
			key = k
		}
	}
	if key == nil || keys[0] != key || key.Object != "signing_key" || key.Algorithm != "ed25519" || key.CreatedAt.IsZero() {
		t.Fatalf("signing keys %+v: want the key %s first", keys, st.Report.KeyID)
	}

	// A change that keeps the file a report: 12500 becomes 12600.
	changed := bytes.Replace(report, []byte(",12500,"), []byte(",12600,"), 1)
	if bytes.Equal(changed, report) {
		t.Fatalf("no 12500 in the report:\n%s", report)
	}
	changedSum := sha256.Sum256(changed)
	_, otherPrivate, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherPublic := base64.StdEncoding.EncodeToString(otherPrivate.Public().(ed25519.PublicKey))
	for _, tt := range []struct {
		name                      string
		report                    []byte
		digest, signature, public string
		want                      error
	}{
		{"as signed", report, st.Report.SHA256, st.Report.Signature, key.PublicKey, nil},
		{"changed", changed, st.Report.SHA256, st.Report.Signature, key.PublicKey, sdk.ErrReportDigest},
		{"changed, with its digest", changed, hex.EncodeToString(changedSum[:]), st.Report.Signature, key.PublicKey, sdk.ErrReportSignature},
		{"cut short", report[:len(report)-1], st.Report.SHA256, st.Report.Signature, key.PublicKey, sdk.ErrReportDigest},
		{"another key", report, st.Report.SHA256, st.Report.Signature, otherPublic, sdk.ErrReportSignature},
		{"signed by another key", report, st.Report.SHA256,
			base64.StdEncoding.EncodeToString(ed25519.Sign(otherPrivate, report)), key.PublicKey, sdk.ErrReportSignature},
		{"signature not base64", report, st.Report.SHA256, "not base64!", key.PublicKey, sdk.ErrReportSignature},
		{"digest not hex", report, "zz", st.Report.Signature, key.PublicKey, sdk.ErrReportDigest},
		{"key too short", report, st.Report.SHA256, st.Report.Signature, base64.StdEncoding.EncodeToString([]byte("short")), sdk.ErrInvalidPublicKey},
	} {
		err := sdk.VerifyReport(tt.report, tt.digest, tt.signature, tt.public)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		public, keyErr := settlement.ParsePublicKey(tt.public)
		gateway := keyErr
		if keyErr == nil {
			gateway = settlement.VerifyReport(tt.report, tt.digest, tt.signature, public)
		}
		if (gateway == nil) != (err == nil) {
			t.Errorf("%s: the SDK says %v, the gateway's verifier %v", tt.name, err, gateway)
		}
	}
}
