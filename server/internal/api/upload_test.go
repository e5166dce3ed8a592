package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// cutOffUpload sends a recording upload that stops after half of what it
// declares (Content-Length, or chunked encoding without its terminator),
// half-closes the connection as a client that went away would, and returns
// the status the server answered.
func cutOffUpload(t *testing.T, ts *testServer, token, sessionID string, chunked bool) int {
	t.Helper()
	conn, err := net.Dial("tcp", ts.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	half := bytes.Repeat([]byte("fictional cut-off audio "), (1<<20)/24)
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST /api/v1/sessions/%s/recording HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: audio/webm\r\n",
		sessionID, ts.http.Listener.Addr(), token)
	if chunked {
		fmt.Fprintf(&req, "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
	} else {
		fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n%s", 2*len(half), half)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to a cut-off upload: %v", err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestUploadIsAllOrNothing: an empty or cut-off upload over a stored
// recording leaves its bytes and its row as they were, and on a session
// without one leaves nothing; it answers 4xx, never 500.
func TestUploadIsAllOrNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
		audio := []byte("OggS fictional recording that must survive")
		ts.upload(a, sess.ID, "audio/ogg", audio, http.StatusCreated)
		var before api.Recording
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &before)
		sessionDir := filepath.Join(ts.cfg.DataDir, "recordings", "sessions", sess.ID)
		unchanged := func(what string) {
			t.Helper()
			var after api.Recording
			ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &after)
			if after != before {
				t.Fatalf("%s changed the recording's row:\nbefore %+v\nafter  %+v", what, before, after)
			}
			if got, _ := ts.audio(a, sess.ID); !bytes.Equal(got, audio) {
				t.Fatalf("%s changed the stored audio to %d bytes", what, len(got))
			}
			if files := pathsUnder(t, sessionDir); len(files) != 1 {
				t.Fatalf("%s left files: %v", what, files)
			}
		}

		res := ts.upload(a, sess.ID, "audio/ogg", nil, http.StatusUnprocessableEntity)
		if res.Error().Code != api.CodeInvalidField {
			t.Fatalf("empty upload: %s", res.Body)
		}
		unchanged("an empty upload")
		for _, chunked := range []bool{false, true} {
			name := map[bool]string{false: "a cut-off upload (Content-Length)", true: "a cut-off upload (chunked)"}[chunked]
			if status := cutOffUpload(t, ts, a, sess.ID, chunked); status != http.StatusBadRequest {
				t.Fatalf("%s: %d, want 400", name, status)
			}
			unchanged(name)
		}

		// On a session without a recording: no row, no file.
		bare := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousCouple)
		for _, chunked := range []bool{false, true} {
			if status := cutOffUpload(t, ts, a, bare.ID, chunked); status != http.StatusBadRequest {
				t.Fatalf("cut-off upload (chunked %v) on a session without a recording: %d", chunked, status)
			}
		}
		ts.upload(a, bare.ID, "audio/ogg", nil, http.StatusUnprocessableEntity)
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+bare.ID+"/recording", nil, http.StatusNotFound, nil)
		if files := pathsUnder(t, filepath.Join(ts.cfg.DataDir, "recordings", "sessions", bare.ID)); len(files) != 0 {
			t.Fatalf("failed uploads left files: %v", files)
		}
		if strings.Contains(ts.logs.String(), `"status":500`) {
			t.Fatal("an upload answered 500")
		}
	})
}

// TestRecordingAfterSigningIsLetGo: a recording uploaded once the note is
// signed gets the retention schedule (0 here: deleted at once) unless kept.
func TestRecordingAfterSigningIsLetGo(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
		ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
		n := ts.generateNote(a, sess.ID, "dap")
		ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", signAndEnd(n.Version), http.StatusOK, nil)
		var rec api.Recording
		ts.do(a, http.MethodPost, "/api/v1/sessions/"+sess.ID+"/recording", rawBody{"audio/ogg", "OggS late fictional audio"}, http.StatusCreated, &rec)
		if rec.DeleteAfter == nil {
			t.Fatalf("a recording uploaded after signing has no deletion date: %+v", rec)
		}
		rec = ts.waitRecordingDeleted(a, sess.ID)
		if _, err := os.Stat(filepath.Join(ts.cfg.DataDir, "recordings", ts.recordingKey(sess.ID))); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the late recording was not deleted: %v", err)
		}
	})
}
