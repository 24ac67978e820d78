package main

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	code, _, errOut := cli(t, "serve", "--addr", addr, "--db", storagetest.URL(t), "--secret-key-file", filepath.Join(t.TempDir(), "k"))
	if code != 1 || !strings.Contains(errOut, addr) || !strings.Contains(errOut, "already in use") ||
		!strings.Contains(errOut, "--addr") || !strings.Contains(errOut, "SCANPAY_ADDR") {
		t.Fatalf("serve on a taken port: %d %q", code, errOut)
	}
}

// TestReadOnlyCommandsNeedADatabase: a mistyped --db is an error naming
// the path, not a new empty database that verifies "ok".
func TestReadOnlyCommandsNeedADatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"ledger", "verify", "--db", missing},
		{"ledger", "verify", "--db", "sqlite://" + missing},
		{"merchant", "key", "list", "--merchant", "mch_x", "--db", missing},
		{"merchant", "key", "create", "--merchant", "mch_x", "--db", missing},
		{"merchant", "key", "revoke", "--key", "key_x", "--db", missing},
		{"settle", "--db", missing},
	} {
		code, out, errOut := cli(t, args...)
		if code != 1 || strings.Contains(out, "ok") || !strings.Contains(errOut, missing+" does not exist") {
			t.Errorf("%v: %d %q %q", args, code, out, errOut)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%v created %s (%v)", args, missing, err)
		}
	}
	// An existing database still verifies.
	db := storagetest.URL(t)
	if code, _, errOut := cli(t, "migrate", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, errOut := cli(t, "ledger", "verify", "--db", db); code != 0 || !strings.Contains(out, "ok:") {
		t.Fatalf("ledger verify of a migrated database: %d %s %s", code, out, errOut)
	}
}

func TestBaseURLMustBeAbsolute(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://pay.example.com", true},
		{"http://127.0.0.1:9000/", true},
		{"https://example.com/scanpay", true},
		{"notaurl", false},
		{"pay.example.com", false},
		{"/pay", false},
		{"ftp://pay.example.com", false},
		{"http://", false},
		{"http://:8080", false},
		{"https://pay.example.com/?a=1", false},
		{"https://pay.example.com/?", false},
		{"https://pay.example.com/#top", false},
		{"https://pay.example.com/#", false},
		{"https://user:pw@pay.example.com", false},
	} {
		cfg := Config{BaseURL: tt.url}
		if err := cfg.checkBaseURL(); (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), "--base-url") {
			t.Errorf("--base-url %q: %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
	// serve refuses it before it opens anything.
	dir := t.TempDir()
	code, _, errOut := cli(t, "serve", "--base-url", "notaurl", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "x.db"), "--secret-key-file", filepath.Join(dir, "k"))
	if code != 1 || !strings.Contains(errOut, `--base-url "notaurl"`) {
		t.Fatalf("serve --base-url notaurl: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("serve with a bad --base-url created its database (%v)", err)
	}
}

// TestDefaultBaseURLAsDocumented holds the code to what README.md says of
// the default --base-url.
func TestDefaultBaseURLAsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("`--addr ([^`]+)` → `([^`]+)`").FindAllStringSubmatch(string(readme), -1)
	if len(examples) < 2 {
		t.Fatalf("README.md documents %d --addr → --base-url examples, want at least 2", len(examples))
	}
	for _, ex := range examples {
		if got := (&Config{}).baseURL(ex[1]); got != ex[2] {
			t.Errorf("README says --addr %s gives %s; the code gives %s", ex[1], ex[2], got)
		}
	}
}

func TestStartLogNamesDatabaseAndWebhookFlag(t *testing.T) {
	db := storagetest.URL(t)
	_, stop, logs := startServeLogs(t, db)
	stop()
	line := regexp.MustCompile(`msg="scanpay listening".*`).FindString(logs.String())
	if !strings.Contains(line, `db="`+databaseLabel(db)+`"`) && !strings.Contains(line, "db="+databaseLabel(db)+" ") {
		t.Errorf("start log %q does not name the database %s", line, databaseLabel(db))
	}
	if !strings.Contains(line, "webhook_allow_private=true") {
		t.Errorf("start log %q does not say --webhook-allow-private is on", line)
	}
}

func TestDatabaseLabel(t *testing.T) {
	abs, err := filepath.Abs("scanpay.db")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"scanpay.db":           "sqlite " + abs,
		"sqlite://scanpay.db":  "sqlite " + abs,
		"sqlite:///var/x.db?a": "sqlite /var/x.db",
		"postgres://app:s3cret@db.internal:5432/scanpay?sslmode=require": "postgres://app:xxxxx@db.internal:5432/scanpay?sslmode=require",
		"postgresql://app@db/scanpay?password=s3cret&sslmode=disable":    "postgresql://app@db/scanpay?password=xxxxx&sslmode=disable",
	} {
		got := databaseLabel(in)
		if got != want || strings.Contains(got, "s3cret") {
			t.Errorf("databaseLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := cli(t, "version")
	if code != 0 || !strings.Contains(out, "go      "+runtime.Version()+"\n") || !strings.HasPrefix(out, "scanpay ") || !strings.Contains(out, "\ncommit  ") {
		t.Fatalf("version: %d\n%s", code, out)
	}
	got := versionText(&debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/scanpay/scanpay", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "4666bc353d96a0f7e8c7fc9e147be9a0a04f9896"},
			{Key: "vcs.time", Value: "2026-11-26T12:56:47Z"}, {Key: "vcs.modified", Value: "true"}},
	})
	want := "scanpay v1.2.3\nmodule  github.com/scanpay/scanpay\ncommit  4666bc353d96a0f7e8c7fc9e147be9a0a04f9896 (2026-11-26T12:56:47Z) with uncommitted changes\ngo      go1.26.8\n"
	if got != want {
		t.Fatalf("versionText =\n%s\nwant\n%s", got, want)
	}
	if got := versionText(&debug.BuildInfo{GoVersion: "go1.26.8"}); !strings.Contains(got, "commit  unknown\n") {
		t.Fatalf("without VCS information: %s", got)
	}
}

func TestStaticQRDailyLimitFlag(t *testing.T) {
	for _, tt := range []struct {
		flag string
		want map[string]int64
	}{
		{"CNY:500.00", map[string]int64{"CNY": 50000}},
		{"CNY:500, HKD:550.5,JPY:10000", map[string]int64{"CNY": 50000, "HKD": 55050, "JPY": 10000}},
		{"none", map[string]int64{}},
		{"", nil},
		{"CNY", nil},
		{"cny:500", nil},
		{"CNY:500.001", nil},
		{"CNY:0", nil},
		{"CNY:-5", nil},
		{"JPY:10.5", nil},
	} {
		got, err := (&Config{StaticQRDailyLimit: tt.flag}).staticQRDailyLimits()
		if tt.want == nil {
			if err == nil || !strings.Contains(err.Error(), "--static-qr-daily-limit") {
				t.Errorf("%q: %v, %v; want an error naming the flag", tt.flag, got, err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.flag, got, err, tt.want)
			continue
		}
		for code, amount := range tt.want {
			if got[code] != amount {
				t.Errorf("%q: %v, want %v", tt.flag, got, tt.want)
			}
		}
	}
	// serve refuses a bad one before it opens anything.
	dir := t.TempDir()
	code, _, errOut := cli(t, "serve", "--static-qr-daily-limit", "500", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "x.db"), "--secret-key-file", filepath.Join(dir, "k"))
	if code != 1 || !strings.Contains(errOut, "--static-qr-daily-limit") {
		t.Fatalf("serve with a bad limit: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("serve with a bad limit created its database (%v)", err)
	}
}
