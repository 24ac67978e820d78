package sdk

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// maxWebhookBody caps what a webhook handler reads; events are a few KiB.
const maxWebhookBody = 1 << 20

// WebhookHandler returns an http.Handler for a webhook endpoint: it
// verifies each delivery with the default verifier and the secrets, and
// hands the event to handle. See WebhookVerifier.Handler.
func WebhookHandler(secrets []string, handle func(context.Context, *Event) error) http.Handler {
	return WebhookVerifier{}.Handler(secrets, handle)
}

// Handler returns an http.Handler that verifies each delivery with v and
// the secrets, and hands the event to handle. It answers 204 when handle
// returns nil; 500 when it fails, so the gateway delivers the event again
// later; 400 when the delivery does not verify; 405 to anything but POST,
// 413 to a body over 1 MiB, and 500 when the secrets are malformed. An
// event may come more than once (deliveries are at least once): handle
// should do nothing the second time it sees an event id.
func (v WebhookVerifier) Handler(secrets []string, handle func(context.Context, *Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "cannot read the body", http.StatusBadRequest)
			}
			return
		}
		ev, err := v.Verify(body, r.Header, secrets...)
		if errors.Is(err, ErrInvalidSecret) {
			http.Error(w, "the receiver's webhook secret is misconfigured", http.StatusInternalServerError)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := handle(r.Context(), ev); err != nil {
			// The cause stays in the receiver; the gateway's delivery log
			// would show it to whoever reads the merchant's dashboard.
			http.Error(w, "the event could not be handled", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
