package api

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

// TestRecordingsAreDeletedOnceTheNoteIsSigned checks the retention rules:
// with the default retention the audio goes when the note is signed, a
// recording the clinician keeps stays, and with a retention period the
// deletion waits for it.
func TestRecordingsAreDeletedOnceTheNoteIsSigned(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, databaseURL string) {
		ts := newTestServer(t, databaseURL)
		a := ts.login("a@example.com")
		audio := []byte("OggS fictional session audio")

		// signedSessionWithRecording uploads a recording, writes a note from
		// a summary and returns the session id, with the note not yet signed.
		prepare := func() (sessionID, noteID string) {
			sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousIndividual)
			ts.upload(a, sess.ID, "audio/ogg", audio, http.StatusCreated)
			ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
			n := ts.generateNote(a, sess.ID, "dap")
			return sess.ID, n.ID
		}
		stored := func(sessionID string) bool {
			_, err := os.Stat(filepath.Join(ts.cfg.DataDir, "recordings", ts.recordingKey(sessionID)))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			return err == nil
		}

		let, letNote := prepare()
		kept, keptNote := prepare()
		var rec api.Recording
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+kept+"/recording", api.RecordingSettingsRequest{Keep: ptr(true)}, http.StatusOK, &rec)
		if !rec.Keep {
			t.Fatalf("keep not recorded: %+v", rec)
		}
		res := ts.do(a, http.MethodPatch, "/api/v1/sessions/"+kept+"/recording", map[string]any{}, http.StatusUnprocessableEntity, nil)
		if e := res.Error(); e.Field != "keep" {
			t.Fatalf("PATCH without keep: %+v", e)
		}
		if !stored(let) || !stored(kept) {
			t.Fatal("recordings missing before signing")
		}
		ts.do(a, http.MethodPost, "/api/v1/notes/"+letNote+"/sign", nil, http.StatusOK, nil)
		ts.do(a, http.MethodPost, "/api/v1/notes/"+keptNote+"/sign", nil, http.StatusOK, nil)

		rec = ts.waitRecordingDeleted(a, let)
		if stored(let) {
			t.Fatal("the recording's file is still stored after the deletion was recorded")
		}
		if rec.DeleteAfter == nil || rec.Keep {
			t.Fatalf("deleted recording: %+v", rec)
		}
		var keptRec api.Recording // fresh: decoding leaves absent fields as they were
		ts.do(a, http.MethodGet, "/api/v1/sessions/"+kept+"/recording", nil, http.StatusOK, &keptRec)
		if !stored(kept) || keptRec.DeletedAt != nil || keptRec.DeleteAfter != nil || !keptRec.Keep {
			t.Fatalf("a kept recording was scheduled or deleted: %+v", keptRec)
		}
		res = ts.do(a, http.MethodPatch, "/api/v1/sessions/"+let+"/recording", api.RecordingSettingsRequest{Keep: ptr(true)}, http.StatusConflict, nil)
		if res.Error().Code != api.CodeConflict {
			t.Fatalf("keeping a deleted recording: %s", res.Body)
		}

		// Changing one's mind after signing lets it go too.
		ts.do(a, http.MethodPatch, "/api/v1/sessions/"+kept+"/recording", api.RecordingSettingsRequest{Keep: ptr(false)}, http.StatusOK, nil)
		ts.waitRecordingDeleted(a, kept)
		if stored(kept) {
			t.Fatal("recording let go after signing is still stored")
		}
	})
}

func TestRecordingRetentionPeriodDelaysDeletion(t *testing.T) {
	ts := newTestServer(t, storetest.SQLiteURL(t), map[string]string{"SIDENOTE_RECORDING_RETENTION": "720h"})
	a := ts.login("a@example.com")
	sess := ts.createAnonymousSession(a, api.SessionUploadedRecording, api.AnonymousCouple)
	ts.upload(a, sess.ID, "audio/ogg", []byte("OggS fictional audio"), http.StatusCreated)
	ts.do(a, http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: fictionalSummary}, http.StatusOK, nil)
	n := ts.generateNote(a, sess.ID, "soap")
	before := time.Now()
	ts.do(a, http.MethodPost, "/api/v1/notes/"+n.ID+"/sign", nil, http.StatusOK, nil)
	var rec api.Recording
	ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &rec)
	if rec.DeleteAfter == nil || rec.DeleteAfter.Before(before.Add(719*time.Hour)) || rec.DeleteAfter.After(time.Now().Add(721*time.Hour)) {
		t.Fatalf("delete_after %v, want about 30 days from now", rec.DeleteAfter)
	}
	time.Sleep(300 * time.Millisecond) // the scheduled job must not run early
	ts.do(a, http.MethodGet, "/api/v1/sessions/"+sess.ID+"/recording", nil, http.StatusOK, &rec)
	if rec.DeletedAt != nil {
		t.Fatal("recording deleted before its retention period ended")
	}
}
