package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

func (s *Server) clientRoutes(r *gin.RouterGroup) {
	r.POST("/clients", s.createClient)
	r.GET("/clients", s.listClients)
	r.GET("/clients/:id", s.getClient)
	r.PATCH("/clients/:id", s.updateClient)
	r.DELETE("/clients/:id", s.archiveClient)
}

func (s *Server) createClient(c *gin.Context) {
	var req api.CreateClientRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	cl, err := s.store.CreateClient(c.Request.Context(), caller(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toClient(cl))
}

func (s *Server) listClients(c *gin.Context) {
	limit, err := queryLimit(c)
	if err != nil {
		fail(c, err)
		return
	}
	archived, _ := strconv.ParseBool(c.Query("include_archived"))
	cs, next, err := s.store.ListClients(c.Request.Context(), caller(c), store.ClientFilter{
		Query: c.Query("q"), IncludeArchived: archived, Limit: limit, Cursor: c.Query("cursor"),
	})
	if err != nil {
		fail(c, err)
		return
	}
	page := api.Page[api.Client]{Items: make([]api.Client, len(cs)), NextCursor: next}
	for i := range cs {
		page.Items[i] = *toClient(&cs[i])
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) getClient(c *gin.Context) {
	cl, err := s.store.Client(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toClient(cl))
}

func (s *Server) updateClient(c *gin.Context) {
	var req api.UpdateClientRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	cl, err := s.store.UpdateClient(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toClient(cl))
}

func (s *Server) archiveClient(c *gin.Context) {
	if err := s.store.ArchiveClient(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
