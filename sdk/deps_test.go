package sdk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The SDK imports the standard library only, so a merchant's build pulls
// in nothing else.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if deps := strings.Fields(string(out)); len(deps) != 1 || deps[0] != "github.com/scanpay/scanpay/sdk" {
		t.Fatalf("package sdk depends on %v, want the standard library only", deps)
	}
}
