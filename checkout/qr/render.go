package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// The PNG sizes PNG accepts, in pixels. Above the maximum an image only
// costs more to serve; below the minimum long payloads no longer fit.
const (
	MinPNGSize = 128
	MaxPNGSize = 1024
)

// modules returns the QR code for content as rows of modules, true for dark,
// with go-qrcode's four-module quiet zone already around it. Every renderer
// starts here so they all draw the same code at the same error correction.
func modules(content string) ([][]bool, error) {
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: encode %d bytes: %w", len(content), err)
	}
	return code.Bitmap(), nil
}

// PNG renders content as a size×size black-on-white PNG, quiet zone
// included. Each module is a whole number of pixels, so edges stay sharp
// at any size; the pixels left over widen the quiet zone. It fails when size
// is outside MinPNGSize..MaxPNGSize or the code has more modules than size
// has pixels.
func PNG(content string, size int) ([]byte, error) {
	if size < MinPNGSize || size > MaxPNGSize {
		return nil, fmt.Errorf("qr: PNG size %d is outside %d..%d", size, MinPNGSize, MaxPNGSize)
	}
	bits, err := modules(content)
	if err != nil {
		return nil, err
	}
	n := len(bits)
	scale := size / n
	if scale == 0 {
		return nil, fmt.Errorf("qr: a code of %d modules does not fit in %d pixels", n, size)
	}
	margin := (size - n*scale) / 2

	// Two colours keep the PNG at one bit per pixel; index 0 is white, so
	// the zeroed image starts blank.
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range bits {
		top := (margin + y*scale) * img.Stride
		line := img.Pix[top : top+img.Stride]
		for x, dark := range row {
			if dark {
				px := line[margin+x*scale : margin+(x+1)*scale]
				for i := range px {
					px[i] = 1
				}
			}
		}
		for i := 1; i < scale; i++ {
			copy(img.Pix[top+i*img.Stride:], line)
		}
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return buf.Bytes(), nil
}

// pngEncoder keeps compressors between calls: a fresh zlib writer is most of
// the memory a PNG costs, and the gateway renders one per order shown.
var pngEncoder = png.Encoder{BufferPool: new(encoderPool)}

type encoderPool struct{ pool sync.Pool }

func (p *encoderPool) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *encoderPool) Put(b *png.EncoderBuffer) { p.pool.Put(b) }
