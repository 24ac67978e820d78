package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress means a delivery was about to connect to an address on
// an internal network. The error wrapping it names the address.
var ErrForbiddenAddress = errors.New("webhooks: refusing private, loopback or reserved address")

// The ranges below follow IANA's IPv4 and IPv6 Special-Purpose Address
// Registries (https://www.iana.org/assignments/iana-ipv4-special-registry,
// .../iana-ipv6-special-registry, as of 2025): every block whose "Globally
// Reachable" is False or N/A is refused, and so are the blocks that are
// reachable but name a shared service rather than a merchant's server
// (anycast relays, AS112 sinks, IETF protocol assignments as a whole),
// together with multicast from the multicast registries. A webhook has no
// business at any of them.

// forbiddenV4 lists every IPv4 range that is not the public internet, or
// that reaches something other than the merchant's server.
var forbiddenV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", with the unspecified 0.0.0.0 (RFC 791)
	netip.MustParsePrefix("10.0.0.0/8"),      // private (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, shared inside a provider (RFC 6598)
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback (RFC 1122)
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, with cloud metadata at 169.254.169.254 (RFC 3927)
	netip.MustParsePrefix("172.16.0.0/12"),   // private (RFC 1918)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments, DS-Lite, NAT64 discovery (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation, TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.31.196.0/24"), // AS112 DNS sink (RFC 7535)
	netip.MustParsePrefix("192.52.193.0/24"), // AMT relay anycast (RFC 7450)
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast, deprecated (RFC 7526)
	netip.MustParsePrefix("192.168.0.0/16"),  // private (RFC 1918)
	netip.MustParsePrefix("192.175.48.0/24"), // AS112 direct delegation (RFC 7534)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking, used for internal test networks (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation, TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation, TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast (RFC 5771)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, with the broadcast 255.255.255.255 (RFC 1112, RFC 919)
}

// forbiddenV6 is the IPv6 counterpart of forbiddenV4, minus the ranges that
// carry an IPv4 address (v4Embeddings), which are judged by that address.
var forbiddenV6 = []netip.Prefix{
	netip.MustParsePrefix("::/128"),            // unspecified (RFC 4291)
	netip.MustParsePrefix("::1/128"),           // loopback (RFC 4291)
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64: translates into the operator's own network (RFC 8215)
	netip.MustParsePrefix("100::/63"),          // discard-only (RFC 6666) and the dummy prefix (RFC 9780)
	netip.MustParsePrefix("2001::/23"),         // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID, anycast services (RFC 2928)
	netip.MustParsePrefix("2001:db8::/32"),     // documentation (RFC 3849)
	netip.MustParsePrefix("2620:4f:8000::/48"), // AS112 direct delegation (RFC 7534)
	netip.MustParsePrefix("3fff::/20"),         // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),         // segment routing SIDs (RFC 9602)
	netip.MustParsePrefix("fc00::/7"),          // unique local, the IPv6 private range (RFC 4193)
	netip.MustParsePrefix("fe80::/10"),         // link-local (RFC 4291)
	netip.MustParsePrefix("fec0::/10"),         // site-local: deprecated, yet still routed inside old networks (RFC 3879)
	netip.MustParsePrefix("ff00::/8"),          // multicast (RFC 4291)
}

// v4Embeddings are IPv6 ranges whose packets are delivered to the IPv4
// address found at offset inside the IPv6 one; ::ffff:0:0/96 (IPv4-mapped) is
// left to netip.Addr.Unmap.
var v4Embeddings = []struct {
	prefix netip.Prefix
	offset int
}{
	{netip.MustParsePrefix("::/96"), 12},           // IPv4-compatible (deprecated by RFC 4291)
	{netip.MustParsePrefix("::ffff:0:0:0/96"), 12}, // IPv4-translated (SIIT, RFC 2765)
	{netip.MustParsePrefix("64:ff9b::/96"), 12},    // NAT64 well-known prefix (RFC 6052)
	{netip.MustParsePrefix("2002::/16"), 2},        // 6to4 (RFC 3056)
}

// ForbiddenAddr reports whether a webhook must not be delivered to addr:
// loopback, private, link-local (cloud metadata), carrier-grade NAT,
// multicast, unspecified, broadcast and reserved addresses, IPv6 forms that
// wrap any of the IPv4 ones, and the invalid zero Addr.
func ForbiddenAddr(addr netip.Addr) bool {
	// netip.Prefix.Contains never matches an address with a zone, so
	// fe80::1%eth0 would slip through every IPv6 range below.
	addr = addr.WithZone("").Unmap()
	if !addr.IsValid() {
		return true
	}
	if addr.Is6() {
		if containsAddr(forbiddenV6, addr) {
			return true
		}
		v4, ok := embeddedV4(addr)
		if !ok {
			return false
		}
		addr = v4
	}
	return containsAddr(forbiddenV4, addr)
}

func containsAddr(prefixes []netip.Prefix, addr netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func embeddedV4(addr netip.Addr) (netip.Addr, bool) {
	for _, e := range v4Embeddings {
		if e.prefix.Contains(addr) {
			b := addr.As16()
			return netip.AddrFrom4([4]byte(b[e.offset : e.offset+4])), true
		}
	}
	return netip.Addr{}, false
}

// Guard keeps webhook deliveries on the public internet. Merchants choose
// webhook URLs, so without it anyone holding an API key could make the
// gateway call its own admin ports, the database or the cloud metadata
// service, and probe them through the delivery log.
//
// The zero value refuses every address ForbiddenAddr reports.
type Guard struct {
	// AllowPrivate turns the guard off, for development against a receiver
	// on the same machine or network (scanpay serve --webhook-allow-private).
	AllowPrivate bool

	// resolver looks host names up; nil means the system's. Tests point it
	// at a DNS server of their own.
	resolver *net.Resolver

	// allowDial admits one destination that would otherwise be forbidden,
	// so a test can let exactly its own httptest server through.
	allowDial func(netip.AddrPort) bool
}

// Client returns the HTTP client that delivers webhooks. Build one and share
// it: each call makes its own connection pool.
//
// It checks each address as it connects, after DNS resolution, so a host
// that resolved to a public address when the endpoint was created and to an
// internal one now (DNS rebinding) is still refused, with an error wrapping
// ErrForbiddenAddress. It does not follow redirects, which would otherwise
// lead anywhere: a 3xx comes back as the response, a non-2xx like any other.
func (g *Guard) Client() *http.Client {
	dialer := &net.Dialer{
		Timeout:        5 * time.Second,
		KeepAlive:      30 * time.Second,
		Resolver:       g.resolver,
		ControlContext: g.control,
	}
	return &http.Client{
		// The per-phase limits below are shorter, so that a slow receiver's
		// delivery log says which phase was slow.
		Timeout: deliveryTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Transport: &http.Transport{
			// An HTTP_PROXY from the environment would make the connection
			// for us, and the dial check would only ever see the proxy.
			Proxy:       nil,
			DialContext: dialer.DialContext,
			// A custom DialContext turns HTTP/2 off unless asked for.
			ForceAttemptHTTP2: true,
			// Deliveries come in bursts to the same receivers; a kept
			// connection saves a TCP and TLS handshake per delivery.
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 8 * time.Second,
		},
	}
}

// control runs once the socket exists and before it connects, with the
// address really being dialled: the one moment a check cannot be outrun by a
// second, different DNS answer.
func (g *Guard) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Unreachable with TCP, but an address we cannot read is one we
		// cannot vouch for.
		return fmt.Errorf("%w: unreadable %q", ErrForbiddenAddress, address)
	}
	if g.AllowPrivate || !ForbiddenAddr(ap.Addr()) || g.allowDial != nil && g.allowDial(ap) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
}

// deliveryTimeout bounds one delivery attempt, connection to last byte.
const deliveryTimeout = 10 * time.Second

// maxURLLen keeps an endpoint URL short enough to index, log and show.
const maxURLLen = 2048

// lookupTimeout bounds the DNS lookup ValidateURL makes while a merchant's
// API call waits.
const lookupTimeout = 3 * time.Second

// allowPrivateHint ends the refusals of private addresses: a developer
// pointing a webhook at a receiver on their own machine needs to know the
// switch exists.
const allowPrivateHint = "; a gateway run for local development allows it with --webhook-allow-private"

// URLError says why a webhook endpoint URL was refused, in words meant for
// the merchant; the gateway answers it with a 400 naming the url parameter.
type URLError struct {
	Reason string
}

func (e *URLError) Error() string { return e.Reason }

// ValidateURL checks a webhook endpoint URL when a merchant registers it, so
// that mistakes show up at once instead of as failed deliveries later. A URL
// must be absolute http or https (https in live mode), without a user name
// or password, and, unless AllowPrivate, must not point to an address
// ForbiddenAddr reports, directly or by every address its host resolves to.
//
// It returns a *URLError for a URL the merchant must change, and another
// error only when the DNS lookup failed on our side. Passing proves nothing
// about later deliveries, which is why Client checks again as it connects.
func (g *Guard) ValidateURL(ctx context.Context, raw string, livemode bool) error {
	if len(raw) > maxURLLen {
		return &URLError{fmt.Sprintf("url must be at most %d characters", maxURLLen)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &URLError{"url is not a valid URL"}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return &URLError{"url must start with https:// or http://"}
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return &URLError{"url must include a host"}
	}
	if u.User != nil {
		return &URLError{"url must not contain a user name or password"}
	}
	if livemode && u.Scheme != "https" {
		return &URLError{"url must use https in live mode"}
	}
	if g.AllowPrivate {
		return nil
	}

	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if ForbiddenAddr(addr) {
			return &URLError{fmt.Sprintf("url points to a private address (%s)%s", host, allowPrivateHint)}
		}
		return nil
	}
	// RFC 6761 gives localhost and every name under it to loopback, whatever
	// a DNS server claims.
	if name := strings.ToLower(strings.TrimSuffix(host, ".")); name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return &URLError{"url must not point to localhost" + allowPrivateHint}
	}

	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok && dnsErr.IsNotFound {
		return &URLError{fmt.Sprintf("url host %s does not resolve to an address", host)}
	}
	if err != nil {
		return fmt.Errorf("webhooks: looking up %s: %w", host, err)
	}
	// A host with at least one public address is accepted: deliveries go
	// there, and the dial check refuses the others one by one.
	var private netip.Addr
	for _, addr := range addrs {
		if !ForbiddenAddr(addr) {
			return nil
		}
		private = addr
	}
	if !private.IsValid() {
		return &URLError{fmt.Sprintf("url host %s does not resolve to an address", host)}
	}
	return &URLError{fmt.Sprintf("url resolves to a private address (%s)%s", private, allowPrivateHint)}
}
