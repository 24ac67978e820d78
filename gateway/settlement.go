package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/settlement"
)

func (s *Server) settlementRoutes(v1 *gin.RouterGroup) {
	v1.GET("/balance", s.getBalance)
	v1.GET("/balance_transactions", s.listBalanceTransactions)
	v1.GET("/balance_transactions/:id", s.getBalanceTransaction)
	v1.GET("/settlements", s.listSettlements)
	v1.GET("/settlements/:id", s.getSettlement)
	v1.GET("/settlements/:id/report.csv", s.getSettlementReport)
	v1.GET("/signing_keys", s.listSigningKeys)
	v1.POST("/bank_accounts", s.idempotent(http.StatusCreated, false), s.createBankAccount)
	v1.GET("/bank_accounts", s.listBankAccounts)
	v1.GET("/bank_accounts/:id", s.getBankAccount)
	v1.POST("/payouts", s.idempotent(http.StatusCreated, false), s.createPayout)
	v1.GET("/payouts", s.listPayouts)
	v1.GET("/payouts/:id", s.getPayout)
}

// ReportURL is where the gateway at baseURL serves a settlement's
// reconciliation report: the settlement service puts it on settlements,
// in the API and in their events.
func ReportURL(baseURL string) func(settlementID string) string {
	return func(id string) string { return baseURL + "/v1/settlements/" + id + "/report.csv" }
}

func (s *Server) getBalance(c *gin.Context) {
	b, err := s.settlement.Balance(c.Request.Context(), principal(c))
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) getBalanceTransaction(c *gin.Context) {
	t, err := s.settlement.GetBalanceTransaction(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, t, err)
}

func (s *Server) listBalanceTransactions(c *gin.Context) {
	serveList(s, c, func(pg page) ([]settlement.BalanceTransaction, bool, error) {
		return s.settlement.ListBalanceTransactions(c.Request.Context(), principal(c), settlement.BalanceTransactionFilter{
			Type: c.Query("type"), Settlement: c.Query("settlement"), Payout: c.Query("payout"),
			Limit: pg.limit, StartingAfter: pg.startingAfter,
		})
	})
}

func (s *Server) getSettlement(c *gin.Context) {
	st, err := s.settlement.GetSettlement(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, st, err)
}

func (s *Server) listSettlements(c *gin.Context) {
	serveList(s, c, func(pg page) ([]settlement.Settlement, bool, error) {
		return s.settlement.ListSettlements(c.Request.Context(), principal(c), pg.limit, pg.startingAfter)
	})
}

// getSettlementReport serves the report as the file whose digest the
// settlement carries: the exact bytes that were signed.
func (s *Server) getSettlementReport(c *gin.Context) {
	id := c.Param("id")
	report, err := s.settlement.Report(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+id+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", report)
}

func (s *Server) listSigningKeys(c *gin.Context) {
	keys, err := s.settlement.SigningKeys(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	writeList(c, keys, false)
}

func (s *Server) createBankAccount(c *gin.Context) {
	var params settlement.BankAccountParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	account, err := s.settlement.CreateBankAccount(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, account, err)
}

func (s *Server) getBankAccount(c *gin.Context) {
	account, err := s.settlement.GetBankAccount(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, account, err)
}

func (s *Server) listBankAccounts(c *gin.Context) {
	serveList(s, c, func(pg page) ([]settlement.BankAccount, bool, error) {
		return s.settlement.ListBankAccounts(c.Request.Context(), principal(c), pg.limit, pg.startingAfter)
	})
}

func (s *Server) createPayout(c *gin.Context) {
	var params settlement.PayoutParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	payout, err := s.settlement.CreatePayout(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, payout, err)
}

func (s *Server) getPayout(c *gin.Context) {
	payout, err := s.settlement.GetPayout(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, payout, err)
}

func (s *Server) listPayouts(c *gin.Context) {
	serveList(s, c, func(pg page) ([]settlement.Payout, bool, error) {
		return s.settlement.ListPayouts(c.Request.Context(), principal(c), pg.limit, pg.startingAfter)
	})
}
