package gateway

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/checkout"
)

const publicOrderKey = "public_order"

// browserPaths are the order endpoints a browser may call with the order's
// client secret (?client_secret=) instead of a secret key, from any
// origin: the order's public view, its QR image and its status stream,
// what scanpay.js draws. A secret key opens them as before.
var browserPaths = []string{"/orders/:id", "/orders/:id/qr.png", "/orders/:id/qr.svg", "/orders/:id/events"}

func (s *Server) browserRoutes(v1 *gin.RouterGroup) {
	for _, path := range browserPaths {
		v1.OPTIONS(path, allowCORS)
	}
	v1.GET("/orders/:id", allowCORS, s.authOrder, s.getOrder)
	// HEAD too: link checkers and caches ask it before fetching.
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/orders/:id/qr.png", allowCORS, s.authOrder, s.orderQRImage(checkout.ImagePNG))
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/orders/:id/qr.svg", allowCORS, s.authOrder, s.orderQRImage(checkout.ImageSVG))
	v1.GET("/orders/:id/events", allowCORS, s.authOrder, s.orderEvents)
}

// allowCORS lets pages of any origin read the answers of the browser
// endpoints, errors included, and answers their preflight. No credentials
// are allowed (nor needed: the client secret is in the URL), and
// Authorization is not among the headers a page may send, so no page can
// use a secret key through a visitor's browser.
func allowCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Request-Id")
	if c.Request.Method != http.MethodOptions {
		c.Next()
		return
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control")
	h.Set("Access-Control-Max-Age", "86400")
	c.AbortWithStatus(http.StatusNoContent)
}

// authOrder admits a request for one order by the order's client secret,
// when ?client_secret= is given, and otherwise by a secret key. Whatever
// is wrong with a client secret (another order's, a wrong or malformed
// one, an unknown order), the answer is the same 404.
func (s *Server) authOrder(c *gin.Context) {
	secret, given := c.GetQuery("client_secret")
	if !given {
		s.authMerchant(c)
		return
	}
	o, err := s.checkout.ByClientSecret(c.Request.Context(), c.Param("id"), secret)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(publicOrderKey, o)
	c.Next()
}

// publicOrder is the order a client secret opened, if one did.
func publicOrder(c *gin.Context) (checkout.PublicOrder, bool) {
	v, ok := c.Get(publicOrderKey)
	o, _ := v.(checkout.PublicOrder)
	return o, ok
}

// browserOrder is what a client secret shows of an order: what the hosted
// page shows, no more. Display holds the amount and currency as the
// hosted page writes them, in the language asked for (?locale=, or
// Accept-Language), so every page shows the same.
type browserOrder struct {
	ID               string          `json:"id"`
	Object           string          `json:"object"`
	Livemode         bool            `json:"livemode"`
	Status           checkout.Status `json:"status"`
	Amount           int64           `json:"amount"`
	Currency         string          `json:"currency"`
	Description      string          `json:"description"`
	MerchantName     string          `json:"merchant_name"`
	QR               browserQR       `json:"qr"`
	ExpiresAt        time.Time       `json:"expires_at"`
	SecondsRemaining int64           `json:"seconds_remaining"`
	Display          browserDisplay  `json:"display"`
}

type browserQR struct {
	Format  string `json:"format"`
	Payload string `json:"payload"`
}

type browserDisplay struct {
	Locale   string `json:"locale"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func (s *Server) browserView(c *gin.Context, o checkout.PublicOrder) browserOrder {
	lang := language(c.GetHeader("Accept-Language"))
	if locale := c.Query("locale"); locale != "" {
		lang = language(locale)
	}
	return browserOrder{
		ID: o.ID, Object: "order", Livemode: o.Livemode, Status: o.Status, Amount: o.Amount, Currency: o.Currency,
		Description: o.Description, MerchantName: o.MerchantName, QR: browserQR{Format: o.QRFormat, Payload: o.Payload},
		ExpiresAt: o.ExpiresAt, SecondsRemaining: int64(max(0, o.ExpiresAt.Sub(s.now())/time.Second)),
		Display: browserDisplay{Locale: lang, Amount: displayAmount(o.Amount, o.Currency), Currency: currencyLabel(o.Currency, lang)},
	}
}

// orderEvents streams one order's status as server-sent events, to a
// browser holding its client secret or to the merchant's till, as the
// hosted page's stream does.
func (s *Server) orderEvents(c *gin.Context) {
	id := c.Param("id")
	if _, ok := publicOrder(c); !ok {
		if _, err := s.checkout.GetOrder(c.Request.Context(), principal(c), id); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.streamStatus(c, id)
}
