package gateway

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

//go:embed templates/*.html
var templateFiles embed.FS

var checkoutTemplate = template.Must(template.ParseFS(templateFiles, "templates/checkout.html"))

// checkoutPage is what the hosted checkout template shows.
type checkoutPage struct {
	Lang         string
	T            map[string]string
	Title        string
	Nonce        string
	OrderID      string
	MerchantName string
	Amount       string
	Description  string
	Livemode     bool
	QR           template.HTML
	Status       string
	Remaining    int64
	EventsURL    string
}

func (s *Server) pageRoutes(r *gin.Engine) {
	r.GET("/pay/:id", s.checkoutPage)
	r.GET("/pay/:id/events", s.checkoutEvents)
	r.GET("/q/:code", s.scanLanding)
}

// checkoutPage renders the hosted page a payer sees: merchant, amount, the
// QR and a countdown, switching to the outcome live. Everything it needs
// is inline; it loads nothing from elsewhere.
func (s *Server) checkoutPage(c *gin.Context) {
	o, err := s.checkout.Checkout(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	svg, err := s.checkout.CheckoutQR(o)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := language(c.GetHeader("Accept-Language"))
	page := checkoutPage{
		Lang:         lang,
		T:            messages[lang],
		Title:        fmt.Sprintf(messages[lang]["title"], o.MerchantName),
		Nonce:        scanpay.RandomToken(16),
		OrderID:      o.ID,
		MerchantName: o.MerchantName,
		Amount:       displayAmount(o.Amount, o.Currency),
		Description:  o.Description,
		Livemode:     o.Livemode,
		QR:           template.HTML(svg), // rendered by our own QR encoder, not from input
		Status:       pageStatus(o.Status),
		Remaining:    int64(max(0, o.ExpiresAt.Sub(s.now())/time.Second)),
		EventsURL:    "/pay/" + o.ID + "/events",
	}
	var buf bytes.Buffer
	if err := checkoutTemplate.Execute(&buf, page); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", fmt.Sprintf(
		"default-src 'none'; style-src 'nonce-%[1]s'; script-src 'nonce-%[1]s'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'", page.Nonce))
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Vary", "Accept-Language")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// pageStatus folds an order status into the page's four screens: a
// refunded order was still paid as far as the payer at the till goes.
func pageStatus(st checkout.Status) string {
	switch st {
	case checkout.StatusPaid, checkout.StatusPartiallyRefunded, checkout.StatusRefunded:
		return "paid"
	}
	return string(st)
}

// scanLanding is where a URL-format QR code leads a phone's camera app:
// on to the order's checkout page.
func (s *Server) scanLanding(c *gin.Context) {
	o, err := s.checkout.ByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusFound, "/pay/"+o.ID)
}
