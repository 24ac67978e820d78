package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestServeCollectsGarbageLessOftenUnlessGOGCSays(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	if gogc, set := os.LookupEnv("GOGC"); set {
		t.Setenv("GOGC", gogc) // restored after the test
	}
	os.Unsetenv("GOGC")
	tuneGC()
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Fatalf("GC percent %d without GOGC, want %d", got, serveGCPercent)
	}
	t.Setenv("GOGC", "100")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent %d with GOGC=100, want it left alone", got)
	}
}

func TestServeRefusesANegativePool(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := cli(t, "serve", "--db-max-conns", "-1", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "x.db"), "--secret-key-file", filepath.Join(dir, "k"))
	if code != 1 || !strings.Contains(errOut, "--db-max-conns") {
		t.Fatalf("serve --db-max-conns -1: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("serve with a bad --db-max-conns created its database (%v)", err)
	}
}
