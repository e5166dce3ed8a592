package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

func (s *Server) templateRoutes(r *gin.RouterGroup) {
	r.POST("/templates", s.createTemplate)
	r.GET("/templates", s.listTemplates)
	r.GET("/templates/:id", s.getTemplate)
	r.PATCH("/templates/:id", s.updateTemplate)
	r.DELETE("/templates/:id", s.deleteTemplate)
}

// listTemplates answers every template the clinician can write a note
// with: the built-in ones, then their own by name.
func (s *Server) listTemplates(c *gin.Context) {
	mine, err := s.store.CustomTemplates(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	builtin := note.Templates()
	out := make([]api.NoteTemplate, 0, len(builtin)+len(mine))
	for _, t := range builtin {
		out = append(out, toBuiltinTemplate(t))
	}
	for i := range mine {
		out = append(out, toCustomTemplate(&mine[i]))
	}
	c.JSON(http.StatusOK, api.Page[api.NoteTemplate]{Items: out})
}

func (s *Server) getTemplate(c *gin.Context) {
	if t, ok := note.Lookup(note.TemplateID(c.Param("id"))); ok {
		c.JSON(http.StatusOK, toBuiltinTemplate(t))
		return
	}
	t, err := s.store.CustomTemplate(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCustomTemplate(t))
}

func (s *Server) createTemplate(c *gin.Context) {
	var req api.TemplateRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	t, err := s.store.CreateTemplate(c.Request.Context(), caller(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCustomTemplate(t))
}

func (s *Server) updateTemplate(c *gin.Context) {
	var req api.TemplateRequest
	if err := decode(c, s.cfg.MaxBodyBytes, &req); err != nil {
		fail(c, err)
		return
	}
	t, err := s.store.UpdateTemplate(c.Request.Context(), caller(c), c.Param("id"), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCustomTemplate(t))
}

func (s *Server) deleteTemplate(c *gin.Context) {
	if err := s.store.DeleteTemplate(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// toBuiltinTemplate shows a built-in template as a custom one would look:
// each section draws from its own kind.
func toBuiltinTemplate(t note.Template) api.NoteTemplate {
	out := api.NoteTemplate{ID: t.ID, Name: t.Name, Builtin: true, Sections: make([]api.TemplateSection, len(t.Sections))}
	for i, d := range t.Sections {
		aliases := append([]string{}, d.Aliases...)
		out.Sections[i] = api.TemplateSection{Key: d.Key, Title: d.Title, Aliases: aliases, DrawsFrom: []string{d.Key}}
	}
	return out
}

func toCustomTemplate(t *store.CustomTemplate) api.NoteTemplate {
	return api.NoteTemplate{
		ID: note.TemplateID(t.ID), Name: t.Name, Sections: store.TemplateSectionsOf(t.Sections),
		CreatedAt: &t.CreatedAt, UpdatedAt: &t.UpdatedAt,
	}
}
