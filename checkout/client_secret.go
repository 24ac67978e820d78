package checkout

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
)

// A client secret is the order's id, clientSecretSep, and 128 random bits:
// ord_..._secret_.... The id in it lets a browser find the order it opens.
const (
	clientSecretSep   = "_secret_"
	clientSecretBytes = 16
)

// ErrClientSecret answers every client secret that does not open the order
// asked for: an unknown order, another order's secret, a wrong or
// malformed one. It is the same 404 whatever was wrong, so a browser
// learns nothing by trying.
var ErrClientSecret = &scanpay.Error{Kind: scanpay.KindNotFound, Code: "resource_missing", Param: "client_secret",
	Message: "no such order, or the client secret does not open it"}

// newClientSecret makes a client secret for the order and returns its
// random part sealed to the order, to store.
func (s *Service) newClientSecret(orderID string) *string {
	sealed := s.secrets.Seal(orderID, []byte(scanpay.RandomToken(clientSecretBytes)))
	return &sealed
}

// clientSecret opens the order's stored client secret; "" when it has none
// (made before client secrets) or it cannot be opened (the key changed).
func (s *Service) clientSecret(r orderRow) string {
	if r.ClientSecret == nil {
		return ""
	}
	random, err := s.secrets.Open(r.ID, *r.ClientSecret)
	if err != nil {
		return ""
	}
	return r.ID + clientSecretSep + string(random)
}

// merchantView is an order as its merchant reads it: with its client
// secret, which events never carry.
func (s *Service) merchantView(r orderRow, now time.Time) Order {
	o := s.toOrder(r, now)
	o.ClientSecret = s.clientSecret(r)
	return o
}

// ByClientSecret returns the public view of order id when secret is its
// client secret: what a browser holding only the secret may see. Every
// refusal is ErrClientSecret. The comparison takes the same time however
// much of the secret is right.
func (s *Service) ByClientSecret(ctx context.Context, id, secret string) (PublicOrder, error) {
	owner, random, ok := strings.Cut(secret, clientSecretSep)
	if !ok || owner != id || !scanpay.IsID("ord", id) || !scanpay.IsToken(random, clientSecretBytes) {
		return PublicOrder{}, ErrClientSecret
	}
	var rows []orderRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return PublicOrder{}, err
	}
	if len(rows) == 0 || subtle.ConstantTimeCompare([]byte(s.clientSecret(rows[0])), []byte(secret)) != 1 {
		return PublicOrder{}, ErrClientSecret
	}
	return rows[0].public(s.now()), nil
}
