package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// A transcript that the speech-to-text job finishes after the note was
// signed replaces nothing: the note's sources stay as signed.
func TestLateTranscriptLeavesSignedSourcesAlone(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		s := storetest.MustOpen(t, dbURL)
		c, err := s.SignIn(context.Background(), "dev", "late", "late@example.org", "Dr Late")
		if err != nil {
			t.Fatal(err)
		}
		ctx := storetest.As(context.Background(), c.ID)
		anon := api.AnonymousIndividual
		sess, err := s.CreateSession(ctx, c.ID, api.CreateSessionRequest{Type: api.SessionUploadedRecording, Anonymous: &anon, Consent: &api.Consent{Obtained: true, Method: api.ConsentVerbal}})
		if err != nil {
			t.Fatal(err)
		}
		const spoken = "Clinician: How was the week? (fictional)"
		if err := s.PutSource(ctx, c.ID, sess.ID, store.SourceTranscript, spoken, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SaveRecording(ctx, c.ID, sess.ID, store.NewRecording{
			StorageKey: store.NewRecordingKey(sess.ID), ContentType: "audio/ogg", Size: 1000, SHA256: strings.Repeat("ab", 32),
		}, store.RecordingPolicy{DeleteAt: s.Now()}); err != nil {
			t.Fatal(err)
		}
		n, _, err := s.CreateNote(ctx, c.ID, sess.ID, note.SOAP, "", noJob)
		if err != nil {
			t.Fatal(err)
		}
		sections := []note.Section{{Key: "subjective", Title: "Subjective", Text: "Client describes the week.", Sources: []note.Span{}}}
		if err := s.CompleteNote(ctx, c.ID, n.ID, store.GeneratedNote{Sections: sections, Generator: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignNote(ctx, c.ID, n.ID, api.SignNoteRequest{Version: 1, EndSession: &api.EndSessionRequest{}}, s.Now(), noJob); err != nil {
			t.Fatal(err)
		}
		before, err := s.Session(ctx, c.ID, sess.ID)
		if err != nil {
			t.Fatal(err)
		}

		if err := s.FinishTranscription(context.Background(), c.ID, sess.ID, "Clinician: something else entirely."); err != nil {
			t.Fatal(err)
		}
		_, transcript, err := s.Sources(ctx, c.ID, sess.ID)
		if err != nil || transcript != spoken {
			t.Fatalf("transcript after a late transcription: %q, %v", transcript, err)
		}
		rec, err := s.Recording(ctx, c.ID, sess.ID)
		if err != nil || rec.TranscriptionStatus != store.TranscriptionFailed || !strings.Contains(rec.TranscriptionError, "signed") {
			t.Fatalf("recording %+v, %v", rec, err)
		}
		if after, err := s.Session(ctx, c.ID, sess.ID); err != nil || after.Status != before.Status {
			t.Fatalf("session status %q, was %q (%v)", after.Status, before.Status, err)
		}
	})
}
