package gateway_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/scanpay/scanpay/gateway"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite docs/openapi.json from the code")

// committedOpenAPI is the document kept in the repository, for readers
// and code generators that do not run a gateway.
var committedOpenAPI = filepath.Join("..", "docs", "openapi.json")

// documentBaseURL is the server the committed document names: serve's
// default.
const documentBaseURL = "http://localhost:8080"

// TestMain runs the package's tests, then holds every answer they
// recorded from a documented route to the OpenAPI document.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := validateRecordings(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: the API answered what its OpenAPI document does not describe:\n"+err.Error())
			code = 1
		}
	}
	os.Exit(code)
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newEnv(t)
	var served []gateway.Route
	for _, r := range e.server.Routes() {
		if strings.HasPrefix(r.Path, "/v1/") || strings.HasPrefix(r.Path, "/wallet/v1/") {
			served = append(served, r)
		}
	}
	var documented []gateway.Route
	for _, r := range gateway.DocumentedRoutes() {
		documented = append(documented, r.Route)
	}
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s %s is served but missing from the OpenAPI document (gateway/api_docs.go)", r.Method, r.Path)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s %s is documented but not served", r.Method, r.Path)
		}
	}
	if len(served) < 50 {
		t.Fatalf("only %d API routes served", len(served))
	}
}

func TestOpenAPIDocumentIsValidAndCommitted(t *testing.T) {
	doc, err := gateway.OpenAPI(documentBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	v := openAPIValidator(t, doc)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("invalid OpenAPI document: %s: %s", e.Message, e.Reason)
		}
	}
	if *updateOpenAPI {
		if err := os.WriteFile(committedOpenAPI, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(committedOpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, doc) {
		t.Fatalf("%s is not what the code describes: go test ./gateway -run OpenAPI -update-openapi", committedOpenAPI)
	}
}

func TestOpenAPIIsServedWithoutAKey(t *testing.T) {
	e := newEnv(t)
	r := e.do(request{method: "GET", path: "/v1/openapi.json"})
	if r.Code != http.StatusOK {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != baseURL {
		t.Fatalf("openapi %q servers %+v", doc.OpenAPI, doc.Servers)
	}
	if doc.Paths["/v1/orders/{id}"]["get"] == nil || doc.Paths["/wallet/v1/payments"]["post"] == nil {
		t.Fatalf("paths lack orders or payments: %v", doc.Paths)
	}
}

func openAPIValidator(t testing.TB, doc []byte) validator.Validator {
	t.Helper()
	v, err := newOpenAPIValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newOpenAPIValidator(doc []byte) (validator.Validator, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("%v", errs)
	}
	return v, nil
}

// recording is one request of the test suite and its answer.
type recording struct {
	method, target string
	header         http.Header
	body           []byte
	status         int
	respHeader     http.Header
	respBody       []byte
}

var recorded struct {
	sync.Mutex
	all []recording
}

// record keeps what e.do sent and got for validateRecordings.
func record(req *http.Request, body string, rec *httptest.ResponseRecorder) {
	recorded.Lock()
	defer recorded.Unlock()
	recorded.all = append(recorded.all, recording{method: req.Method, target: req.URL.RequestURI(), header: req.Header.Clone(),
		body: []byte(body), status: rec.Code, respHeader: rec.Header().Clone(), respBody: bytes.Clone(rec.Body.Bytes())})
}

// validateRecordings checks the JSON answers of documented routes
// against the document: every success with its request, every error
// against the error object. It checks a few of each kind of answer, not
// thousands of the same, and when the whole suite ran, that every
// operation answering JSON was seen succeeding at least once.
func validateRecordings() error {
	doc, err := gateway.OpenAPI(baseURL)
	if err != nil {
		return err
	}
	v, err := newOpenAPIValidator(doc)
	if err != nil {
		return err
	}
	recorded.Lock()
	defer recorded.Unlock()
	var problems []string
	seen := map[string]int{}
	succeeded := map[gateway.Route]bool{}
	for _, r := range recorded.all {
		route, ok := documentedRoute(r.method, r.target)
		if !ok || !strings.HasPrefix(r.respHeader.Get("Content-Type"), "application/json") || r.method == http.MethodHead {
			continue
		}
		kind := fmt.Sprintf("%s %s %d", route.Method, route.Path, r.status)
		if seen[kind]++; seen[kind] > 20 {
			continue
		}
		req := httptest.NewRequest(r.method, baseURL+r.target, bytes.NewReader(r.body))
		req.Header = r.header.Clone()
		resp := &http.Response{StatusCode: r.status, Header: r.respHeader, Body: io.NopCloser(bytes.NewReader(r.respBody)), Request: req}
		var (
			valid bool
			errs  []*verrors.ValidationError
		)
		if r.status < 300 {
			valid, errs = v.ValidateHttpRequestResponse(req, resp)
			succeeded[route] = succeeded[route] || valid
		} else {
			valid, errs = v.ValidateHttpResponse(req, resp)
		}
		if !valid {
			for _, e := range errs {
				problems = append(problems, fmt.Sprintf("%s %s → %d: %s", r.method, r.target, r.status, describe(e)))
			}
			problems = append(problems, "  body: "+string(r.respBody[:min(len(r.respBody), 400)]))
		}
	}
	if flag.Lookup("test.run").Value.String() == "" {
		for _, op := range gateway.DocumentedRoutes() {
			if !succeeded[op.Route] && op.AnswersJSON {
				problems = append(problems, fmt.Sprintf("%s %s: no test saw it succeed, so nothing holds its answer to the document", op.Method, op.Path))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

func describe(e *verrors.ValidationError) string {
	out := e.Message + ": " + e.Reason
	for _, s := range e.SchemaValidationErrors {
		out += fmt.Sprintf("\n    at %s: %s", s.FieldPath, s.Reason)
	}
	return out
}

// documentedRoute finds the documented route a request reached: static
// segments before parameters, as the router chooses.
func documentedRoute(method, target string) (gateway.Route, bool) {
	path, _, _ := strings.Cut(target, "?")
	var best gateway.Route
	bestScore := -1
	for _, dr := range gateway.DocumentedRoutes() {
		r := dr.Route
		if r.Method != method {
			continue
		}
		if score, ok := matchRoute(r.Path, path); ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	return best, bestScore >= 0
}

// matchRoute reports whether path fits the route pattern, and how many
// of its segments matched literally.
func matchRoute(pattern, path string) (int, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return 0, false
	}
	score := 0
	for i := range ps {
		switch {
		case strings.HasPrefix(ps[i], ":") && xs[i] != "":
		case ps[i] == xs[i]:
			score++
		default:
			return 0, false
		}
	}
	return score, true
}
