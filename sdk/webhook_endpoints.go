package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// AllEvents subscribes a webhook endpoint to every event type, present
// and future.
const AllEvents = "*"

// WebhookEndpoint is a URL the gateway delivers the merchant's events to.
type WebhookEndpoint struct {
	ID            string   `json:"id"`
	Object        string   `json:"object"`
	Livemode      bool     `json:"livemode"`
	URL           string   `json:"url"`
	Description   string   `json:"description"`
	EnabledEvents []string `json:"enabled_events"`
	// Status is "enabled", or "disabled" once the endpoint answered 410
	// Gone; DisabledReason then says so.
	Status         string `json:"status"`
	DisabledReason string `json:"disabled_reason"`
	// Secret (whsec_...) signs the deliveries. Only Create and
	// RotateSecret return it; keep it then, as it is never shown again.
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
}

// DeliveryAttempt is one try at delivering an event to an endpoint.
type DeliveryAttempt struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Event    string `json:"event"`
	Endpoint string `json:"endpoint"`
	// Attempt counts the tries of this event at this endpoint, from 1.
	Attempt int `json:"attempt"`
	// StatusCode is the endpoint's answer; zero when none came back, and
	// Error then says why.
	StatusCode   int       `json:"status_code"`
	Error        string    `json:"error"`
	LatencyMS    int64     `json:"latency_ms"`
	ResponseBody string    `json:"response_body"`
	Delivered    bool      `json:"delivered"`
	CreatedAt    time.Time `json:"created_at"`
}

// WebhookEndpointCreateParams describe an endpoint. URL and EnabledEvents
// are required; EnabledEvents holds event types, or AllEvents alone.
type WebhookEndpointCreateParams struct {
	URL            string   `json:"url"`
	EnabledEvents  []string `json:"enabled_events"`
	Description    string   `json:"description,omitempty"`
	IdempotencyKey string   `json:"-"`
}

// WebhookEndpointListParams page through the merchant's endpoints.
type WebhookEndpointListParams struct {
	ListParams
}

// WebhookEndpointRotateSecretParams are the options of a rotation.
type WebhookEndpointRotateSecretParams struct {
	IdempotencyKey string `json:"-"`
}

// DeliveryAttemptListParams page through an endpoint's delivery log.
type DeliveryAttemptListParams struct {
	ListParams
}

// WebhookEndpointService calls /v1/webhook_endpoints.
type WebhookEndpointService struct{ c *Client }

// Create registers an endpoint and returns it with its signing secret.
// A URL the gateway will not deliver to (not http(s), a private address,
// plain http in live mode) or an unknown event type matches
// ErrParameterInvalid, with Param naming the field.
func (s *WebhookEndpointService) Create(ctx context.Context, params *WebhookEndpointCreateParams) (*WebhookEndpoint, error) {
	if params == nil {
		params = &WebhookEndpointCreateParams{}
	}
	return fetch[WebhookEndpoint](ctx, s.c, request{method: http.MethodPost, path: "/v1/webhook_endpoints", body: params,
		idempotencyKey: params.IdempotencyKey})
}

// Get returns an endpoint, without its secret; an unknown or deleted one
// matches ErrResourceMissing.
func (s *WebhookEndpointService) Get(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return fetch[WebhookEndpoint](ctx, s.c, request{method: http.MethodGet, path: "/v1/webhook_endpoints/" + url.PathEscape(id)})
}

// List walks the merchant's endpoints, newest first.
func (s *WebhookEndpointService) List(ctx context.Context, params *WebhookEndpointListParams) iter.Seq2[*WebhookEndpoint, error] {
	if params == nil {
		params = &WebhookEndpointListParams{}
	}
	return list(ctx, s.c, "/v1/webhook_endpoints", nil, params.ListParams, func(e *WebhookEndpoint) string { return e.ID })
}

// Delete stops every delivery to the endpoint, pending ones included; an
// unknown or deleted one matches ErrResourceMissing. A DELETE carries no
// Idempotency-Key: when the answer to a deletion is lost, its retry finds
// the endpoint gone and reports ErrResourceMissing.
func (s *WebhookEndpointService) Delete(ctx context.Context, id string) error {
	var deleted struct{}
	return s.c.call(ctx, request{method: http.MethodDelete, path: "/v1/webhook_endpoints/" + url.PathEscape(id)}, &deleted)
}

// RotateSecret gives the endpoint a new signing secret and returns it in
// the endpoint's Secret; params may be nil. For 24 hours deliveries carry
// signatures by both the old and the new secret, so a receiver keeps
// verifying while it is switched over.
func (s *WebhookEndpointService) RotateSecret(ctx context.Context, id string, params *WebhookEndpointRotateSecretParams) (*WebhookEndpoint, error) {
	if params == nil {
		params = &WebhookEndpointRotateSecretParams{}
	}
	return fetch[WebhookEndpoint](ctx, s.c, request{method: http.MethodPost, path: "/v1/webhook_endpoints/" + url.PathEscape(id) + "/rotate_secret",
		idempotencyKey: params.IdempotencyKey})
}

// Deliveries walks the endpoint's delivery attempts, newest first.
func (s *WebhookEndpointService) Deliveries(ctx context.Context, id string, params *DeliveryAttemptListParams) iter.Seq2[*DeliveryAttempt, error] {
	if params == nil {
		params = &DeliveryAttemptListParams{}
	}
	return list(ctx, s.c, "/v1/webhook_endpoints/"+url.PathEscape(id)+"/deliveries", nil, params.ListParams,
		func(a *DeliveryAttempt) string { return a.ID })
}
