package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestBearerTokensAndBrowserSessionsDoNotMix(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		clin, err := s.SignIn(ctx, "oidc:https://sso.example.org", "subject-1", "a@example.org", "A")
		if err != nil {
			t.Fatal(err)
		}
		ctx = storetest.As(ctx, clin.ID)
		bearer, _, err := s.CreateToken(ctx, clin.ID, store.TokenExtension, "Chrome extension", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		session, sess, err := s.CreateBrowserSession(ctx, clin.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Kind != store.TokenBrowser {
			t.Fatalf("browser session kind %q", sess.Kind)
		}
		unauthenticated := func(what string, err error) {
			t.Helper()
			if e, ok := err.(*api.Error); !ok || e.Code != api.CodeUnauthenticated {
				t.Fatalf("%s: %v, want unauthenticated", what, err)
			}
		}
		if _, err := s.AuthenticateBearer(ctx, bearer, time.Hour); err != nil {
			t.Fatalf("bearer: %v", err)
		}
		if _, err := s.AuthenticateBrowser(ctx, session, time.Hour); err != nil {
			t.Fatalf("session: %v", err)
		}
		_, err = s.AuthenticateBearer(ctx, session, time.Hour)
		unauthenticated("session token as bearer", err)
		_, err = s.AuthenticateBrowser(ctx, bearer, time.Hour)
		unauthenticated("bearer token as session", err)

		if err := s.EndBrowserSession(ctx, session); err != nil {
			t.Fatal(err)
		}
		_, err = s.AuthenticateBrowser(ctx, session, time.Hour)
		unauthenticated("ended session", err)
		if err := s.EndBrowserSession(ctx, session); err != nil {
			t.Fatalf("ending an ended session: %v", err)
		}
		if _, err := s.AuthenticateBearer(ctx, bearer, time.Hour); err != nil {
			t.Fatalf("ending the session touched the bearer token: %v", err)
		}
	})
}

func TestTimeCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 123456000, time.UTC)
	id := store.NewID()
	gotAt, gotID, err := store.DecodeTimeCursor(store.EncodeTimeCursor(at, id))
	if err != nil || !gotAt.Equal(at) || gotID != id {
		t.Fatalf("round trip: %v %s %v", gotAt, gotID, err)
	}
	if _, _, err := store.DecodeTimeCursor("not-a-cursor"); err == nil {
		t.Fatal("a malformed cursor was accepted")
	}
	if store.ClampLimit(0) != store.DefaultLimit || store.ClampLimit(10_000) != store.MaxLimit || store.ClampLimit(7) != 7 {
		t.Fatal("ClampLimit")
	}
}
