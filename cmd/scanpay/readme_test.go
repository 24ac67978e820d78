package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEWalkthrough keeps README.md one a newcomer can follow to the
// end: every file it names is in the repository, the order it pays is not
// one it canceled, and its webhook example points at a receiver on the
// reader's own machine, which the gateway reaches only with
// --webhook-allow-private, and which it then tells them to delete.
func TestREADMEWalkthrough(t *testing.T) {
	const root = "../.."
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)

	files := regexp.MustCompile("(?:`|\\]\\()([\\w./-]+\\.md)(?:`|\\))").FindAllStringSubmatch(readme, -1)
	if len(files) == 0 {
		t.Fatal("README names no .md file; the API contract should be linked")
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(root, f[1])); err != nil {
			t.Errorf("README names %s, which is not in the repository", f[1])
		}
	}
	if !strings.Contains(readme, "](docs/API.md)") {
		t.Error("README does not link the API contract, docs/API.md")
	}

	if !strings.Contains(readme, `-d "{\"order\": \"$ORDER\"}"`) {
		t.Fatal("the walkthrough no longer pays $ORDER; update this test")
	}
	if strings.Contains(readme, "/orders/$ORDER/cancel") {
		t.Error("the walkthrough cancels $ORDER, then pays it")
	}

	urls := regexp.MustCompile(`"url": "([^"]+)"`).FindAllStringSubmatch(readme, -1)
	if len(urls) == 0 {
		t.Fatal("README registers no webhook endpoint")
	}
	for _, u := range urls {
		if !strings.HasPrefix(u[1], "http://127.0.0.1:") && !strings.HasPrefix(u[1], "http://localhost:") {
			t.Errorf("the webhook example points at %s, not a receiver on the reader's machine", u[1])
		}
	}
	for _, want := range []string{"serve --webhook-allow-private", "-X DELETE $GW/v1/webhook_endpoints/$ENDPOINT"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}
