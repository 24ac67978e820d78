package qr

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
)

func TestTerminal(t *testing.T) {
	content := mustEncode(t, sampleEMVCo())
	out, err := Terminal(content)
	if err != nil {
		t.Fatalf("Terminal: %v", err)
	}
	want, err := modules(content)
	if err != nil {
		t.Fatal(err)
	}
	n := len(want)
	if !strings.HasSuffix(out, "\n") {
		t.Fatal("output does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != (n+1)/2 {
		t.Fatalf("%d lines for %d rows of modules, want %d", len(lines), n, (n+1)/2)
	}

	// Read the half blocks back into modules.
	got := make([][]bool, len(lines)*2)
	for i, line := range lines {
		cells, ok := strings.CutPrefix(line, termColours)
		if ok {
			cells, ok = strings.CutSuffix(cells, termReset)
		}
		if !ok {
			t.Fatalf("line %d is not wrapped in the colour codes: %q", i, line)
		}
		if c := utf8.RuneCountInString(cells); c != n {
			t.Fatalf("line %d is %d characters wide, want %d", i, c, n)
		}
		top, bottom := make([]bool, 0, n), make([]bool, 0, n)
		for _, r := range cells {
			switch r {
			case ' ':
				top, bottom = append(top, false), append(bottom, false)
			case '▄':
				top, bottom = append(top, false), append(bottom, true)
			case '▀':
				top, bottom = append(top, true), append(bottom, false)
			case '█':
				top, bottom = append(top, true), append(bottom, true)
			default:
				t.Fatalf("line %d has %q", i, r)
			}
		}
		got[2*i], got[2*i+1] = top, bottom
	}
	for y := range got {
		for x := range n {
			wantDark := y < n && want[y][x]
			if got[y][x] != wantDark {
				t.Fatalf("module (%d, %d) is %v on the terminal, %v in the code", x, y, got[y][x], wantDark)
			}
		}
	}
	if text := qrtest.Scan(t, paint(got[:n], 8)); text != content {
		t.Errorf("scanned %q, want %q", text, content)
	}
}

func TestTerminalTooLong(t *testing.T) {
	if _, err := Terminal(strings.Repeat("x", 3000)); err == nil {
		t.Error("Terminal returned no error for content no code can hold")
	}
}
