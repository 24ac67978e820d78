package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestPlatformCampaignsFromTheCommandLine runs the operator's campaign
// commands against the real binary's code: create one limited to a
// merchant, refuse bad input naming the flag, list, pause, end.
func TestPlatformCampaignsFromTheCommandLine(t *testing.T) {
	db := storagetest.URL(t)
	if code, _, stderr := cli(t, "migrate", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := cli(t, "merchant", "create", "--name", "Blue Bottle", "--db", db, "--json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var created struct{ Merchant struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = cli(t, "campaign", "create", "--funding", "platform", "--name", "Double 11", "--percent-off-bps", "1000",
		"--max-discount", "500", "--max-amount", "100000", "--claimable", "--merchant", created.Merchant.ID, "--db", db, "--json")
	if code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	var c struct {
		ID, Funding, Status string
		Merchants           []string
		BudgetLeft          int64 `json:"budget_left"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Funding != "platform" || c.Status != "active" ||
		len(c.Merchants) != 1 || c.Merchants[0] != created.Merchant.ID || c.BudgetLeft != 100000 {
		t.Fatalf("campaign %s (%v)", out, err)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "x", "--percent-off-bps", "10001"}, "--percent-off-bps"},
		{[]string{"--name", "x", "--amount-off", "0"}, "--amount-off"},
		{[]string{"--name", "x", "--amount-off", "10", "--ends-at", "soon"}, "--ends-at"},
		{[]string{"--name", "x", "--amount-off", "10", "--merchant", "mch_nobody"}, "no such merchant"},
	} {
		args := append([]string{"campaign", "create", "--funding", "platform", "--db", db}, bad.args...)
		if code, _, stderr := cli(t, args...); code == 0 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%v: exit %d, %q; want an error naming %s", bad.args, code, stderr, bad.want)
		}
	}
	if code, _, stderr := cli(t, "campaign", "create", "--name", "x", "--amount-off", "10", "--db", db); code != 2 || !strings.Contains(stderr, "--funding platform") {
		t.Errorf("without --funding: exit %d, %q", code, stderr)
	}
	if code, out, _ := cli(t, "campaign", "list", "--db", db); code != 0 || !strings.Contains(out, c.ID) || !strings.Contains(out, "Double 11") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ := cli(t, "campaign", "pause", "--campaign", c.ID, "--db", db); code != 0 || !strings.Contains(out, "paused") {
		t.Fatalf("pause: %d %s", code, out)
	}
	if code, out, _ := cli(t, "campaign", "end", "--campaign", c.ID, "--db", db); code != 0 || !strings.Contains(out, "ended") {
		t.Fatalf("end: %d %s", code, out)
	}
	if code, _, stderr := cli(t, "campaign", "resume", "--campaign", c.ID, "--db", db); code == 0 || !strings.Contains(stderr, "ended") {
		t.Fatalf("resuming an ended campaign: %d %s", code, stderr)
	}
}
