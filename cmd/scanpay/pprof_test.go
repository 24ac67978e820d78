package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestServePprofOnlyWhenAsked(t *testing.T) {
	db := storagetest.URL(t)
	gw, _, logs := startServeLogs(t, db, "--pprof-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`msg="pprof listening" addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no pprof listener in the log:\n%s", logs.String())
	}
	for url, want := range map[string]int{
		"http://" + m[1] + "/debug/pprof/cmdline": http.StatusOK,
		gw + "/debug/pprof/cmdline":               http.StatusNotFound,
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", url, resp.StatusCode, want)
		}
	}
	_, _, logs = startServeLogs(t, db)
	if strings.Contains(logs.String(), "pprof") {
		t.Fatalf("pprof started without --pprof-addr:\n%s", logs.String())
	}
}
