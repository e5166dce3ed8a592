// Command sidenote runs the Sidenote server: the JSON API, the sidebar web
// app at /app and the background jobs. Configuration comes from SIDENOTE_*
// environment variables (see the README).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/sidenote/sidenote/server/internal/api"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/store"
)

func main() {
	log := newLogger()
	if err := run(log); err != nil {
		fmt.Fprintln(os.Stderr, "sidenote:", err)
		os.Exit(1)
	}
}

// newLogger logs JSON unless a person is watching the terminal.
func newLogger() *slog.Logger {
	if isatty.IsTerminal(os.Stderr.Fd()) {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.New(cfg, st, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("sidenote listening", "addr", ln.Addr().String(), "database", string(st.Dialect()), "dev_login", cfg.DevLogin)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	// Drain in-flight requests, then close the database (deferred above).
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
