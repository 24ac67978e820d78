package gateway

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/wallet"
)

const walletKey = "wallet_session"

// walletRoutes is the payer's side. Signing up and signing in take a phone
// and PIN; everything else a session token.
func (s *Server) walletRoutes(r *gin.Engine) {
	g := r.Group("/wallet/v1")
	// Signing up is retry-safe too. The body holds the phone and PIN, so
	// only someone who already knows both can replay the answer, which is
	// stored sealed: it holds a session token.
	// Both count their failures per client address, in one budget, so that
	// no stranger can sweep phone numbers through either.
	g.POST("/accounts", s.limitFailures("wallet-auth"), scoped("wallet-signup"), s.idempotent(http.StatusCreated, true), s.createWallet)
	// Signing in and scanning have no effect to repeat: each call simply
	// answers again.
	g.POST("/sessions", s.limitFailures("wallet-auth"), s.createWalletSession)

	a := g.Group("", s.authWallet)
	a.GET("/account", s.getWallet)
	a.POST("/account", s.idempotent(http.StatusOK, false), s.updateWallet)
	a.POST("/account/freeze", s.idempotent(http.StatusOK, false), s.freezeWallet)
	a.POST("/account/unfreeze", s.idempotent(http.StatusOK, false), s.unfreezeWallet)
	a.POST("/topups", s.idempotent(http.StatusCreated, false), s.walletTransfer((*wallet.Service).TopUp))
	a.POST("/withdrawals", s.idempotent(http.StatusCreated, false), s.walletTransfer((*wallet.Service).Withdraw))
	a.GET("/balance", s.walletBalance)
	a.GET("/transactions", s.walletHistory)
	a.POST("/scan", s.scan)
	a.POST("/payments", s.countOutcome("payment"), s.idempotent(http.StatusCreated, false), s.pay)
	s.walletPromotionRoutes(a)
}

// authWallet admits requests with a valid payer session token.
func (s *Server) authWallet(c *gin.Context) {
	session, err := s.wallets.Authenticate(bearer(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(walletKey, session)
	c.Set(scopeKey, session.WalletID)
	c.Next()
}

// scoped sets the idempotency scope of an unauthenticated route.
func scoped(scope string) gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(scopeKey, scope) }
}

func walletSession(c *gin.Context) wallet.Session {
	return c.MustGet(walletKey).(wallet.Session)
}

func walletID(c *gin.Context) string {
	return walletSession(c).WalletID
}

type credentials struct {
	Phone string `json:"phone"`
	PIN   string `json:"pin"`
}

func (s *Server) createWallet(c *gin.Context) {
	var req credentials
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	signUp, err := s.wallets.CreateAccount(c.Request.Context(), req.Phone, req.PIN)
	s.reply(c, http.StatusCreated, signUp, err)
}

func (s *Server) createWalletSession(c *gin.Context) {
	var req credentials
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	token, err := s.wallets.CreateSession(c.Request.Context(), req.Phone, req.PIN)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sessionView{Token: token})
}

func (s *Server) getWallet(c *gin.Context) {
	v, err := s.wallets.Get(c.Request.Context(), walletID(c))
	s.reply(c, http.StatusOK, v, err)
}

func (s *Server) updateWallet(c *gin.Context) {
	var req walletLimitRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.NoPINLimit == nil {
		s.fail(c, scanpay.Missing("no_pin_limit"))
		return
	}
	v, err := s.wallets.SetNoPINLimit(c.Request.Context(), walletID(c), *req.NoPINLimit, req.PIN)
	s.reply(c, http.StatusOK, v, err)
}

func (s *Server) freezeWallet(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.wallets.Freeze(c.Request.Context(), walletID(c))
	s.reply(c, http.StatusOK, v, err)
}

func (s *Server) unfreezeWallet(c *gin.Context) {
	var req pinRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.wallets.Unfreeze(c.Request.Context(), walletID(c), req.PIN)
	s.reply(c, http.StatusOK, v, err)
}

type transferFunc func(*wallet.Service, context.Context, string, int64, string) (wallet.Transfer, error)

// walletTransfer serves top-ups and withdrawals, which take the same body.
func (s *Server) walletTransfer(move transferFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req transferRequest
		if err := decode(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		if req.Amount == nil {
			s.fail(c, scanpay.Missing("amount"))
			return
		}
		v, err := move(s.wallets, c.Request.Context(), walletID(c), *req.Amount, req.Currency)
		s.reply(c, http.StatusCreated, v, err)
	}
}

func (s *Server) walletBalance(c *gin.Context) {
	balances, err := s.wallets.Balance(c.Request.Context(), walletID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, walletBalanceView{Object: "balance", Available: balances})
}

func (s *Server) walletHistory(c *gin.Context) {
	serveList(s, c, func(pg page) ([]wallet.Transaction, bool, error) {
		return s.wallets.History(c.Request.Context(), walletID(c), pg.limit, pg.startingAfter)
	})
}

func (s *Server) scan(c *gin.Context) {
	var req scanRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.checkout.Scan(c.Request.Context(), walletID(c), req.Payload)
	s.reply(c, http.StatusOK, v, err)
}

func (s *Server) pay(c *gin.Context) {
	var params checkout.PayParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.checkout.Pay(c.Request.Context(), walletID(c), params)
	s.reply(c, http.StatusCreated, v, err)
}

// The wallet API's request and answer shapes that belong to no service.
type (
	walletLimitRequest struct {
		NoPINLimit *int64 `json:"no_pin_limit"`
		PIN        string `json:"pin"`
	}
	pinRequest struct {
		PIN string `json:"pin"`
	}
	transferRequest struct {
		Amount   *int64 `json:"amount"`
		Currency string `json:"currency"`
	}
	scanRequest struct {
		Payload string `json:"payload"`
	}
	sessionView struct {
		Token string `json:"token"`
	}
	walletBalanceView struct {
		Object    string                   `json:"object"`
		Available []ledger.CurrencyBalance `json:"available"`
	}
)
