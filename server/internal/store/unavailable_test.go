package store_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
	"github.com/sidenote/sidenote/server/internal/store/storetest"
)

// The errors come from a real PostgreSQL and a real refused connection, so
// the test breaks if a driver upgrade changes how outages are reported.
func TestIsUnavailableTellsOutagesFromMistakes(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.PostgresURL(t)
	s := storetest.MustOpen(t, dbURL)

	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = store.Open(ctx, "postgres://postgres@"+addr+"/none?sslmode=disable&connect_timeout=2", seal.NewRandom())
		if err == nil || !store.IsUnavailable(err) {
			t.Fatalf("connection refused: IsUnavailable(%v) = false", err)
		}
	})

	t.Run("backend terminated", func(t *testing.T) {
		conn, err := s.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var pid int
		if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		// What pg_ctl stop does to every session: FATAL 57P01 admin_shutdown.
		if err := s.DB().Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
			t.Fatal(err)
		}
		var one int
		err = conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		if err == nil || !store.IsUnavailable(err) {
			t.Fatalf("terminated backend: IsUnavailable(%v) = false", err)
		}
	})

	t.Run("mistakes are not outages", func(t *testing.T) {
		if err := s.DB().Exec("CREATE TABLE unavailable_probe (id INTEGER PRIMARY KEY)").Error; err != nil {
			t.Fatal(err)
		}
		s.DB().Exec("INSERT INTO unavailable_probe VALUES (1)")
		for name, err := range map[string]error{
			"syntax":           s.DB().Exec("SELEC 1").Error,
			"unique violation": s.DB().Exec("INSERT INTO unavailable_probe VALUES (1)").Error,
			"missing row":      s.DB().Raw("SELECT id FROM unavailable_probe WHERE id = 2").First(&struct{ ID int }{}).Error,
			"cancelled":        context.Canceled,
		} {
			if err == nil {
				t.Fatalf("%s: no error", name)
			}
			if store.IsUnavailable(err) {
				t.Errorf("%s: IsUnavailable(%v) = true", name, err)
			}
		}
		if store.IsUnavailable(gorm.ErrRecordNotFound) || store.IsUnavailable(errors.New("boom")) {
			t.Error("plain errors classified as unavailable")
		}
	})
}
