package sdk

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// UnsignedPayload is a webhook body to sign, for a test of the merchant's
// own handler.
type UnsignedPayload struct {
	// Payload is the body: an event as the gateway sends it.
	Payload []byte
	// Secret is the whsec_ secret the handler verifies with.
	Secret string
	// ID is the webhook-id header; empty means the payload's "id", or a
	// random one.
	ID string
	// Timestamp is when the delivery is made; zero means now.
	Timestamp time.Time
}

// SignedPayload is a signed webhook: Payload as the body, Header as the
// request's headers.
type SignedPayload struct {
	UnsignedPayload
	Header http.Header
}

// GenerateTestSignedPayload signs p as the gateway signs a delivery, so a
// test can POST it to the merchant's webhook handler:
//
//	sp, _ := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: body, Secret: secret})
//	req := httptest.NewRequest("POST", "/webhooks", bytes.NewReader(sp.Payload))
//	req.Header = sp.Header
//
// A malformed secret is an error wrapping ErrInvalidSecret.
func GenerateTestSignedPayload(p *UnsignedPayload) (*SignedPayload, error) {
	keys, err := decodeSecrets([]string{p.Secret})
	if err != nil {
		return nil, err
	}
	sp := &SignedPayload{UnsignedPayload: *p}
	if sp.ID == "" {
		var ev struct{ ID string }
		if json.Unmarshal(sp.Payload, &ev); ev.ID != "" {
			sp.ID = ev.ID
		} else {
			sp.ID = "msg_" + randomHex()
		}
	}
	if sp.Timestamp.IsZero() {
		sp.Timestamp = time.Now()
	}
	unix := sp.Timestamp.Unix()
	sp.Header = http.Header{}
	sp.Header.Set("webhook-id", sp.ID)
	sp.Header.Set("webhook-timestamp", strconv.FormatInt(unix, 10))
	sp.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(sign(keys[0], sp.ID, unix, sp.Payload)))
	sp.Header.Set("Content-Type", "application/json")
	return sp, nil
}
