package gateway

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed js/scanpay.js js/scanpay.css
var scriptFiles embed.FS

// scriptMessages are the hosted page's texts scanpay.js shows, so the
// checkout reads the same in a merchant's page as on ours.
var scriptMessages = []string{"scan", "expiresIn", "embedPaidNote", "paid", "expired", "expNote", "canceled", "canNote",
	"testMode", "order", "failed", "failNote"}

// asset is a file the gateway serves to browsers as it is, named by its
// content so caches can keep it and revalidate it cheaply.
type asset struct {
	contentType string
	body        []byte
	etag        string
}

func newAsset(contentType string, body []byte) asset {
	sum := sha256.Sum256(body)
	return asset{contentType: contentType, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// scripts are scanpay.js, with the texts filled in, and its stylesheet.
var scripts = func() map[string]asset {
	texts := map[string]map[string]string{}
	for lang, m := range messages {
		texts[lang] = map[string]string{}
		for _, k := range scriptMessages {
			texts[lang][k] = m[k]
		}
	}
	// encoding/json escapes <, > and &, so the texts cannot end the script.
	encoded, err := json.Marshal(texts)
	if err != nil {
		panic(err)
	}
	js, _ := scriptFiles.ReadFile("js/scanpay.js")
	if !bytes.Contains(js, []byte("/* messages */ {}")) {
		panic("gateway: scanpay.js has no place for its messages")
	}
	css, _ := scriptFiles.ReadFile("js/scanpay.css")
	return map[string]asset{
		"/js/v1/scanpay.js":  newAsset("text/javascript; charset=utf-8", bytes.Replace(js, []byte("/* messages */ {}"), encoded, 1)),
		"/js/v1/scanpay.css": newAsset("text/css; charset=utf-8", css),
	}
}()

// scriptRoutes serve scanpay.js and its stylesheet. Both may be cached for
// a day by anyone, and are then revalidated by their ETag: a new version
// of the gateway reaches pages within a day, or at once for a page that
// revalidates.
func (s *Server) scriptRoutes(r *gin.Engine) {
	for path, a := range scripts {
		r.Match([]string{http.MethodGet, http.MethodHead}, path, serveAsset(a))
	}
}

func serveAsset(a asset) gin.HandlerFunc {
	return func(c *gin.Context) {
		serveCached(c, a.contentType, a.body, a.etag, "public, max-age=86400")
	}
}
