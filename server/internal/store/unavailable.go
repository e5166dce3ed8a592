package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
)

// IsUnavailable reports whether err means the database cannot be reached or
// is not serving right now (restarting, shutting down, refusing
// connections), as opposed to a bug or a constraint: the API answers 503
// unavailable, and jobs are retried. This is the one place that classifies
// driver errors; it looks at error types and SQLSTATEs, never at messages.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		connectErr *pgconn.ConnectError
		pgErr      *pgconn.PgError
		netErr     net.Error
		sqliteErr  *sqlite.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, pgconn.ErrConnClosed),
		// The server closed the connection mid-exchange (killed backend,
		// restart): pgconn passes the read error up unwrapped.
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &pgErr):
		return unavailableSQLState(pgErr.Code)
	case errors.As(err, &sqliteErr):
		// Another process holds the write lock past busy_timeout.
		primary := sqliteErr.Code() & 0xff
		return primary == sqliteBusy || primary == sqliteLocked
	}
	// Failures pgconn knows happened before anything reached the server
	// (a connection lock lost, a write that never started).
	return pgconn.SafeToRetry(err)
}

// SQLite primary result codes (sqlite3.h).
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// unavailableSQLState reports whether a PostgreSQL error code means the
// server is not serving, rather than that the statement was wrong.
func unavailableSQLState(code string) bool {
	switch code {
	case "57P01", // admin_shutdown: the server is stopping (pg_ctl stop)
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now: starting up or in recovery
		"53300": // too_many_connections
		return true
	}
	return len(code) == 5 && code[:2] == "08" // connection exception class
}
