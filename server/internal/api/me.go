package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

// devLogin signs in by email alone. It is registered only in dev-login mode,
// which the configuration allows only on a loopback address.
func (s *Server) devLogin(c *gin.Context) {
	var req api.DevLoginRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if !strings.Contains(email, "@") || len(email) > 254 {
		fail(c, &api.Error{Code: api.CodeInvalidField, Field: "email", Message: "Enter an email address."})
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = email
	}
	actAs(c, "") // the request's id and address, for the profile refresh's event
	clin, err := s.store.SignIn(c.Request.Context(), "dev", email, email, name)
	if err != nil {
		fail(c, err)
		return
	}
	actAs(c, clin.ID)
	token, _, err := s.store.CreateToken(c.Request.Context(), clin.ID, store.TokenDev, "Dev login", s.cfg.TokenTTL)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.TokenResponse{Token: token})
}

func (s *Server) me(c *gin.Context) {
	clin, err := s.store.ClinicianByID(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.Clinician{ID: clin.ID, Email: clin.Email, Name: clin.Name, CreatedAt: clin.CreatedAt})
}
