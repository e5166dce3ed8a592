package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) identityRoutes(r *gin.RouterGroup) {
	r.GET("/identities", s.listIdentities)
	r.DELETE("/identities/:id", s.unlinkIdentity)
}

func (s *Server) listIdentities(c *gin.Context) {
	ids, err := s.store.Identities(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := api.Page[api.Identity]{Items: make([]api.Identity, len(ids))}
	for i := range ids {
		out.Items[i] = s.toIdentity(&ids[i])
	}
	c.JSON(http.StatusOK, out)
}

// toIdentity names an identity's provider as the sign-in page does.
func (s *Server) toIdentity(id *store.Identity) api.Identity {
	out := api.Identity{ID: id.ID, Provider: id.Provider, ProviderName: id.Provider, Email: id.Email, CreatedAt: id.CreatedAt}
	if id.Provider == "dev" {
		out.ProviderName = "Dev login"
	}
	for _, p := range s.authn.providers.List() {
		if p.IdentityKey() == id.Provider {
			out.Provider, out.ProviderName = p.ID, p.Name
		}
	}
	return out
}

func (s *Server) unlinkIdentity(c *gin.Context) {
	if err := s.store.UnlinkIdentity(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
