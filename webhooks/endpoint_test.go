package webhooks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestCreateEndpointRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	strict, err := NewService(f.db, f.clock.Now, Config{SecretKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ok := []string{OrderPaid}
	tests := []struct {
		name      string
		strict    bool
		livemode  bool
		params    EndpointParams
		wantParam string
	}{
		{name: "no url", params: EndpointParams{EnabledEvents: ok}, wantParam: "url"},
		{name: "not a url", params: EndpointParams{URL: "http://[::1", EnabledEvents: ok}, wantParam: "url"},
		{name: "relative", params: EndpointParams{URL: "/hooks", EnabledEvents: ok}, wantParam: "url"},
		{name: "ftp", params: EndpointParams{URL: "ftp://example.com/hooks", EnabledEvents: ok}, wantParam: "url"},
		{name: "http in live mode", livemode: true, params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: ok}, wantParam: "url"},
		{name: "private address without the flag", strict: true, params: EndpointParams{URL: "http://127.0.0.1:8080/hooks", EnabledEvents: ok}, wantParam: "url"},
		{name: "metadata address without the flag", strict: true, params: EndpointParams{URL: "http://169.254.169.254/", EnabledEvents: ok}, wantParam: "url"},
		{name: "no events", params: EndpointParams{URL: "http://example.com/hooks"}, wantParam: "enabled_events"},
		{name: "empty events", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: []string{}}, wantParam: "enabled_events"},
		{name: "unknown type", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: []string{"order.exploded"}}, wantParam: "enabled_events"},
		{name: "star with types", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: []string{"*", OrderPaid}}, wantParam: "enabled_events"},
		{name: "duplicate type", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: []string{OrderPaid, OrderPaid}}, wantParam: "enabled_events"},
		{name: "description too long", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: ok, Description: strings.Repeat("说", 501)}, wantParam: "description"},
		{name: "description with NUL", params: EndpointParams{URL: "http://example.com/hooks", EnabledEvents: ok, Description: "a\x00b"}, wantParam: "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := f.svc
			if tt.strict {
				svc = strict
			}
			created, err := svc.CreateEndpoint(context.Background(), f.merchant, tt.livemode, tt.params)
			e, ok := scanpay.ErrorOf(err)
			if !ok || e.Kind != scanpay.KindInvalid || e.Param != tt.wantParam {
				t.Fatalf("CreateEndpoint = %v, want an invalid-request error on %s", err, tt.wantParam)
			}
			if created.Secret != "" {
				t.Errorf("a refused endpoint came with a secret")
			}
		})
	}
	if n := f.count(t, "webhook_endpoints"); n != 0 {
		t.Errorf("%d endpoints stored, want none", n)
	}
}

func TestCreateEndpointAcceptsHTTPInTestModeOnly(t *testing.T) {
	f := newFixture(t)
	e, secret := f.endpoint(t, f.merchant, false, "http://example.com/hooks", OrderPaid, CouponRedemptionReversed)
	if e.URL != "http://example.com/hooks" || e.Livemode || e.Status != EndpointEnabled || e.Object != "webhook_endpoint" {
		t.Errorf("endpoint = %+v", e)
	}
	if !slices.Equal(e.EnabledEvents, []string{OrderPaid, CouponRedemptionReversed}) {
		t.Errorf("enabled_events = %v", e.EnabledEvents)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if !strings.HasPrefix(secret, "whsec_") || err != nil || len(key) < 24 {
		t.Errorf("secret %q is not whsec_ and base64 of at least 24 bytes", secret)
	}
	live, _ := f.endpoint(t, f.merchant, true, "https://example.com/hooks", "*")
	if !live.Livemode || !slices.Equal(live.EnabledEvents, []string{"*"}) {
		t.Errorf("live endpoint = %+v", live)
	}
}

func TestEndpointJSON(t *testing.T) {
	f := newFixture(t)
	e, secret := f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
	b, err := json.Marshal(EndpointWithSecret{Endpoint: e, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	for _, k := range []string{"id", "object", "livemode", "url", "description", "enabled_events", "status", "created_at", "secret"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON %s lacks %q", b, k)
		}
	}
	if _, ok := got["disabled_reason"]; ok {
		t.Errorf("an enabled endpoint shows disabled_reason: %s", b)
	}
	plain, _ := json.Marshal(e)
	if strings.Contains(string(plain), "secret") {
		t.Errorf("an endpoint without its secret shows one: %s", plain)
	}
}

func TestEndpointsAreScopedToMerchantAndMode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.addMerchant(t)
	e, _ := f.endpoint(t, f.merchant, false, "http://example.com/a", "*")

	for _, scope := range []struct {
		name     string
		merchant string
		livemode bool
	}{{"other merchant", other, false}, {"other mode", f.merchant, true}} {
		t.Run(scope.name, func(t *testing.T) {
			calls := map[string]error{}
			_, calls["get"] = f.svc.GetEndpoint(ctx, scope.merchant, scope.livemode, e.ID)
			_, calls["rotate"] = f.svc.RotateSecret(ctx, scope.merchant, scope.livemode, e.ID)
			_, _, calls["deliveries"] = f.svc.ListDeliveries(ctx, scope.merchant, scope.livemode, e.ID, 10, "")
			calls["delete"] = f.svc.DeleteEndpoint(ctx, scope.merchant, scope.livemode, e.ID)
			for name, err := range calls {
				if se, ok := scanpay.ErrorOf(err); !ok || se.Kind != scanpay.KindNotFound {
					t.Errorf("%s = %v, want not found", name, err)
				}
			}
			list, _, err := f.svc.ListEndpoints(ctx, scope.merchant, scope.livemode, 10, "")
			if err != nil || len(list) != 0 {
				t.Errorf("list = %v, %v; want nothing", list, err)
			}
		})
	}
	if got, err := f.svc.GetEndpoint(ctx, f.merchant, false, e.ID); err != nil || got.Status != EndpointEnabled {
		t.Errorf("the owner's endpoint after the others' calls: %+v, %v", got, err)
	}
}

func TestListEndpointsPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		e, _ := f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
		ids = append(ids, e.ID)
	}
	first, more, err := f.svc.ListEndpoints(ctx, f.merchant, false, 2, "")
	if err != nil || !more || len(first) != 2 || first[0].ID != ids[2] || first[1].ID != ids[1] {
		t.Fatalf("first page = %v, more %v, err %v", first, more, err)
	}
	rest, more, err := f.svc.ListEndpoints(ctx, f.merchant, false, 2, first[1].ID)
	if err != nil || more || len(rest) != 1 || rest[0].ID != ids[0] {
		t.Fatalf("second page = %v, more %v, err %v", rest, more, err)
	}
}

func TestDeleteEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e, _ := f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
	ev := f.emit(t, f.merchant, false, OrderPaid)
	if err := f.svc.DeleteEndpoint(ctx, f.merchant, false, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetEndpoint(ctx, f.merchant, false, e.ID); !isNotFound(err) {
		t.Errorf("get after delete = %v, want not found", err)
	}
	if err := f.svc.DeleteEndpoint(ctx, f.merchant, false, e.ID); !isNotFound(err) {
		t.Errorf("second delete = %v, want not found", err)
	}
	if list, _, _ := f.svc.ListEndpoints(ctx, f.merchant, false, 10, ""); len(list) != 0 {
		t.Errorf("list after delete = %v", list)
	}
	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryFailed {
		t.Errorf("pending delivery to a deleted endpoint is %s, want failed", d.Status)
	}
	var secret string
	storagetest.Scan(t, f.db, &secret, `SELECT secret FROM webhook_endpoints WHERE id = ?`, e.ID)
	if secret != "" {
		t.Errorf("a deleted endpoint keeps its sealed secret")
	}
}

func TestSecretsAreNotStoredInClear(t *testing.T) {
	f := newFixture(t)
	e, first := f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
	rotated, err := f.svc.RotateSecret(context.Background(), f.merchant, false, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := rotated.Secret
	var row map[string]any
	if err := f.db.Raw(`SELECT * FROM webhook_endpoints WHERE id = ?`, e.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{first, second} {
		key := strings.TrimPrefix(secret, "whsec_")
		raw, _ := base64.StdEncoding.DecodeString(key)
		for col, v := range row {
			s := fmtValue(v)
			if strings.Contains(s, key) || strings.Contains(s, string(raw)) {
				t.Errorf("column %s holds a signing secret in clear", col)
			}
		}
	}
	if fmtValue(row["secret"]) == "" || fmtValue(row["previous_secret"]) == "" {
		t.Errorf("sealed secrets missing from the row: %v", row)
	}
}

func fmtValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func isNotFound(err error) bool {
	e, ok := scanpay.ErrorOf(err)
	return ok && e.Kind == scanpay.KindNotFound
}

func TestNewServiceWantsAnAES256Key(t *testing.T) {
	f := newFixture(t)
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewService(f.db, f.clock.Now, Config{SecretKey: make([]byte, n)}); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
		if _, err := NewDispatcher(f.db, f.clock.Now, nil, Config{SecretKey: make([]byte, n)}); err == nil {
			t.Errorf("a %d-byte key was accepted by the dispatcher", n)
		}
	}
}
