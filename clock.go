package scanpay

import "time"

// Now is the gateway's clock: UTC, to the microsecond, which is what
// PostgreSQL keeps, so a time survives a round trip through either
// database unchanged and compares equal afterwards. Services take a
// func() time.Time so tests can move time.
func Now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}
