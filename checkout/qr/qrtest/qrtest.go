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

// Scan decodes the QR code in img, first locating it as a camera app
// would. gozxing's locator misplaces the finder patterns of about 1 symbol
// in 100 (from any encoder: go-qrcode and rsc.io/qr alike), which zbar
// reads without trouble, and then reports the code missing or its data
// corrupt; those are read again as what the images are, a pure upright
// code with its quiet zone. Either way the modules are decoded and
// error-corrected for real, and the text must match, so a wrong image
// cannot pass.
func Scan(tb testing.TB, img image.Image) string {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatalf("gozxing bitmap: %v", err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		res, err = zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
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
