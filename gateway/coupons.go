package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

func (s *Server) couponRoutes(v1 *gin.RouterGroup) {
	v1.POST("/coupon_campaigns", s.idempotent(http.StatusCreated, false), s.createCampaign)
	v1.GET("/coupon_campaigns", s.listCampaigns)
	v1.GET("/coupon_campaigns/:id", s.getCampaign)
	v1.POST("/coupon_campaigns/:id/pause", s.idempotent(http.StatusOK, false), s.setCampaignStatus(checkout.CampaignPaused))
	v1.POST("/coupon_campaigns/:id/resume", s.idempotent(http.StatusOK, false), s.setCampaignStatus(checkout.CampaignActive))
	v1.POST("/coupon_campaigns/:id/end", s.idempotent(http.StatusOK, false), s.setCampaignStatus(checkout.CampaignEnded))
	v1.POST("/coupon_campaigns/:id/coupons", s.idempotent(http.StatusCreated, false), s.sendCoupon)
}

// walletPromotionRoutes are the payer's coupons and cashback.
func (s *Server) walletPromotionRoutes(a *gin.RouterGroup) {
	a.GET("/coupons", s.walletCoupons)
	a.POST("/coupons", s.idempotent(http.StatusCreated, false), s.claimCoupon)
	a.GET("/cashbacks", s.walletCashbacks)
}

func (s *Server) createCampaign(c *gin.Context) {
	var params checkout.CampaignParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	campaign, err := s.checkout.CreateCampaign(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, campaign, err)
}

func (s *Server) getCampaign(c *gin.Context) {
	campaign, err := s.checkout.GetCampaign(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, campaign, err)
}

func (s *Server) listCampaigns(c *gin.Context) {
	serveList(s, c, func(pg page) ([]checkout.CouponCampaign, bool, error) {
		return s.checkout.ListCampaigns(c.Request.Context(), principal(c), pg.limit, pg.startingAfter)
	})
}

func (s *Server) setCampaignStatus(status string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decode(c, &struct{}{}); err != nil {
			s.fail(c, err)
			return
		}
		p := principal(c)
		campaign, err := s.checkout.SetCampaignStatus(c.Request.Context(), &p, c.Param("id"), status)
		s.reply(c, http.StatusOK, campaign, err)
	}
}

func (s *Server) sendCoupon(c *gin.Context) {
	var req sendCouponRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	coupon, err := s.checkout.SendCoupon(c.Request.Context(), principal(c), c.Param("id"), req.Phone)
	s.reply(c, http.StatusCreated, coupon, err)
}

func (s *Server) walletCoupons(c *gin.Context) {
	serveList(s, c, func(pg page) ([]checkout.Coupon, bool, error) {
		return s.checkout.WalletCoupons(c.Request.Context(), walletID(c), pg.limit, pg.startingAfter)
	})
}

func (s *Server) claimCoupon(c *gin.Context) {
	var req claimCouponRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Campaign == "" {
		s.fail(c, scanpay.Missing("campaign"))
		return
	}
	session := walletSession(c)
	coupon, err := s.checkout.ClaimCoupon(c.Request.Context(), session.WalletID, session.Livemode, req.Campaign)
	s.reply(c, http.StatusCreated, coupon, err)
}

// sendCouponRequest is the body of POST /v1/coupon_campaigns/{id}/coupons.
type sendCouponRequest struct {
	Phone string `json:"phone"`
}

// claimCouponRequest is the body of POST /wallet/v1/coupons.
type claimCouponRequest struct {
	Campaign string `json:"campaign"`
}
