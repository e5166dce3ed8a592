package api

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/mail"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sidenote/sidenote/server/internal/call"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/shared/api"
)

//go:embed templates/join.html
var joinFS embed.FS

var joinPage = template.Must(template.ParseFS(joinFS, "templates/join.html"))

// joinView is what the guest page shows.
type joinView struct {
	Title string
	State string // form, call or invalid
	Error string

	// The call page's: who invited the guest, and the single-use ticket
	// its script opens the call's socket at SocketPath with.
	ClinicianName string
	PracticeName  string
	Ticket        string
	SocketPath    string
}

// joinRoutes serve the telehealth guest page, outside the API: the guest has
// no account, only the code in their link. The routes are limited per IP
// like sign-in, so codes cannot be probed quickly; a foreign Origin on the
// POST is refused by the server-wide origin check (cors.go), and on the
// call's socket by guestCall.
func (s *Server) joinRoutes(r *gin.Engine) {
	page := pageHeaders(joinCSP)
	r.GET("/join/:code", page, s.limitSignIn, s.joinForm)
	r.POST("/join/:code", page, s.limitSignIn, s.join)
	r.GET("/join/:code/call", s.limitSignIn, s.guestCall)
	r.GET(joinStylePath, serveJoinStyle)
	r.GET(joinScriptPath, serveJoinScript)
}

func (s *Server) joinForm(c *gin.Context) {
	if _, err := s.store.TelehealthLinkByCode(c.Request.Context(), c.Param("code")); err != nil {
		s.renderJoin(c, err, joinView{})
		return
	}
	s.renderJoin(c, nil, joinView{Title: "Join your session", State: "form"})
}

// join records that the guest joined and consented, tells the clinician at
// once (on their call socket) and answers with the call page. The email is
// checked for shape and then dropped: it is never stored, logged or queued.
func (s *Server) join(c *gin.Context) {
	ctx := c.Request.Context()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 4<<10)
	email := strings.TrimSpace(c.PostForm("email"))
	consented := c.PostForm("consent") == "yes"
	if _, err := s.store.TelehealthLinkByCode(ctx, c.Param("code")); err != nil {
		s.renderJoin(c, err, joinView{})
		return
	}
	if problem := guestFormProblem(email, consented); problem != "" {
		c.Status(http.StatusUnprocessableEntity)
		s.renderJoin(c, nil, joinView{Title: "Join your session", State: "form", Error: problem})
		return
	}
	view, err := s.admitGuest(c)
	s.renderJoin(c, err, view)
}

// admitGuest records the guest's join, gives them a call ticket and tells
// the clinician.
func (s *Server) admitGuest(c *gin.Context) (joinView, error) {
	ctx := c.Request.Context()
	code := c.Param("code")
	link, err := s.store.RecordGuestJoin(ctx, code)
	if err != nil {
		return joinView{}, err
	}
	ticket, _, err := s.store.IssueCallTicket(ctx, link.ClinicianID, link.SessionID, api.CallRoleGuest, guestTicketTTL)
	if hasCode(err, api.CodeConflict) { // the session ended meanwhile
		err = store.ErrJoinLinkInvalid
	}
	if err != nil {
		return joinView{}, err
	}
	clinician, err := s.store.ClinicianByID(ctx, link.ClinicianID)
	if err != nil {
		return joinView{}, err
	}
	consented, now := true, s.store.Now()
	s.calls.Send(link.SessionID, api.CallRoleClinician, call.Encode(api.CallMessage{Type: api.CallGuestJoined, Consented: &consented, At: &now}))
	return joinView{
		Title: "Your session", State: "call", ClinicianName: clinician.Name,
		Ticket: ticket, SocketPath: "/join/" + code + "/call",
	}, nil
}

// guestFormProblem explains what the guest must fix, or returns "".
func guestFormProblem(email string, consented bool) string {
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email, "@") {
		return "Enter your email address, for example name@example.com."
	}
	if !consented {
		return "Tick the consent box to join the session."
	}
	return ""
}

// renderJoin writes the page for view, or the invalid-link page for an
// unknown or expired code, or a plain error page.
func (s *Server) renderJoin(c *gin.Context, err error, view joinView) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	status := c.Writer.Status() // 200 unless the caller set another
	switch {
	case errors.Is(err, store.ErrJoinLinkInvalid):
		status, view = http.StatusNotFound, joinView{Title: "Link not valid", State: "invalid"}
	case err != nil:
		s.log.Error("guest join failed", "request_id", requestID(c), "error_type", errorType(err))
		c.String(http.StatusInternalServerError, "Something went wrong. Please try again in a moment.")
		return
	}
	c.Status(status)
	h.Set("Content-Type", "text/html; charset=utf-8")
	if err := joinPage.Execute(c.Writer, view); err != nil {
		s.log.Warn("guest page not rendered", "request_id", requestID(c))
	}
}
