package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
	"github.com/sidenote/sidenote/shared/api"
)

func TestTelehealthLinks(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s := storetest.MustOpen(t, dbURL)
		c, err := s.SignIn(ctx, "dev", "tele", "tele@example.com", "Dr Tele")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.SignIn(ctx, "dev", "other", "other@example.com", "Dr Other")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.CreateSession(storetest.As(ctx, c.ID), c.ID, api.CreateSessionRequest{Type: api.SessionTelehealth, Consent: &api.Consent{Obtained: true, Method: api.ConsentElectronic}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.OpenTelehealthLink(ctx, other.ID, sess.ID, time.Hour); !store.IsNotFound(err) {
			t.Fatalf("another clinician opened a link: %v", err)
		}

		code, link, err := s.OpenTelehealthLink(ctx, c.ID, sess.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// Only a hash of the code is stored.
		if strings.Contains(link.CodeHash, code) || countRows(t, s, "telehealth_links", "code_hash = ?", code) != 0 {
			t.Fatal("the join code is stored in clear")
		}
		first, err := s.RecordGuestJoin(ctx, code)
		if err != nil || first.GuestJoinedAt == nil || first.GuestConsentedAt == nil {
			t.Fatalf("join: %+v, %v", first, err)
		}
		again, err := s.RecordGuestJoin(ctx, code)
		if err != nil || !again.GuestJoinedAt.Equal(*first.GuestJoinedAt) {
			t.Fatalf("a second join moved the first join's time: %+v, %v", again, err)
		}

		// An expired code, a replaced one, and any once the session ended, no
		// longer work.
		expired, _, err := s.OpenTelehealthLink(ctx, c.ID, sess.ID, -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		live, _, err := s.OpenTelehealthLink(ctx, c.ID, sess.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TelehealthLinkByCode(ctx, live); err != nil {
			t.Fatalf("live code: %v", err)
		}
		anon := api.AnonymousIndividual
		if _, err := s.EndSession(storetest.As(ctx, c.ID), c.ID, sess.ID, api.EndSessionRequest{Anonymous: &anon}); err != nil {
			t.Fatal(err)
		}
		for _, dead := range []string{code, expired, live, "", strings.Repeat("x", 200)} {
			if _, err := s.TelehealthLinkByCode(ctx, dead); !errors.Is(err, store.ErrJoinLinkInvalid) {
				t.Errorf("code %.10q: %v, want ErrJoinLinkInvalid", dead, err)
			}
		}
	})
}

func countRows(t *testing.T, s *store.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.DB().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
