package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
)

// TestSettleAndVerifyAReport: a paid order settles with `scanpay settle
// --as-of`, which also makes the automatic payout and hands it to the
// bank; a second run makes nothing new; the report, signed with the key
// derived from the master key, passes `scanpay report verify` and a
// changed byte or another key fails it.
func TestSettleAndVerifyAReport(t *testing.T) {
	master := bytes.Repeat([]byte{9}, masterKeyLen)
	t.Setenv("SCANPAY_SECRET_KEY", base64.StdEncoding.EncodeToString(master))
	dbURL := storagetest.URL(t)
	if code, _, stderr := cli(t, "migrate", "--db", dbURL); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db)
	merchants := merchant.NewService(db, scanpay.Now)
	wallets := wallet.NewService(db, scanpay.Now, wallet.Config{SessionKey: make([]byte, 32), PINCost: bcrypt.MinCost})
	orders := checkout.NewService(db, scanpay.Now, checkout.Config{BaseURL: "http://gw.test"}, merchants, wallets)
	cfg := settlementConfig(master)
	cfg.ReportURL = func(id string) string { return id }
	settlements, err := settlement.NewService(db, scanpay.Now, cfg, merchants)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := merchants.Create(ctx, merchant.CreateParams{Name: "Tea"})
	if err != nil {
		t.Fatal(err)
	}
	p := merchant.Principal{MerchantID: m.ID}
	signUp, err := wallets.CreateAccount(ctx, "13800138000", "135790")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wallets.TopUp(ctx, signUp.Account.ID, 10000, "CNY"); err != nil {
		t.Fatal(err)
	}
	amount := int64(5000)
	o, err := orders.CreateOrder(ctx, p, checkout.OrderParams{Amount: &amount, Currency: "CNY", Reference: "T-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orders.Pay(ctx, signUp.Account.ID, checkout.PayParams{Order: o.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := settlements.CreateBankAccount(ctx, p, settlement.BankAccountParams{AccountHolder: "Tea Ltd",
		AccountNumber: settlement.SimulatedPays, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}

	if code, _, stderr := cli(t, "settle", "--as-of", "2026-02-30", "--db", dbURL); code == 0 || !strings.Contains(stderr, "--as-of") {
		t.Fatalf("a date that does not exist: exit %d, %q", code, stderr)
	}
	tomorrow := time.Now().In(m.Location()).AddDate(0, 0, 1).Format("2006-01-02")
	code, out, stderr := cli(t, "settle", "--as-of", tomorrow, "--db", dbURL)
	if code != 0 || !strings.Contains(out, "1 settlements, 1 automatic payouts, 1 payouts moved on") {
		t.Fatalf("settle: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = cli(t, "settle", "--as-of", tomorrow, "--db", dbURL)
	if code != 0 || !strings.Contains(out, "0 settlements, 0 automatic payouts") {
		t.Fatalf("settle again: exit %d\n%s%s", code, out, stderr)
	}
	var counts struct{ Settlements, Payouts, InTransit int64 }
	storagetest.Scan(t, db, &counts, `SELECT (SELECT COUNT(*) FROM settlements) AS settlements, (SELECT COUNT(*) FROM payouts) AS payouts,
		(SELECT COUNT(*) FROM payouts WHERE status <> 'pending') AS in_transit`)
	if counts.Settlements != 1 || counts.Payouts != 1 || counts.InTransit != 1 {
		t.Fatalf("after two runs: %+v", counts)
	}
	if code, out, stderr := cli(t, "ledger", "verify", "--db", dbURL); code != 0 {
		t.Fatalf("ledger verify: %d\n%s%s", code, out, stderr)
	}

	list, _, err := settlements.ListSettlements(ctx, p, 10, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("settlements %+v (%v)", list, err)
	}
	st := list[0]
	report, err := settlements.Report(ctx, p, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := settlements.SigningKeys(ctx)
	if err != nil || len(keys) != 1 || keys[0].ID != st.Report.KeyID {
		t.Fatalf("keys %+v for %+v (%v)", keys, st.Report, err)
	}
	dir := t.TempDir()
	file, changed := filepath.Join(dir, "report.csv"), filepath.Join(dir, "changed.csv")
	if err := os.WriteFile(file, report, 0o600); err != nil {
		t.Fatal(err)
	}
	altered := bytes.Clone(report)
	altered[len(altered)-3]++
	if err := os.WriteFile(changed, altered, 0o600); err != nil {
		t.Fatal(err)
	}
	otherKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	for _, c := range []struct {
		args []string
		ok   bool
		want string
	}{
		{[]string{file, "--sha256", st.Report.SHA256, "--signature", st.Report.Signature, "--public-key", keys[0].PublicKey}, true, "ok: "},
		{[]string{"--sha256", st.Report.SHA256, file, "--signature", st.Report.Signature, "--public-key", keys[0].PublicKey}, true, "ok: "},
		{[]string{changed, "--sha256", st.Report.SHA256, "--signature", st.Report.Signature, "--public-key", keys[0].PublicKey}, false, "SHA-256"},
		{[]string{file, "--sha256", st.Report.SHA256, "--signature", st.Report.Signature, "--public-key", otherKey}, false, "signature"},
		{[]string{file, "--sha256", st.Report.SHA256, "--public-key", keys[0].PublicKey}, false, "--signature"},
		{[]string{file, "--sha256", st.Report.SHA256, "--signature", st.Report.Signature, "--public-key", "c2hvcnQ="}, false, "--public-key"},
		{[]string{filepath.Join(dir, "missing.csv"), "--sha256", st.Report.SHA256, "--signature", st.Report.Signature, "--public-key", keys[0].PublicKey}, false, "read"},
	} {
		code, out, stderr := cli(t, append([]string{"report", "verify"}, c.args...)...)
		if (code == 0) != c.ok || !strings.Contains(out+stderr, c.want) {
			t.Errorf("report verify %v: exit %d, %q %q; want ok=%t and %q", c.args[:2], code, out, stderr, c.ok, c.want)
		}
	}
}
