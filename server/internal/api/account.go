package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// deleteAccountRequest is the body of DELETE /me: the clinician types
// their own email to confirm.
type deleteAccountRequest struct {
	Confirm string `json:"confirm"`
}

func (s *Server) accountRoutes(r *gin.RouterGroup) {
	r.DELETE("/me", s.deleteAccount)
}

// deleteAccount deletes the caller's account and everything it owns: every
// row (tokens and browser sessions too, so this request's token stops
// working), their jobs, and their recordings. Recordings are deleted before
// the rows, so a failure leaves an account that can delete itself again,
// and once more after, for one uploaded meanwhile.
func (s *Server) deleteAccount(c *gin.Context) {
	ctx := c.Request.Context()
	var req deleteAccountRequest
	if c.Request.ContentLength != 0 { // no body at all is a missing confirmation
		if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
			fail(c, err)
			return
		}
	}
	clin, err := s.store.ClinicianByID(ctx, caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	if !strings.EqualFold(strings.TrimSpace(req.Confirm), clin.Email) {
		fail(c, &api.Error{Code: api.CodeInvalidField, Field: "confirm",
			Message: "To delete your account and all its data, send your email address as confirm."})
		return
	}
	sessions, err := s.store.AccountSessionIDs(ctx, clin.ID)
	if err == nil {
		err = s.deleteRecordings(c, sessions)
	}
	var forget store.ForgetJobs
	if s.jobs != nil {
		forget = s.jobs.ForgetClinician
	}
	if err == nil {
		sessions, err = s.store.DeleteAccount(ctx, clin.ID, forget)
	}
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.deleteRecordings(c, sessions); err != nil {
		// The account is gone; a leftover file has no row pointing to it.
		s.log.Error("recording left after account deletion", "request_id", requestID(c), "error_type", errorType(err))
	}
	if err := s.store.ForgetDeleted(ctx); err != nil {
		// The rows are deleted; older copies of their pages leave the log when it next restarts.
		s.log.Error("deleted account still in the write-ahead log", "request_id", requestID(c), "error_type", errorType(err))
	}
	s.log.Info("account deleted", "request_id", requestID(c), "clinician_id", clin.ID)
	if s.cookie(c, sessionCookie) != "" {
		s.setCookie(c, sessionCookie, "", -1)
	}
	c.Status(http.StatusNoContent)
}

// deleteRecordings removes the recordings of sessions, chunks and all (a
// session without one is not an error).
func (s *Server) deleteRecordings(c *gin.Context, sessionIDs []string) error {
	if s.files == nil {
		return nil
	}
	for _, id := range sessionIDs {
		if err := s.files.DeleteTree(c.Request.Context(), store.SessionFilesKey(id)); err != nil {
			return err
		}
	}
	return nil
}
