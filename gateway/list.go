package gateway

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

// page is the cursor of a list request: ?limit= (1..100, default 10) and
// ?starting_after=ID.
type page struct {
	limit         int
	startingAfter string
}

func parsePage(c *gin.Context) (page, error) {
	p := page{limit: 10, startingAfter: c.Query("starting_after")}
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100 {
			return p, scanpay.Invalid("limit", "limit must be an integer from 1 to 100")
		}
		p.limit = n
	}
	return p, nil
}

// listBody is the shape of every list response.
type listBody[T any] struct {
	Object  string `json:"object"`
	URL     string `json:"url"`
	HasMore bool   `json:"has_more"`
	Data    []T    `json:"data"`
}

func writeList[T any](c *gin.Context, data []T, hasMore bool) {
	if data == nil {
		data = []T{}
	}
	c.JSON(http.StatusOK, listBody[T]{Object: "list", URL: c.Request.URL.Path, HasMore: hasMore, Data: data})
}

// serveList answers a list request: the page the query asks for, fetched
// by fetch, written as a list, or the error.
func serveList[T any](s *Server, c *gin.Context, fetch func(page) ([]T, bool, error)) {
	pg, err := parsePage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	data, more, err := fetch(pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeList(c, data, more)
}
