package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestQRImageHEAD: HEAD on a QR image answers as GET does, headers and
// all, without the body; through a real server, as a link checker sees it.
func TestQRImageHEAD(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	id := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)
	srv := httptest.NewServer(e.server)
	defer srv.Close()
	send := func(method, path, key string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, path := range []string{"/v1/orders/" + id + "/qr.png?size=512", "/v1/orders/" + id + "/qr.svg"} {
		get, image := send("GET", path, key)
		head, body := send("HEAD", path, key)
		if get.StatusCode != 200 || head.StatusCode != 200 || len(body) != 0 {
			t.Fatalf("%s: GET %d, HEAD %d with %d bytes", path, get.StatusCode, head.StatusCode, len(body))
		}
		for _, h := range []string{"Content-Type", "ETag", "Cache-Control"} {
			if head.Header.Get(h) == "" || head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("%s: HEAD %s %q, GET %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if head.Header.Get("Content-Length") != strconv.Itoa(len(image)) {
			t.Errorf("%s: HEAD Content-Length %q, the image is %d bytes", path, head.Header.Get("Content-Length"), len(image))
		}
	}
	if resp, _ := send("HEAD", "/v1/orders/ord_missing/qr.png", key); resp.StatusCode != 404 {
		t.Errorf("HEAD of an unknown order's image: %d", resp.StatusCode)
	}
	if resp, _ := send("HEAD", "/v1/orders/"+id+"/qr.png", ""); resp.StatusCode != 401 {
		t.Errorf("HEAD without a key: %d", resp.StatusCode)
	}
}
