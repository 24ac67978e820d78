package checkout

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/merchant"
)

// Image kinds and sizes for QR images.
const (
	ImagePNG         = "png"
	ImageSVG         = "svg"
	MinPNGSize       = 128
	MaxPNGSize       = 1024
	DefaultPNGSize   = 256
	svgSizeCacheSlot = 0
)

// Image is a rendered QR code. ETag names its content, so clients and
// caches can revalidate without a new render.
type Image struct {
	Kind string
	Data []byte
	ETag string
}

// QRImage returns the image of one of the principal's orders. The payload
// never changes, so each image is rendered once and served from memory
// afterwards.
func (s *Service) QRImage(ctx context.Context, p merchant.Principal, orderID, kind string, size int) (Image, error) {
	if err := checkImageSize(kind, size); err != nil {
		return Image{}, err
	}
	row, err := merchant.Find[orderRow](ctx, s.db, p, "order", orderID)
	if err != nil {
		return Image{}, err
	}
	return s.Image(row.QRPayload, kind, size)
}

// Image returns the image of a QR code payload, from the cache of
// rendered images: an order's (from its public view) or a static code's.
// A PNG's size must be within MinPNGSize..MaxPNGSize; an SVG's is ignored.
func (s *Service) Image(payload, kind string, size int) (Image, error) {
	if err := checkImageSize(kind, size); err != nil {
		return Image{}, err
	}
	if kind == ImageSVG {
		size = svgSizeCacheSlot
	}
	return s.images.get(payload, kind, size)
}

func checkImageSize(kind string, size int) error {
	if kind == ImagePNG && (size < MinPNGSize || size > MaxPNGSize) {
		return scanpay.Invalid("size", "size must be between %d and %d pixels", MinPNGSize, MaxPNGSize)
	}
	return nil
}

// imageETag names an image by what it shows, so it can be computed without
// rendering.
func imageETag(payload, kind string, size int) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strconv.Itoa(size) + "\x00" + payload))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

type imageKey struct {
	payload string
	kind    string
	size    int
}

type cachedImage struct {
	key imageKey
	img Image
}

// imageCache is a bounded least-recently-used cache of rendered images.
type imageCache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of *cachedImage, most recently used at the front
	entries map[imageKey]*list.Element
}

func newImageCache(max int) *imageCache {
	return &imageCache{max: max, order: list.New(), entries: map[imageKey]*list.Element{}}
}

func (c *imageCache) get(payload, kind string, size int) (Image, error) {
	key := imageKey{payload, kind, size}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		img := el.Value.(*cachedImage).img
		c.mu.Unlock()
		return img, nil
	}
	c.mu.Unlock()

	// Rendered outside the lock: two first requests may both render, which
	// costs a millisecond and keeps every other request from waiting.
	img := Image{Kind: kind, ETag: imageETag(payload, kind, size)}
	var err error
	if kind == ImageSVG {
		img.Data, err = qr.SVG(payload)
	} else {
		img.Data, err = qr.PNG(payload, size)
	}
	if err != nil {
		return Image{}, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = c.order.PushFront(&cachedImage{key, img})
		if c.order.Len() > c.max {
			old := c.order.Remove(c.order.Back()).(*cachedImage)
			delete(c.entries, old.key)
		}
	}
	return img, nil
}

// CheckoutQR returns the SVG of an order's QR code for the hosted page,
// from the same cache as QRImage.
func (s *Service) CheckoutQR(o PublicOrder) ([]byte, error) {
	img, err := s.Image(o.Payload, ImageSVG, 0)
	return img.Data, err
}
