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

var (
	checkoutTemplate = template.Must(template.ParseFS(templateFiles, "templates/checkout.html"))
	errorTemplate    = template.Must(template.ParseFS(templateFiles, "templates/error.html"))
	staticTemplate   = template.Must(template.ParseFS(templateFiles, "templates/static.html"))
)

// checkoutPage is what the hosted checkout template shows.
type checkoutPage struct {
	Lang         string
	T            map[string]string
	Title        string
	Nonce        string
	OrderID      string
	MerchantName string
	Amount       string
	Currency     string // the currency's name and code, under the amount
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
		s.failPage(c, err)
		return
	}
	svg, err := s.checkout.CheckoutQR(o)
	if err != nil {
		s.failPage(c, err)
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
		Currency:     currencyLabel(o.Currency, lang),
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
	writePage(c, http.StatusOK, page.Nonce, buf.Bytes())
}

// writePage sends a hosted page with the headers every one of them needs:
// its CSP lets only its own nonce-pinned inline style and script run, and
// no other site may frame it (frame-ancestors, and X-Frame-Options for
// browsers that predate it), so a payment page cannot be overlaid to
// trick a payer's clicks.
func writePage(c *gin.Context, status int, nonce string, html []byte) {
	c.Header("Content-Security-Policy", fmt.Sprintf(
		"default-src 'none'; style-src 'nonce-%[1]s'; script-src 'nonce-%[1]s'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", nonce))
	c.Header("X-Frame-Options", "DENY")
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Vary", "Accept, Accept-Language")
	c.Data(status, "text/html; charset=utf-8", html)
}

// errorPage is what the hosted error template shows.
type errorPage struct {
	Lang      string
	T         map[string]string
	Nonce     string
	Title     string
	Note      string
	RequestID string
}

// failPage answers a hosted page that cannot be shown. A client that asks
// for JSON (Accept: application/json) gets the API's error object; a
// browser gets a page in the payer's language with the same status: a
// payer who opens a stale or mistyped link must not face raw JSON.
func (s *Server) failPage(c *gin.Context, err error) {
	if c.NegotiateFormat("text/html", "application/json") == "application/json" {
		s.fail(c, err)
		return
	}
	status, _ := s.classify(c, err)
	lang := language(c.GetHeader("Accept-Language"))
	t := messages[lang]
	page := errorPage{Lang: lang, T: t, Nonce: scanpay.RandomToken(16), Title: t["failed"], Note: t["failNote"], RequestID: requestID(c)}
	if status == http.StatusNotFound {
		page.Title, page.Note = t["notFound"], t["nfNote"]
	}
	var buf bytes.Buffer
	if err := errorTemplate.Execute(&buf, page); err != nil {
		s.fail(c, err)
		return
	}
	writePage(c, status, page.Nonce, buf.Bytes())
	c.Abort()
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
// on to the order's checkout page, or, for a merchant's static code, a
// page that says to scan it with a wallet, which asks for the amount.
func (s *Server) scanLanding(c *gin.Context) {
	code := c.Param("code")
	if checkout.IsStaticCode(code) {
		s.staticLanding(c, code)
		return
	}
	o, err := s.checkout.ByCode(c.Request.Context(), code)
	if err != nil {
		s.failPage(c, err)
		return
	}
	c.Redirect(http.StatusFound, "/pay/"+o.ID)
}

// staticPage is what the static code's template shows.
type staticPage struct {
	Lang     string
	T        map[string]string
	Nonce    string
	Title    string
	Livemode bool
}

func (s *Server) staticLanding(c *gin.Context, code string) {
	owner, err := s.checkout.StaticOwner(c.Request.Context(), code)
	if err != nil {
		s.failPage(c, err)
		return
	}
	lang := language(c.GetHeader("Accept-Language"))
	page := staticPage{Lang: lang, T: messages[lang], Nonce: scanpay.RandomToken(16),
		Title: fmt.Sprintf(messages[lang]["title"], owner.MerchantName), Livemode: owner.Livemode}
	var buf bytes.Buffer
	if err := staticTemplate.Execute(&buf, page); err != nil {
		s.fail(c, err)
		return
	}
	writePage(c, http.StatusOK, page.Nonce, buf.Bytes())
}
