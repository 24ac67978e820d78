package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/checkout"
)

func (s *Server) cashbackRoutes(v1 *gin.RouterGroup) {
	v1.POST("/cashback_campaigns", s.idempotent(http.StatusCreated, false), s.createCashbackCampaign)
	v1.GET("/cashback_campaigns", s.listCashbackCampaigns)
	v1.GET("/cashback_campaigns/:id", s.getCashbackCampaign)
	v1.POST("/cashback_campaigns/:id/pause", s.idempotent(http.StatusOK, false), s.setCashbackCampaignStatus(checkout.CampaignPaused))
	v1.POST("/cashback_campaigns/:id/resume", s.idempotent(http.StatusOK, false), s.setCashbackCampaignStatus(checkout.CampaignActive))
	v1.POST("/cashback_campaigns/:id/end", s.idempotent(http.StatusOK, false), s.setCashbackCampaignStatus(checkout.CampaignEnded))
	v1.GET("/cashbacks", s.listCashbacks)
	v1.GET("/cashbacks/:id", s.getCashback)
}

func (s *Server) createCashbackCampaign(c *gin.Context) {
	var params checkout.CashbackCampaignParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	campaign, err := s.checkout.CreateCashbackCampaign(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, campaign, err)
}

func (s *Server) getCashbackCampaign(c *gin.Context) {
	campaign, err := s.checkout.GetCashbackCampaign(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, campaign, err)
}

func (s *Server) listCashbackCampaigns(c *gin.Context) {
	p := principal(c)
	serveList(s, c, func(pg page) ([]checkout.CashbackCampaign, bool, error) {
		return s.checkout.ListCashbackCampaigns(c.Request.Context(), &p, p.Livemode, pg.limit, pg.startingAfter)
	})
}

func (s *Server) setCashbackCampaignStatus(status string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decode(c, &struct{}{}); err != nil {
			s.fail(c, err)
			return
		}
		p := principal(c)
		campaign, err := s.checkout.SetCashbackCampaignStatus(c.Request.Context(), &p, c.Param("id"), status)
		s.reply(c, http.StatusOK, campaign, err)
	}
}

func (s *Server) getCashback(c *gin.Context) {
	cashback, err := s.checkout.GetCashback(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, cashback, err)
}

func (s *Server) listCashbacks(c *gin.Context) {
	serveList(s, c, func(pg page) ([]checkout.Cashback, bool, error) {
		return s.checkout.ListCashbacks(c.Request.Context(), principal(c), c.Query("order"), pg.limit, pg.startingAfter)
	})
}

// walletCashbacks lists the payer's cashbacks, with their totals per
// currency beside the list.
func (s *Server) walletCashbacks(c *gin.Context) {
	pg, err := parsePage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	session := walletSession(c)
	cashbacks, more, totals, err := s.checkout.WalletCashbacks(c.Request.Context(), session.WalletID, session.Livemode, pg.limit, pg.startingAfter)
	if err != nil {
		s.fail(c, err)
		return
	}
	if cashbacks == nil {
		cashbacks = []checkout.Cashback{}
	}
	c.JSON(http.StatusOK, walletCashbacksView{listBody[checkout.Cashback]{Object: "list", URL: c.Request.URL.Path, HasMore: more, Data: cashbacks}, totals})
}

// walletCashbacksView is the payer's cashbacks with their totals.
type walletCashbacksView struct {
	listBody[checkout.Cashback]
	Totals []checkout.CashbackSummary `json:"totals"`
}
