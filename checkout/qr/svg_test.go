package qr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
)

// svgDoc is the shape SVG promises: a background rect and one path.
type svgDoc struct {
	XMLName        xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Rect           struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

func TestSVG(t *testing.T) {
	for name, content := range map[string]string{"url": testURL, "emvco": mustEncode(t, sampleEMVCo())} {
		t.Run(name, func(t *testing.T) {
			b, err := SVG(content)
			if err != nil {
				t.Fatalf("SVG: %v", err)
			}
			if bytes.Contains(b, []byte("href")) {
				t.Error("SVG has an external reference")
			}
			var doc svgDoc
			if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, b)
			}
			want, err := modules(content)
			if err != nil {
				t.Fatal(err)
			}
			n := len(want)
			if vb := fmt.Sprintf("0 0 %d %d", n, n); doc.ViewBox != vb {
				t.Errorf("viewBox = %q, want %q", doc.ViewBox, vb)
			}
			if doc.ShapeRendering != "crispEdges" {
				t.Errorf("shape-rendering = %q", doc.ShapeRendering)
			}
			if r := doc.Rect; r.Width != fmt.Sprint(n) || r.Height != fmt.Sprint(n) || r.Fill != "#fff" {
				t.Errorf("background rect = %+v, want a white %d×%d", r, n, n)
			}
			if len(doc.Paths) != 1 {
				t.Fatalf("%d paths, want 1", len(doc.Paths))
			}

			got := rasterise(t, doc.Paths[0].D, n)
			for y := range n {
				for x := range n {
					if got[y][x] != want[y][x] {
						t.Fatalf("module (%d, %d) is %v in the SVG, %v in the code", x, y, got[y][x], want[y][x])
					}
				}
			}
			if text := qrtest.Scan(t, paint(got, 8)); text != content {
				t.Errorf("scanned %q, want %q", text, content)
			}
		})
	}
}

// rasterise reads back the path SVG writes, one "Mx yhWv1h-Wz" rectangle
// per run, into modules, failing on anything else or on overlapping runs.
func rasterise(t *testing.T, d string, n int) [][]bool {
	t.Helper()
	grid := make([][]bool, n)
	for i := range grid {
		grid[i] = make([]bool, n)
	}
	if !strings.HasSuffix(d, "z") {
		t.Fatalf("path does not end with z: %q", d)
	}
	for _, run := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y, w, back int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &w, &back); err != nil {
			t.Fatalf("path segment %q: %v", run, err)
		}
		if back != w || w < 1 || x < 0 || y < 0 || y >= n || x+w > n {
			t.Fatalf("path segment %q is not a run inside the code", run)
		}
		for i := x; i < x+w; i++ {
			if grid[y][i] {
				t.Fatalf("path segment %q overlaps another", run)
			}
			grid[y][i] = true
		}
	}
	return grid
}

// paint draws modules black on white at scale pixels per module.
func paint(grid [][]bool, scale int) image.Image {
	n := len(grid) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			c := color.Gray{Y: 0xFF}
			if grid[y/scale][x/scale] {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

func BenchmarkSVG(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SVG(testURL); err != nil {
			b.Fatal(err)
		}
	}
}
