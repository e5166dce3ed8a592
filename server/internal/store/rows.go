package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sidenote/sidenote/server/internal/config"
)

// rowScanner is what *sql.Rows and pgx.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

// queryRows runs query and calls scan for each row. On PostgreSQL it runs on the pooled
// connection's own pgx.Conn: pgx decodes the wire values straight into the
// destinations, where database/sql first boxes each into a driver.Value and
// converts it again (a fifth of the session list's CPU in
// BenchmarkSessionsList's profile). pgx's statement cache still prepares
// the statement once per connection.
func (s *Store) queryRows(ctx context.Context, query string, args []any, scan func(rowScanner) error) error {
	if s.dialect == config.Postgres {
		conn, err := s.sqlDB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(driverConn any) error {
			pc, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("store: PostgreSQL connection is a %T, not pgx's", driverConn)
			}
			rows, err := pc.Conn().Query(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return scanEach(rows, scan)
		})
	}
	rows, err := s.sqlDB.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanEach(rows, scan)
}

// scanEach calls scan for each row of rows (*sql.Rows or pgx.Rows).
func scanEach[R interface {
	rowScanner
	Next() bool
	Err() error
}](rows R, scan func(rowScanner) error) error {
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
