package merchant_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestRevocationReachesEveryProcessWithinTheCacheTTL runs two services on
// one database, as two gateway processes would. A key revoked through one
// stops at once there, and at the other once CacheTTL has passed, not
// later; meanwhile the other authenticates from memory, reading nothing.
func TestRevocationReachesEveryProcessWithinTheCacheTTL(t *testing.T) {
	db, _ := storagetest.Open(t)
	clk := clocktest.New()
	here, there := merchant.NewService(db, clk.Now), merchant.NewService(db, clk.Now)
	ctx := context.Background()
	m, secret, err := here.Create(ctx, merchant.CreateParams{Name: "Cafe"})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := here.ListKeys(ctx, m.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	for _, s := range []*merchant.Service{here, there} {
		if p, err := s.Authenticate(ctx, secret); err != nil || p.MerchantID != m.ID {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
	}
	statements := storagetest.CountStatements(t, db)
	if _, err := there.Authenticate(ctx, secret); err != nil || statements.Total() != 0 {
		t.Fatalf("a cached key: %v after %d statements, want none", err, statements.Total())
	}
	if _, err := here.RevokeKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := here.Authenticate(ctx, secret); !errors.Is(err, merchant.ErrAPIKeyRevoked) {
		t.Fatalf("where it was revoked: %v, want revoked at once", err)
	}
	clk.Advance(merchant.CacheTTL / 2)
	if _, err := there.Authenticate(ctx, secret); err != nil {
		t.Fatalf("within the TTL the other process still trusts its copy: %v", err)
	}
	clk.Advance(merchant.CacheTTL / 2)
	if _, err := there.Authenticate(ctx, secret); !errors.Is(err, merchant.ErrAPIKeyRevoked) {
		t.Fatalf("after the TTL: %v, want revoked", err)
	}
	// A wrong secret with a known lookup prefix is never taken from the
	// cache: only the whole secret's hash finds an entry.
	forged := secret[:len(secret)-1] + "0"
	if forged == secret {
		forged = secret[:len(secret)-1] + "1"
	}
	if _, err := there.Authenticate(ctx, forged); !errors.Is(err, merchant.ErrAPIKeyInvalid) {
		t.Fatalf("forged key: %v", err)
	}
}
