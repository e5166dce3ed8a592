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
	"path/filepath"
	"syscall"
	"time"
	// The PDF shows times in the zone the sidebar names, also where the
	// system has no zone database.
	_ "time/tzdata"

	"github.com/mattn/go-isatty"

	"github.com/sidenote/sidenote/server/internal/api"
	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/jobs"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
)

func main() {
	log := newLogger()
	run := serve
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "rotate-key":
			run = func(log *slog.Logger) error { return rotateKey(log, os.Args[2:]) }
		default:
			fmt.Fprintf(os.Stderr, "sidenote: unknown command %q (commands: rotate-key; none starts the server)\n", os.Args[1])
			os.Exit(2)
		}
	}
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

func serve(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if err := serveDebug(log); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, files, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	deps, err := jobs.DepsFromConfig(cfg, st, files, log)
	if err != nil {
		return err
	}
	queue, err := jobs.New(ctx, cfg.DatabaseURL, deps, jobs.Options{})
	if err != nil {
		return err
	}
	// Jobs run on their own context: SIGTERM stops them only after the HTTP
	// server has drained (below).
	if err := queue.Start(context.Background()); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.New(cfg, st, log, api.WithJobs(queue), api.WithRecordings(files)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("sidenote listening", "addr", ln.Addr().String(), "database", string(st.Dialect()), "dev_login", cfg.DevLogin)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	go announceReady(ctx, os.Stdout, ln.Addr(), log)
	select {
	case err := <-serveErr:
		queue.Stop(context.Background())
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
	// Running jobs finish or, past the timeout, are left for the next start.
	if err := queue.Stop(shutdownCtx); err != nil {
		log.Warn("job queue did not stop cleanly", "error_type", fmt.Sprintf("%T", err))
	}
	return nil
}

// openStorage opens the database and the recordings directory, both sealed
// with the keys of the key file (created on first start).
func openStorage(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, *recordings.Sealed, error) {
	keys, created, err := seal.LoadOrCreate(cfg.EncryptionKeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("SIDENOTE_ENCRYPTION_KEY_FILE: %w", err)
	}
	if created {
		log.Warn("created a new encryption key file: back it up, without it notes and recordings cannot be read", "path", cfg.EncryptionKeyFile)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, keys, store.WithMaxConns(cfg.DatabaseMaxConns), store.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	dir, err := recordings.NewDir(filepath.Join(cfg.DataDir, "recordings"))
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, recordings.NewSealed(dir, keys), nil
}
