package webhooks

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForbiddenAddr(t *testing.T) {
	tests := []struct {
		addr      string
		forbidden bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"10.0.0.5", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"ff02::1", true},
		{"ff0e::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"0.1.2.3", true},
		{"255.255.255.255", true},
		{"192.0.0.8", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"240.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.5", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:0.0.0.0", true},
		{"::127.0.0.1", true},
		{"::10.0.0.5", true},
		{"64:ff9b::127.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true},
		{"64:ff9b:1::808:808", true},
		{"2002:7f00:1::1", true},
		{"2002:a9fe:a9fe::1", true},
		// The rest of IANA's special-purpose registries.
		{"192.0.2.10", true},
		{"198.51.100.7", true},
		{"203.0.113.200", true},
		{"192.88.99.1", true},
		{"192.31.196.1", true},
		{"192.175.48.6", true},
		{"2001:db8::1", true},
		{"3fff::1", true},
		{"::ffff:0:10.0.0.5", true},
		{"::ffff:0:127.0.0.1", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // Teredo wrapping 192.0.2.45
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", true}, // Teredo wrapping 10.0.0.1
		{"2001:2::1", true},
		{"100::1", true},
		{"100:0:0:1::1", true},
		{"5f00::1", true},
		{"2620:4f:8000::1", true},

		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::8.8.8.8", false},
		{"2002:808:808::1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"198.20.0.1", false},
		{"192.0.1.1", false},
		{"223.255.255.255", false},
		{"::ffff:0:8.8.8.8", false},
		{"2001:4860:4860::8888", false},
		{"192.0.3.1", false},
		{"203.0.114.1", false},
	}
	for _, tt := range tests {
		if got := ForbiddenAddr(netip.MustParseAddr(tt.addr)); got != tt.forbidden {
			t.Errorf("ForbiddenAddr(%s) = %v, want %v", tt.addr, got, tt.forbidden)
		}
	}
	if !ForbiddenAddr(netip.Addr{}) {
		t.Error("ForbiddenAddr(zero Addr) = false, want true")
	}
}

// countingServer starts an httptest server on ln (or on 127.0.0.1 when ln
// is nil) and counts the requests that reach it.
func countingServer(t *testing.T, ln net.Listener) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	hits := new(atomic.Int32)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, hits
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// assertRefused checks that err is the guard refusing addr at dial time,
// and that the refusal itself, not just the URL around it, names addr.
func assertRefused(t *testing.T, err error, addr string) {
	t.Helper()
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	opErr, ok := errors.AsType[*net.OpError](err)
	if !ok {
		t.Fatalf("err = %v, want it to come from the dialer", err)
	}
	if !strings.Contains(opErr.Err.Error(), addr) {
		t.Errorf("refusal %q does not name %s", opErr.Err, addr)
	}
}

func TestClientRefusesInternalAddresses(t *testing.T) {
	srv4, hits := countingServer(t, nil)
	port4 := port(t, srv4)
	port6 := ""
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		srv6, hits6 := countingServer(t, ln)
		port6 = port(t, srv6)
		t.Cleanup(func() {
			if n := hits6.Load(); n != 0 {
				t.Errorf("the [::1] server received %d requests, want 0", n)
			}
		})
	}

	tests := []struct {
		name string
		url  string
		addr string
		// needsIPv6 marks a case that needs the [::1] server.
		needsIPv6 bool
	}{
		{name: "loopback", url: "http://127.0.0.1:" + port4 + "/", addr: "127.0.0.1"},
		{name: "IPv6 loopback", url: "http://[::1]:" + port6 + "/", addr: "::1", needsIPv6: true},
		{name: "IPv4-mapped loopback", url: "http://[::ffff:127.0.0.1]:" + port4 + "/", addr: "127.0.0.1"},
		{name: "localhost", url: "http://localhost:" + port4 + "/", addr: "127.0.0.1"},
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", addr: "169.254.169.254"},
		{name: "private", url: "http://10.0.0.5:" + port4 + "/", addr: "10.0.0.5"},
	}
	client := (&Guard{}).Client()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsIPv6 && port6 == "" {
				t.Skip("no IPv6 loopback on this machine")
			}
			resp, err := client.Get(tt.url)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s = %s, want an error", tt.url, resp.Status)
			}
			assertRefused(t, err, tt.addr)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the 127.0.0.1 server received %d requests, want 0", n)
	}
}

func TestClientAllowPrivateReachesLocalServer(t *testing.T) {
	srv, hits := countingServer(t, nil)
	resp, err := (&Guard{AllowPrivate: true}).Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || hits.Load() != 1 {
		t.Errorf("GET = %s with %d hits, want 200 OK with 1", resp.Status, hits.Load())
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	internal, internalHits := countingServer(t, nil)
	target := internal.URL + "/"
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}))
	defer redirector.Close()

	// Both servers listen on 127.0.0.1, so let exactly the redirector's
	// address and port through and keep the internal one forbidden.
	allowed := netip.MustParseAddrPort(redirector.Listener.Addr().String())
	client := (&Guard{allowDial: func(ap netip.AddrPort) bool { return ap == allowed }}).Client()

	resp, err := client.Get(redirector.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
		t.Errorf("GET = %s to %q, want 302 Found to %q", resp.Status, resp.Header.Get("Location"), target)
	}

	// Were the redirect followed, the dial check would still stop it.
	_, err = client.Get(target)
	assertRefused(t, err, "127.0.0.1")
	if n := internalHits.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests, want 0", n)
	}
}

// TestClientChecksAtDialTime plays DNS rebinding: the name is public when
// the endpoint is validated and points to loopback when the delivery dials.
func TestClientChecksAtDialTime(t *testing.T) {
	srv, hits := countingServer(t, nil)
	dns := startDNS(t)
	url := "http://rebind.test:" + port(t, srv) + "/"

	dns.set("rebind.test.", "93.184.216.7")
	guard := &Guard{resolver: dns.resolver()}
	if err := guard.ValidateURL(context.Background(), url, false); err != nil {
		t.Fatalf("ValidateURL while public = %v, want nil", err)
	}

	dns.set("rebind.test.", "127.0.0.1")
	_, err := guard.Client().Get(url)
	assertRefused(t, err, "127.0.0.1")
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server received %d requests, want 0", n)
	}

	// The same name through the same resolver does reach the server once
	// the guard is off, so the refusal above was the dial check at work and
	// not a lookup that failed.
	open := &Guard{AllowPrivate: true, resolver: dns.resolver()}
	resp, err := open.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("the server received %d requests with the guard off, want 1", hits.Load())
	}
}

func TestClientSettings(t *testing.T) {
	client := (&Guard{}).Client()
	if client.Timeout != 10*time.Second {
		t.Errorf("Timeout = %v, want 10s", client.Timeout)
	}
	// A proxy from the environment would dial for us and so bypass the
	// dial check; a behaviour test cannot show this, because
	// ProxyFromEnvironment never proxies loopback anyway.
	if client.Transport.(*http.Transport).Proxy != nil {
		t.Error("Transport.Proxy is set, want nil")
	}
}

func TestValidateURL(t *testing.T) {
	dns := startDNS(t)
	dns.set("hooks.example.test.", "93.184.216.10", "2606:2800:220:1::10")
	dns.set("v6only.example.test.", "2606:4700:4700::1111")
	dns.set("mixed.example.test.", "10.0.0.1", "93.184.216.10")
	dns.set("internal.example.test.", "10.1.2.3", "fd00::1")
	dns.set("loopback.example.test.", "127.0.0.1")

	tests := []struct {
		name         string
		url          string
		livemode     bool
		allowPrivate bool
		// want is part of the merchant-facing message; empty means valid.
		want string
	}{
		{name: "https host", url: "https://hooks.example.test/scanpay?x=1", livemode: true},
		{name: "http in test mode", url: "http://hooks.example.test:8080/scanpay"},
		{name: "IPv6-only host", url: "https://v6only.example.test/", livemode: true},
		{name: "host with one public address", url: "https://mixed.example.test/"},
		{name: "public IPv4 literal", url: "https://8.8.8.8/hook"},
		{name: "public IPv6 literal", url: "https://[2606:4700:4700::1111]/hook"},

		{name: "too long", url: "https://hooks.example.test/" + strings.Repeat("a", 2048), want: "at most 2048 characters"},
		{name: "unparsable", url: "http://[::1", want: "not a valid URL"},
		{name: "relative", url: "/hooks", want: "must start with https:// or http://"},
		{name: "ftp", url: "ftp://hooks.example.test/", want: "must start with https:// or http://"},
		{name: "javascript", url: "javascript:alert(1)", want: "must start with https:// or http://"},
		{name: "opaque", url: "http:hooks.example.test", want: "must include a host"},
		{name: "no host", url: "https:///hooks", want: "must include a host"},
		{name: "port only", url: "https://:443/hooks", want: "must include a host"},
		{name: "user and password", url: "https://user:pass@hooks.example.test/", want: "must not contain a user name or password"},
		{name: "user", url: "https://user@hooks.example.test/", want: "must not contain a user name or password"},
		{name: "http in live mode", url: "http://hooks.example.test/", livemode: true, want: "must use https in live mode"},

		{name: "loopback literal", url: "https://127.0.0.1/", want: "private address (127.0.0.1)"},
		{name: "IPv6 loopback literal", url: "https://[::1]:8443/", want: "private address (::1)"},
		{name: "mapped loopback literal", url: "https://[::ffff:127.0.0.1]/", want: "private address (::ffff:127.0.0.1)"},
		{name: "link-local with zone", url: "https://[fe80::1%25eth0]/", want: "private address (fe80::1%eth0)"},
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", want: "private address (169.254.169.254)"},
		{name: "private literal", url: "https://10.0.0.5:8443/", want: "private address (10.0.0.5)"},
		{name: "localhost", url: "https://localhost/", want: "must not point to localhost"},
		{name: "LOCALHOST with root dot", url: "https://LOCALHOST./", want: "must not point to localhost"},
		{name: "under localhost", url: "https://api.localhost/", want: "must not point to localhost"},
		{name: "name of private addresses", url: "https://internal.example.test/", want: "resolves to a private address"},
		{name: "name of loopback", url: "https://loopback.example.test/", want: "resolves to a private address (127.0.0.1)"},
		{name: "unknown name", url: "https://nowhere.example.test/", want: "url host nowhere.example.test does not resolve"},

		{name: "loopback allowed", url: "http://127.0.0.1:3000/", allowPrivate: true},
		{name: "localhost allowed", url: "http://localhost:3000/", allowPrivate: true},
		{name: "allowed still needs https in live mode", url: "http://localhost:3000/", livemode: true, allowPrivate: true, want: "must use https in live mode"},
		{name: "allowed still needs http", url: "ftp://localhost/", allowPrivate: true, want: "must start with https:// or http://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			guard := &Guard{AllowPrivate: tt.allowPrivate, resolver: dns.resolver()}
			err := guard.ValidateURL(context.Background(), tt.url, tt.livemode)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateURL(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			urlErr, ok := errors.AsType[*URLError](err)
			if !ok {
				t.Fatalf("ValidateURL(%q) = %v, want a *URLError", tt.url, err)
			}
			if !strings.HasPrefix(urlErr.Reason, "url ") || !strings.Contains(urlErr.Reason, tt.want) {
				t.Errorf("ValidateURL(%q) = %q, want it to start with \"url \" and contain %q", tt.url, urlErr.Reason, tt.want)
			}
			// A refused private address names the switch that allows it.
			private := strings.Contains(tt.want, "private address") || strings.Contains(tt.want, "localhost")
			if hint := strings.Contains(urlErr.Reason, "--webhook-allow-private"); hint != private {
				t.Errorf("ValidateURL(%q) = %q: mentions --webhook-allow-private %v, want %v", tt.url, urlErr.Reason, hint, private)
			}
		})
	}
}

// TestValidateURLLookupFailureIsOurs checks that a DNS failure on our side
// is not blamed on the merchant's URL.
func TestValidateURLLookupFailureIsOurs(t *testing.T) {
	down := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("resolver unreachable")
	}}
	err := (&Guard{resolver: down}).ValidateURL(context.Background(), "https://hooks.example.test/", true)
	if err == nil {
		t.Fatal("ValidateURL = nil, want an error")
	}
	if _, ok := errors.AsType[*URLError](err); ok {
		t.Errorf("ValidateURL = %v, a *URLError; want an internal error", err)
	}
}

// dnsServer is a tiny authoritative DNS server on a loopback UDP port: tests
// decide what a name resolves to, and can change it between lookups as a
// rebinding attacker would. Unknown names get NXDOMAIN.
type dnsServer struct {
	conn net.PacketConn

	mu      sync.Mutex
	records map[string][]netip.Addr // by lower-case name with the root dot
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dnsServer{conn: conn, records: make(map[string][]netip.Addr)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve()
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return s
}

func (s *dnsServer) set(name string, addrs ...string) {
	parsed := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		parsed[i] = netip.MustParseAddr(a)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[name] = parsed
}

// resolver sends every query to s, whatever resolv.conf names; /etc/hosts
// still comes first, which is why the test names end in .test.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", s.conn.LocalAddr().String())
		},
	}
}

func (s *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := s.answer(buf[:n]); resp != nil {
			s.conn.WriteTo(resp, from)
		}
	}
}

// DNS wire-format constants (RFC 1035, RFC 3596).
const (
	dnsHeaderLen   = 12
	dnsTypeA       = 1
	dnsTypeAAAA    = 28
	dnsClassIN     = 1
	dnsFlagQR      = 0x8000
	dnsFlagAA      = 0x0400
	dnsFlagRD      = 0x0100
	dnsFlagRA      = 0x0080
	dnsRcodeNXName = 3
)

// answer replies to a one-question query, which is all Go's resolver sends.
// It returns nil for a packet it cannot read, which the resolver sees as a
// timeout.
func (s *dnsServer) answer(q []byte) []byte {
	if len(q) < dnsHeaderLen {
		return nil
	}
	var labels []string
	i := dnsHeaderLen
	for i < len(q) && q[i] != 0 {
		n := int(q[i])
		if i+1+n > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+n]))
		i += 1 + n
	}
	questionEnd := i + 5 // the root label, then type and class
	if questionEnd > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	name := strings.ToLower(strings.Join(labels, ".")) + "."

	s.mu.Lock()
	addrs, known := s.records[name]
	s.mu.Unlock()
	var rdata [][]byte
	for _, a := range addrs {
		if a.Is4() && qtype == dnsTypeA || a.Is6() && qtype == dnsTypeAAAA {
			rdata = append(rdata, a.AsSlice())
		}
	}

	flags := uint16(dnsFlagQR|dnsFlagAA|dnsFlagRA) | binary.BigEndian.Uint16(q[2:])&dnsFlagRD
	if !known {
		flags |= dnsRcodeNXName
	}
	resp := append([]byte(nil), q[0], q[1]) // the query's id
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1) // questions
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
	resp = binary.BigEndian.AppendUint16(resp, 0) // authority records
	resp = binary.BigEndian.AppendUint16(resp, 0) // additional records
	resp = append(resp, q[dnsHeaderLen:questionEnd]...)
	for _, rd := range rdata {
		resp = append(resp, 0xc0, dnsHeaderLen) // the name: a pointer to the question's
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, dnsClassIN)
		resp = binary.BigEndian.AppendUint32(resp, 0) // TTL
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
		resp = append(resp, rd...)
	}
	return resp
}
