package gateway

import (
	"reflect"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
)

// The table of /v1 and /wallet/v1 operations that the OpenAPI document
// describes. TestOpenAPIDescribesEveryRoute holds it to the router.

var (
	limitParam = apiParam{"limit", "query", "How many objects to return, 1 to 100 (10 by default).",
		schema{"type": "integer", "minimum": 1, "maximum": 100}}
	startingAfterParam = apiParam{"starting_after", "query", "The last id of the previous page: lists run newest first.",
		schema{"type": "string"}}
	orderParam = apiParam{"order", "query", "Only those of this order.", schema{"type": "string"}}
	pageParams = []apiParam{limitParam, startingAfterParam}
	// clientSecretParam opens the browser endpoints without a key.
	clientSecretParam = apiParam{"client_secret", "query",
		"The order's client secret (ord_…_secret_…), instead of a key: what a browser holds (scanpay.js). It opens this order's public view, QR image and status stream only.",
		schema{"type": "string"}}
	sizeParam   = apiParam{"size", "query", "Width and height in pixels.", schema{"type": "integer"}}
	formatParam = apiParam{"format", "query", "The static code's format: url (the default) or emvco.", schema{"type": "string", "enum": []string{"url", "emvco"}}}
)

// empty is the body of a POST that takes no parameters: {} or nothing.
type empty struct{}

// specialSchemas are types whose JSON is not their fields'.
var specialSchemas = map[reflect.Type]schema{
	timeType: {"type": "string", "format": "date-time"},
	reflect.TypeFor[webhooks.Record](): {"type": "object", "additionalProperties": false,
		"required": []string{"id", "object", "type", "created_at", "livemode", "data"},
		"properties": map[string]any{
			"id":         schema{"type": "string"},
			"object":     schema{"const": "event"},
			"type":       schema{"type": "string", "enum": webhooks.EventTypes},
			"created_at": schema{"type": "string", "format": "date-time"},
			"livemode":   schema{"type": "boolean"},
			"data": schema{"type": "object", "required": []string{"object"},
				"properties": map[string]any{"object": schema{"type": "object",
					"description": "The order, refund, coupon, cashback or settlement the event is about, as its own endpoint shows it."}}},
		}},
}

// enumValues are the named string types whose values are a closed set.
var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[checkout.Status](): {string(checkout.StatusPending), string(checkout.StatusPaid), string(checkout.StatusCanceled),
		string(checkout.StatusExpired), string(checkout.StatusPartiallyRefunded), string(checkout.StatusRefunded)},
	reflect.TypeFor[webhooks.EndpointStatus](): {string(webhooks.EndpointEnabled), string(webhooks.EndpointDisabled)},
}

func apiOps() []apiOp {
	m, w, ks := authMerchantKey, authWalletSession, authKeyOrClientSecret
	return []apiOp{
		{method: "GET", path: "/v1/openapi.json", summary: "This document", status: 200, media: "application/json"},
		{method: "GET", path: "/v1/merchant", summary: "The merchant a key belongs to, the key's mode, and the merchant's static code", auth: m, status: 200, resp: merchantView{}},
		{method: "POST", path: "/v1/merchant", summary: "Change how the merchant is settled and paid out", auth: m, idempotent: true, body: merchant.SettingsParams{}, status: 200, resp: merchant.Self{}},
		{method: "GET", path: "/v1/merchant/qr.png", summary: "The merchant's static code (the counter sticker) as PNG", auth: m, status: 200, media: "image/png", params: []apiParam{formatParam, sizeParam}},
		{method: "HEAD", path: "/v1/merchant/qr.png", summary: "The PNG's headers", auth: m, status: 200, media: "image/png", params: []apiParam{formatParam, sizeParam}},
		{method: "GET", path: "/v1/merchant/qr.svg", summary: "The merchant's static code as SVG", auth: m, status: 200, media: "image/svg+xml", params: []apiParam{formatParam}},
		{method: "HEAD", path: "/v1/merchant/qr.svg", summary: "The SVG's headers", auth: m, status: 200, media: "image/svg+xml", params: []apiParam{formatParam}},

		{method: "POST", path: "/v1/orders", summary: "Create an order and its QR code", auth: m, idempotent: true, body: checkout.OrderParams{}, status: 201, resp: checkout.Order{}},
		{method: "GET", path: "/v1/orders", summary: "List orders", auth: m, status: 200, resp: checkout.Order{}, list: true,
			params: append(pageParams,
				apiParam{"status", "query", "Only orders in this status.", schema{"type": "string", "enum": enumValues[reflect.TypeFor[checkout.Status]()]}},
				apiParam{"reference", "query", "Only orders with this merchant reference.", schema{"type": "string"}})},
		{method: "GET", path: "/v1/orders/:id", summary: "Retrieve an order; with its client secret, the order's public view", auth: ks, status: 200,
			resp: checkout.Order{}, alt: browserOrder{},
			params: []apiParam{clientSecretParam, {"locale", "query", "With a client secret: the language of display, zh or en (else Accept-Language).", schema{"type": "string"}}}},
		{method: "POST", path: "/v1/orders/:id/cancel", summary: "Cancel a pending order", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.Order{}},
		{method: "GET", path: "/v1/orders/:id/qr.png", summary: "The order's QR code as PNG", auth: ks, status: 200, media: "image/png", params: []apiParam{clientSecretParam, sizeParam}},
		{method: "HEAD", path: "/v1/orders/:id/qr.png", summary: "The PNG's headers", auth: ks, status: 200, media: "image/png", params: []apiParam{clientSecretParam, sizeParam}},
		{method: "GET", path: "/v1/orders/:id/qr.svg", summary: "The order's QR code as SVG", auth: ks, status: 200, media: "image/svg+xml", params: []apiParam{clientSecretParam}},
		{method: "HEAD", path: "/v1/orders/:id/qr.svg", summary: "The SVG's headers", auth: ks, status: 200, media: "image/svg+xml", params: []apiParam{clientSecretParam}},
		{method: "GET", path: "/v1/orders/:id/events", summary: "The order's status as server-sent events, until it is paid, expired or canceled", auth: ks, status: 200,
			media: "text/event-stream", params: []apiParam{clientSecretParam}},
		{method: "OPTIONS", path: "/v1/orders/:id", summary: "CORS preflight of a browser endpoint", status: 204},
		{method: "OPTIONS", path: "/v1/orders/:id/qr.png", summary: "CORS preflight of a browser endpoint", status: 204},
		{method: "OPTIONS", path: "/v1/orders/:id/qr.svg", summary: "CORS preflight of a browser endpoint", status: 204},
		{method: "OPTIONS", path: "/v1/orders/:id/events", summary: "CORS preflight of a browser endpoint", status: 204},

		{method: "POST", path: "/v1/refunds", summary: "Refund a paid order, wholly or in part", auth: m, idempotent: true, body: checkout.RefundParams{}, status: 201, resp: checkout.Refund{}},
		{method: "GET", path: "/v1/refunds", summary: "List refunds", auth: m, status: 200, resp: checkout.Refund{}, list: true, params: append(pageParams, orderParam)},
		{method: "GET", path: "/v1/refunds/:id", summary: "Retrieve a refund", auth: m, status: 200, resp: checkout.Refund{}},

		{method: "POST", path: "/v1/webhook_endpoints", summary: "Add a webhook endpoint; the answer holds its secret", auth: m, idempotent: true, body: webhooks.EndpointParams{}, status: 201, resp: webhooks.EndpointWithSecret{}},
		{method: "GET", path: "/v1/webhook_endpoints", summary: "List webhook endpoints", auth: m, status: 200, resp: webhooks.Endpoint{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/webhook_endpoints/:id", summary: "Retrieve a webhook endpoint", auth: m, status: 200, resp: webhooks.Endpoint{}},
		{method: "DELETE", path: "/v1/webhook_endpoints/:id", summary: "Delete a webhook endpoint", auth: m, status: 200, resp: deletedView{}},
		{method: "POST", path: "/v1/webhook_endpoints/:id/rotate_secret", summary: "Give an endpoint a new secret; the old one signs for 24 hours more", auth: m, idempotent: true, body: empty{}, status: 200, resp: webhooks.EndpointWithSecret{}},
		{method: "GET", path: "/v1/webhook_endpoints/:id/deliveries", summary: "An endpoint's delivery attempts", auth: m, status: 200, resp: webhooks.Attempt{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/events", summary: "List events", auth: m, status: 200, resp: webhooks.Record{}, list: true,
			params: append(pageParams, apiParam{"type", "query", "Only events of this type.", schema{"type": "string", "enum": webhooks.EventTypes}}, orderParam)},
		{method: "GET", path: "/v1/events/stream", summary: "Events as server-sent events, from starting_after or Last-Event-ID on", auth: m, status: 200, media: "text/event-stream",
			params: []apiParam{startingAfterParam, {"Last-Event-ID", "header", "Resume after this event.", schema{"type": "string"}}}},
		{method: "GET", path: "/v1/events/:id", summary: "Retrieve an event", auth: m, status: 200, resp: webhooks.Record{}},
		{method: "POST", path: "/v1/events/:id/resend", summary: "Deliver an event again to its endpoints", auth: m, idempotent: true, body: empty{}, status: 200, resp: webhooks.Resent{}},

		{method: "POST", path: "/v1/coupon_campaigns", summary: "Start a coupon campaign", auth: m, idempotent: true, body: checkout.CampaignParams{}, status: 201, resp: checkout.CouponCampaign{}},
		{method: "GET", path: "/v1/coupon_campaigns", summary: "List coupon campaigns", auth: m, status: 200, resp: checkout.CouponCampaign{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/coupon_campaigns/:id", summary: "Retrieve a coupon campaign", auth: m, status: 200, resp: checkout.CouponCampaign{}},
		{method: "POST", path: "/v1/coupon_campaigns/:id/pause", summary: "Pause a coupon campaign", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CouponCampaign{}},
		{method: "POST", path: "/v1/coupon_campaigns/:id/resume", summary: "Resume a paused coupon campaign", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CouponCampaign{}},
		{method: "POST", path: "/v1/coupon_campaigns/:id/end", summary: "End a coupon campaign for good", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CouponCampaign{}},
		{method: "POST", path: "/v1/coupon_campaigns/:id/coupons", summary: "Send a coupon to a payer's phone", auth: m, idempotent: true, body: sendCouponRequest{}, status: 201, resp: checkout.Coupon{}},

		{method: "POST", path: "/v1/cashback_campaigns", summary: "Start a cashback campaign", auth: m, idempotent: true, body: checkout.CashbackCampaignParams{}, status: 201, resp: checkout.CashbackCampaign{}},
		{method: "GET", path: "/v1/cashback_campaigns", summary: "List cashback campaigns", auth: m, status: 200, resp: checkout.CashbackCampaign{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/cashback_campaigns/:id", summary: "Retrieve a cashback campaign", auth: m, status: 200, resp: checkout.CashbackCampaign{}},
		{method: "POST", path: "/v1/cashback_campaigns/:id/pause", summary: "Pause a cashback campaign", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CashbackCampaign{}},
		{method: "POST", path: "/v1/cashback_campaigns/:id/resume", summary: "Resume a paused cashback campaign", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CashbackCampaign{}},
		{method: "POST", path: "/v1/cashback_campaigns/:id/end", summary: "End a cashback campaign for good", auth: m, idempotent: true, body: empty{}, status: 200, resp: checkout.CashbackCampaign{}},
		{method: "GET", path: "/v1/cashbacks", summary: "List cashbacks", auth: m, status: 200, resp: checkout.Cashback{}, list: true, params: append(pageParams, orderParam)},
		{method: "GET", path: "/v1/cashbacks/:id", summary: "Retrieve a cashback", auth: m, status: 200, resp: checkout.Cashback{}},

		{method: "GET", path: "/v1/balance", summary: "The merchant's balance: pending, available and in transit, per currency", auth: m, status: 200, resp: settlement.Balance{}},
		{method: "GET", path: "/v1/balance_transactions", summary: "The merchant's statement lines", auth: m, status: 200, resp: settlement.BalanceTransaction{}, list: true,
			params: append(pageParams,
				apiParam{"type", "query", "Only lines of this type.", schema{"type": "string", "enum": []string{ledger.LinePayment, ledger.LineRefund,
					ledger.LineCouponFunding, ledger.LineCashbackFunding, ledger.LinePayout, ledger.LinePayoutFailure, ledger.LineAdjustment}}},
				apiParam{"settlement", "query", "Only the lines this settlement settled.", schema{"type": "string"}},
				apiParam{"payout", "query", "Only the lines this payout carried, and its own.", schema{"type": "string"}})},
		{method: "GET", path: "/v1/balance_transactions/:id", summary: "Retrieve a statement line", auth: m, status: 200, resp: settlement.BalanceTransaction{}},
		{method: "GET", path: "/v1/settlements", summary: "List settlements, one per business day and currency", auth: m, status: 200, resp: settlement.Settlement{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/settlements/:id", summary: "Retrieve a settlement", auth: m, status: 200, resp: settlement.Settlement{}},
		{method: "GET", path: "/v1/settlements/:id/report.csv", summary: "The settlement's signed reconciliation report", auth: m, status: 200, media: "text/csv"},
		{method: "GET", path: "/v1/signing_keys", summary: "The public keys that sign reconciliation reports", auth: m, status: 200, resp: settlement.SigningKey{}, list: true},
		{method: "POST", path: "/v1/bank_accounts", summary: "Add the bank account payouts go to", auth: m, idempotent: true, body: settlement.BankAccountParams{}, status: 201, resp: settlement.BankAccount{}},
		{method: "GET", path: "/v1/bank_accounts", summary: "List bank accounts", auth: m, status: 200, resp: settlement.BankAccount{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/bank_accounts/:id", summary: "Retrieve a bank account", auth: m, status: 200, resp: settlement.BankAccount{}},
		{method: "POST", path: "/v1/payouts", summary: "Pay out available money to the bank", auth: m, idempotent: true, body: settlement.PayoutParams{}, status: 201, resp: settlement.Payout{}},
		{method: "GET", path: "/v1/payouts", summary: "List payouts", auth: m, status: 200, resp: settlement.Payout{}, list: true, params: pageParams},
		{method: "GET", path: "/v1/payouts/:id", summary: "Retrieve a payout", auth: m, status: 200, resp: settlement.Payout{}},

		{method: "POST", path: "/wallet/v1/accounts", summary: "Sign up: a wallet and its first session", idempotent: true, body: credentials{}, status: 201, resp: wallet.SignUp{}},
		{method: "POST", path: "/wallet/v1/sessions", summary: "Sign in", body: credentials{}, status: 201, resp: sessionView{}},
		{method: "GET", path: "/wallet/v1/account", summary: "The payer's wallet", auth: w, status: 200, resp: wallet.Account{}},
		{method: "POST", path: "/wallet/v1/account", summary: "Set the amount payable without a PIN", auth: w, idempotent: true, body: walletLimitRequest{}, status: 200, resp: wallet.Account{}},
		{method: "POST", path: "/wallet/v1/account/freeze", summary: "Freeze the wallet: nothing leaves it", auth: w, idempotent: true, body: empty{}, status: 200, resp: wallet.Account{}},
		{method: "POST", path: "/wallet/v1/account/unfreeze", summary: "Unfreeze the wallet with the PIN", auth: w, idempotent: true, body: pinRequest{}, status: 200, resp: wallet.Account{}},
		{method: "POST", path: "/wallet/v1/topups", summary: "Top the wallet up (simulated bank)", auth: w, idempotent: true, body: transferRequest{}, status: 201, resp: wallet.Transfer{}},
		{method: "POST", path: "/wallet/v1/withdrawals", summary: "Withdraw to the payer's bank (simulated)", auth: w, idempotent: true, body: transferRequest{}, status: 201, resp: wallet.Transfer{}},
		{method: "GET", path: "/wallet/v1/balance", summary: "The wallet's balance per currency", auth: w, status: 200, resp: walletBalanceView{}},
		{method: "GET", path: "/wallet/v1/transactions", summary: "The wallet's history", auth: w, status: 200, resp: wallet.Transaction{}, list: true, params: pageParams},
		{method: "POST", path: "/wallet/v1/scan", summary: "Read a QR payload: what paying it would cost", auth: w, body: scanRequest{}, status: 200, resp: checkout.Preview{}},
		{method: "POST", path: "/wallet/v1/payments", summary: "Pay an order, or a merchant's static code an amount of the payer's choosing", auth: w, idempotent: true, body: checkout.PayParams{}, status: 201, resp: checkout.Payment{}},
		{method: "GET", path: "/wallet/v1/coupons", summary: "The payer's coupons", auth: w, status: 200, resp: checkout.Coupon{}, list: true, params: pageParams},
		{method: "POST", path: "/wallet/v1/coupons", summary: "Claim a coupon of a public campaign", auth: w, idempotent: true, body: claimCouponRequest{}, status: 201, resp: checkout.Coupon{}},
		{method: "GET", path: "/wallet/v1/cashbacks", summary: "The payer's cashbacks and their totals", auth: w, status: 200, resp: walletCashbacksView{}, params: pageParams},
	}
}
