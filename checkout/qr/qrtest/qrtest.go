// Package qrtest reads QR codes back in tests with a real decoder
// (gozxing), the way a payer's scanner would.
package qrtest

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Scan decodes the QR code in img, locating it rather than assuming a
// bare, aligned code.
func Scan(tb testing.TB, img image.Image) string {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatalf("gozxing bitmap: %v", err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		tb.Fatalf("gozxing decode: %v", err)
	}
	return res.GetText()
}

// DecodePNG parses a PNG image.
func DecodePNG(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("png.Decode: %v", err)
	}
	return img
}

// ScanPNG decodes the QR code in a PNG image.
func ScanPNG(tb testing.TB, b []byte) string {
	tb.Helper()
	return Scan(tb, DecodePNG(tb, b))
}
