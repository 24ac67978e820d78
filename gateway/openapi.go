package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
)

// The OpenAPI 3.1 description of /v1 and /wallet/v1 is built from the
// table of operations (api_docs.go) and from the Go types the handlers
// decode and answer, read by reflection, so that it cannot drift from
// the code: a field added to a type is in the document at once, and a
// test holds the table to the registered routes and the recorded
// answers of the test suite to the schemas.

// schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses it).
type schema = map[string]any

// authScheme says what credential an operation takes.
type authScheme int

const (
	authNone authScheme = iota
	authMerchantKey
	authWalletSession
	// authKeyOrClientSecret is a merchant's key, or the order's client
	// secret in the query (the browser endpoints).
	authKeyOrClientSecret
)

// apiParam is a query or header parameter.
type apiParam struct {
	name, in, desc string
	schema         schema
}

// apiOp is one documented operation.
type apiOp struct {
	method, path string // the router's syntax: /v1/orders/:id
	summary      string
	auth         authScheme
	params       []apiParam
	idempotent   bool // takes an Idempotency-Key
	// body is a zero value of the request body's type; nil for none.
	body any
	// status is the success status; resp a zero value of its JSON body's
	// type, or nil with media naming another content type.
	status int
	resp   any
	list   bool // resp is the element type of a list
	media  string
	// alt is a zero value of the answer to a client secret, when it is
	// not resp's type.
	alt any
}

// OpenAPI returns the OpenAPI document of the gateway's API, indented.
func OpenAPI(baseURL string) ([]byte, error) {
	doc, err := buildOpenAPI(baseURL)
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// APIRoute is a route the OpenAPI document describes, and whether its
// success answers JSON.
type APIRoute struct {
	Route
	AnswersJSON bool
}

// DocumentedRoutes lists the routes the OpenAPI document describes.
func DocumentedRoutes() []APIRoute {
	var routes []APIRoute
	for _, op := range apiOps() {
		routes = append(routes, APIRoute{Route{Method: op.method, Path: op.path}, op.resp != nil})
	}
	return routes
}

// serveOpenAPI answers GET /v1/openapi.json, public like any API
// reference; the document is built once.
func (s *Server) serveOpenAPI() gin.HandlerFunc {
	build := sync.OnceValues(func() ([]byte, error) { return OpenAPI(s.cfg.BaseURL) })
	return func(c *gin.Context) {
		doc, err := build()
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "application/json", doc)
	}
}

func buildOpenAPI(baseURL string) (doc map[string]any, err error) {
	b := &schemas{components: schema{}, names: map[schemaKey]string{}, types: map[string]schemaKey{}}
	// Reflection meets only the types of the table: a type it cannot
	// describe is a programming error, reported rather than thrown.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("openapi: %v", r)
		}
	}()
	b.components["Error"] = b.object(reflect.TypeFor[errorBody](), false)
	paths := map[string]map[string]any{}
	for _, op := range apiOps() {
		path := openAPIPath(op.path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		method := strings.ToLower(op.method)
		if paths[path][method] != nil {
			return nil, fmt.Errorf("openapi: %s %s is documented twice", op.method, op.path)
		}
		paths[path][method] = b.operation(op)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Scanpay API",
			"version": "1.0.0",
			"description": "Merchants' API (/v1, a secret key) and the reference wallet's API (/wallet/v1, a session token). " +
				"Amounts are integers in minor units. Every POST that creates or changes money takes an Idempotency-Key.",
			"license": map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"servers": []any{map[string]any{"url": baseURL}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": b.components,
			"securitySchemes": map[string]any{
				"merchantKey":   map[string]any{"type": "http", "scheme": "bearer", "description": "A merchant's secret key: sk_test_… or sk_live_…"},
				"walletSession": map[string]any{"type": "http", "scheme": "bearer", "description": "A payer's session token from POST /wallet/v1/sessions"},
			},
		},
	}, nil
}

// openAPIPath turns /v1/orders/:id into /v1/orders/{id}.
func openAPIPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func (b *schemas) operation(op apiOp) map[string]any {
	o := map[string]any{
		"summary":     op.summary,
		"operationId": operationID(op),
		"tags":        []string{strings.Split(strings.TrimPrefix(op.path, "/"), "/")[0]},
	}
	var params []any
	for _, p := range strings.Split(op.path, "/") {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": schema{"type": "string"}})
		}
	}
	for _, p := range op.params {
		params = append(params, map[string]any{"name": p.name, "in": p.in, "description": p.desc, "schema": p.schema})
	}
	if op.idempotent {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
			"description": "Makes a retry safe: the same key and body within 24 hours answer what the first request answered, without doing it again.",
			"schema":      schema{"type": "string", "maxLength": 255}})
	}
	if params != nil {
		o["parameters"] = params
	}
	switch op.auth {
	case authMerchantKey:
		o["security"] = []any{map[string]any{"merchantKey": []string{}}}
	case authWalletSession:
		o["security"] = []any{map[string]any{"walletSession": []string{}}}
	case authKeyOrClientSecret:
		o["security"] = []any{map[string]any{"merchantKey": []string{}}, map[string]any{}}
	default:
		o["security"] = []any{}
	}
	if op.body != nil {
		o["requestBody"] = map[string]any{"required": false, "content": map[string]any{
			"application/json": map[string]any{"schema": b.of(reflect.TypeOf(op.body), true)}}}
	}
	success := map[string]any{"description": http.StatusText(op.status)}
	switch {
	case op.resp != nil:
		s := b.of(reflect.TypeOf(op.resp), false)
		if op.list {
			s = listSchema(s)
		}
		if op.alt != nil {
			s = schema{"anyOf": []any{s, b.of(reflect.TypeOf(op.alt), false)}}
		}
		success["content"] = map[string]any{"application/json": map[string]any{"schema": s}}
	case op.media != "" && op.method != http.MethodHead:
		success["content"] = map[string]any{op.media: map[string]any{}}
	}
	o["responses"] = map[string]any{
		strconv.Itoa(op.status): success,
		"default": map[string]any{"description": "An error", "content": map[string]any{
			"application/json": map[string]any{"schema": schema{"$ref": "#/components/schemas/Error"}}}},
	}
	return o
}

// operationID names an operation for code generators: GET
// /v1/orders/:id is get_orders_id.
func operationID(op apiOp) string {
	id := strings.ToLower(op.method)
	for _, p := range strings.Split(op.path, "/") {
		p = strings.NewReplacer(":", "", ".", "_").Replace(p)
		if p != "" && p != "v1" {
			id += "_" + p
		}
	}
	return id
}

func listSchema(item schema) schema {
	return schema{"type": "object", "additionalProperties": false,
		"required": []string{"object", "url", "has_more", "data"},
		"properties": map[string]any{
			"object":   schema{"const": "list"},
			"url":      schema{"type": "string"},
			"has_more": schema{"type": "boolean"},
			"data":     schema{"type": "array", "items": item},
		}}
}

// schemaKey is a type as a request reads it or as an answer writes it:
// a request's fields are all optional (the services name what is
// missing), an answer's are all present unless omitempty.
type schemaKey struct {
	t     reflect.Type
	input bool
}

// schemas collects the named types' schemas as components.
type schemas struct {
	components schema
	names      map[schemaKey]string
	types      map[string]schemaKey
}

var timeType = reflect.TypeFor[time.Time]()

// of returns the schema of t, a reference for named struct types.
func (b *schemas) of(t reflect.Type, input bool) schema {
	if s, ok := specialSchemas[t]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer", "format": "int64"}
	case reflect.Int32, reflect.Int16, reflect.Int8, reflect.Uint16, reflect.Uint8:
		return schema{"type": "integer", "format": "int32"}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.String:
		if values, ok := enumValues[t]; ok {
			return schema{"type": "string", "enum": values}
		}
		return schema{"type": "string"}
	case reflect.Interface:
		return schema{}
	case reflect.Pointer:
		return nullable(b.of(t.Elem(), input))
	case reflect.Slice, reflect.Array:
		return schema{"type": "array", "items": b.of(t.Elem(), input)}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("map key of %s is not a string", t))
		}
		return schema{"type": "object", "additionalProperties": b.of(t.Elem(), input)}
	case reflect.Struct:
		if t.Name() == "" || strings.Contains(t.Name(), "[") {
			return b.object(t, input)
		}
		return schema{"$ref": "#/components/schemas/" + b.component(t, input)}
	}
	panic(fmt.Sprintf("no schema for %s", t))
}

// component names t's schema and builds it on first sight.
func (b *schemas) component(t reflect.Type, input bool) string {
	key := schemaKey{t, input}
	if name, ok := b.names[key]; ok {
		return name
	}
	name := upperFirst(strings.TrimSuffix(t.Name(), "View"))
	if _, taken := b.types[name]; taken {
		name = upperFirst(pathBase(t.PkgPath())) + name
	}
	if input {
		if _, taken := b.types[name]; taken {
			name += "Input"
		}
	}
	if other, taken := b.types[name]; taken {
		panic(fmt.Sprintf("%s and %s would both be the schema %s", other.t, t, name))
	}
	b.names[key], b.types[name] = name, key
	b.components[name] = b.object(t, input)
	return name
}

// object is a struct's schema: its JSON fields, embedded structs'
// fields flattened as encoding/json does.
func (b *schemas) object(t reflect.Type, input bool) schema {
	if t.Implements(reflect.TypeFor[json.Marshaler]()) {
		panic(fmt.Sprintf("%s encodes itself: give it a special schema", t))
	}
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = b.of(f.Type, input)
			if !input && !slices.Contains(strings.Split(opts, ","), "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		slices.Sort(required)
		s["required"] = required
	}
	return s
}

func nullable(s schema) schema {
	if typ, ok := s["type"].(string); ok {
		out := schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		if enum, ok := s["enum"].([]string); ok {
			out["enum"] = append(toAny(enum), nil)
		}
		return out
	}
	if len(s) == 0 {
		return s
	}
	return schema{"anyOf": []any{s, schema{"type": "null"}}}
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func upperFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

func pathBase(pkg string) string {
	return pkg[strings.LastIndex(pkg, "/")+1:]
}
