package qr

import (
	"strings"
	"testing"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
)

func TestPNGScans(t *testing.T) {
	contents := map[string]string{
		"url":   testURL,
		"emvco": mustEncode(t, sampleEMVCo()),
	}
	for name, content := range contents {
		for _, size := range []int{MinPNGSize, 256, MaxPNGSize} {
			b, err := PNG(content, size)
			if err != nil {
				t.Fatalf("%s at %d: PNG: %v", name, size, err)
			}
			img := qrtest.DecodePNG(t, b)
			if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
				t.Errorf("%s at %d: image is %v", name, size, r)
			}
			if got := qrtest.Scan(t, img); got != content {
				t.Errorf("%s at %d: scanned %q, want %q", name, size, got, content)
			}
		}
	}
}

// TestPNGQuietZone checks that everything outside the symbol is white and
// that the symbol's corner, a finder pattern, starts right after four
// modules of quiet zone plus the centring margin.
func TestPNGQuietZone(t *testing.T) {
	bits, err := modules(testURL)
	if err != nil {
		t.Fatal(err)
	}
	const size = 256
	b, err := PNG(testURL, size)
	if err != nil {
		t.Fatal(err)
	}
	img := qrtest.DecodePNG(t, b)
	scale := size / len(bits)
	lo := (size-len(bits)*scale)/2 + 4*scale
	hi := size - lo
	dark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
	for y := range size {
		for x := range size {
			if (x < lo || x >= hi || y < lo || y >= hi) && dark(x, y) {
				t.Fatalf("pixel (%d, %d) outside the symbol is dark", x, y)
			}
		}
	}
	if !dark(lo, lo) || !dark(hi-1, lo) || !dark(lo, hi-1) {
		t.Errorf("a finder pattern's corner is not where the quiet zone ends")
	}
}

func TestPNGRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
		size    int
	}{
		{"empty content", "", 256},
		{"too small", testURL, MinPNGSize - 1},
		{"too large", testURL, MaxPNGSize + 1},
		{"more modules than pixels", strings.Repeat("x", 1500), MinPNGSize},
		{"content too long for any code", strings.Repeat("x", 3000), MaxPNGSize},
	}
	for _, tt := range tests {
		if _, err := PNG(tt.content, tt.size); err == nil {
			t.Errorf("%s: PNG returned no error", tt.name)
		}
	}
}

func BenchmarkPNG256(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PNG(testURL, 256); err != nil {
			b.Fatal(err)
		}
	}
}
