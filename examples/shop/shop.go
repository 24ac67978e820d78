package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/scanpay/scanpay/sdk"
)

//go:embed templates/*.html
var templates embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"yuan": func(fen int64) string { return fmt.Sprintf("¥%d.%02d", fen/100, fen%100) },
}).ParseFS(templates, "templates/*.html"))

// shop is a small web shop that takes payment through Scanpay, using the
// SDK only: checkout makes a gateway order with the shop's own order
// number and sends the customer to the hosted checkout page; the webhook
// tells the shop when the order is paid; the refund button gives the money
// back.
type shop struct {
	client *sdk.Client
	orders *store
	log    *slog.Logger
	mux    *http.ServeMux
}

// newShop returns the shop's handler. webhookSecrets verify deliveries:
// the endpoint's whsec_ secret (both, during a rotation).
func newShop(client *sdk.Client, webhookSecrets []string, log *slog.Logger) *shop {
	s := &shop{client: client, orders: newStore(), log: log, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.showCatalog)
	s.mux.HandleFunc("POST /checkout", s.checkout)
	s.mux.HandleFunc("GET /orders/{id}", s.showOrder)
	s.mux.HandleFunc("POST /orders/{id}/refund", s.refund)
	s.mux.Handle("POST /webhooks", sdk.WebhookHandler(webhookSecrets, s.handleEvent))
	return s
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *shop) showCatalog(w http.ResponseWriter, r *http.Request) {
	s.render(w, "catalog.html", catalog)
}

// checkout creates the gateway order and sends the customer to pay it.
// The shop's order number is both the gateway order's reference and its
// Idempotency-Key, so a retried checkout can never make a second order.
func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PostFormValue("product"))
	if !ok {
		http.Error(w, "no such product", http.StatusBadRequest)
		return
	}
	o := s.orders.create(p)
	gw, err := s.client.Orders.Create(r.Context(), &sdk.OrderCreateParams{
		Amount: p.Price, Currency: "CNY", Description: p.Name, Reference: o.ID, IdempotencyKey: "checkout-" + o.ID,
	})
	if err != nil {
		s.fail(w, "create the order", err)
		return
	}
	s.orders.update(o.ID, func(o *order) { o.Gateway = gw.ID })
	http.Redirect(w, r, gw.CheckoutURL, http.StatusSeeOther)
}

func (s *shop) showOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.get(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.render(w, "order.html", o)
}

// refund gives back all that is left of a paid order. The Idempotency-Key
// is the shop order's, so a second click replays the first refund instead
// of failing or refunding twice.
func (s *shop) refund(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.get(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	if o.Status == awaitingPayment {
		http.Error(w, "the order is not paid yet", http.StatusConflict)
		return
	}
	re, err := s.client.Refunds.Create(r.Context(), &sdk.RefundCreateParams{
		Order: o.Gateway, Reason: "refunded from the shop", IdempotencyKey: "refund-" + o.ID,
	})
	if err != nil {
		s.fail(w, "refund", err)
		return
	}
	s.orders.update(o.ID, func(o *order) { o.Status, o.Refunded = refunded, re.Amount })
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

// handleEvent is the webhook: the gateway says an order was paid or a
// refund went through. Deliveries may repeat; each update is the same the
// second time.
func (s *shop) handleEvent(ctx context.Context, ev *sdk.Event) error {
	switch ev.Type {
	case sdk.EventOrderPaid:
		gw, err := ev.Order()
		if err != nil {
			return err
		}
		// Paid, unless a refund got here first.
		if !s.orders.update(gw.Reference, func(o *order) {
			if o.Status == awaitingPayment {
				o.Status, o.Gateway = paid, gw.ID
			}
		}) {
			s.log.Info("order.paid for an order this shop does not know", "reference", gw.Reference)
		}
	case sdk.EventRefundSucceeded:
		re, err := ev.Refund()
		if err != nil {
			return err
		}
		if id, ok := s.orders.byGateway(re.Order); ok {
			gw, err := s.client.Orders.Get(ctx, re.Order)
			if err != nil {
				return err // the gateway delivers the event again later
			}
			s.orders.update(id, func(o *order) {
				if gw.Status == sdk.OrderRefunded {
					o.Status = refunded
				}
				o.Refunded = gw.AmountRefunded
			})
		}
	}
	return nil
}

func (s *shop) render(w http.ResponseWriter, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, page, data); err != nil {
		s.log.Error("render", "page", page, "err", err)
	}
}

// fail tells the customer something went wrong, and the log what.
func (s *shop) fail(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	status := http.StatusBadGateway
	if apiErr, ok := errors.AsType[*sdk.Error](err); ok && apiErr.HTTPStatus/100 == 4 {
		status = http.StatusConflict
	}
	http.Error(w, "the payment gateway said no; please try again", status)
}
