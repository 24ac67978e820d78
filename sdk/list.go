package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// defaultPageSize is how many objects a list fetches per request unless
// told otherwise: the most the gateway gives, for the fewest round trips.
const defaultPageSize = 100

// ListParams are what every list takes: where to start and how many
// objects to fetch per request. Lists are newest first.
type ListParams struct {
	// StartingAfter starts the list after the object with this id (a
	// cursor kept from an earlier walk).
	StartingAfter string
	// Limit is the page size, 1 to 100; zero means 100. The iterator
	// fetches pages until the list ends, or until the loop breaks.
	Limit int
}

// page is one answer of a list endpoint.
type page[T any] struct {
	Data    []*T `json:"data"`
	HasMore bool `json:"has_more"`
}

// list walks a list endpoint page by page; id gives the cursor of the
// last object of a page. An error ends the walk, after being yielded.
func list[T any](ctx context.Context, c *Client, path string, query url.Values, p ListParams, id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		q := url.Values{}
		for k, v := range query {
			if len(v) > 0 && v[0] != "" {
				q[k] = v
			}
		}
		limit := p.Limit
		if limit == 0 {
			limit = defaultPageSize
		}
		q.Set("limit", strconv.Itoa(limit))
		after := p.StartingAfter
		for {
			if after != "" {
				q.Set("starting_after", after)
			}
			var pg page[T]
			if err := c.call(ctx, request{method: http.MethodGet, path: path, query: q}, &pg); err != nil {
				yield(nil, err)
				return
			}
			for _, v := range pg.Data {
				if !yield(v, nil) {
					return
				}
			}
			if !pg.HasMore || len(pg.Data) == 0 {
				return
			}
			after = id(pg.Data[len(pg.Data)-1])
		}
	}
}
