package processtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// privateCluster is a PostgreSQL cluster of this test alone, in a temporary
// directory on a free port, so the test can stop and start it without
// touching the shared cluster other tests use. The server processes run as
// the postgres user (initdb refuses root).
type privateCluster struct {
	bin  string // PostgreSQL's bin directory
	dir  string // owned by postgres: data/, the socket and the log
	port int
}

// newPrivateCluster initialises and starts a cluster, removed when the test
// ends. It skips when PostgreSQL's server binaries or runuser are missing,
// unless REQUIRE_POSTGRES=1.
func newPrivateCluster(t *testing.T) *privateCluster {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but "+format, args...)
		}
		t.Skipf(format+" (set REQUIRE_POSTGRES=1 to fail instead)", args...)
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
	}
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) < pgMajor(bins[j]) })
	if _, err := exec.LookPath("runuser"); err != nil && os.Geteuid() == 0 {
		unavailable("runuser is missing")
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		unavailable("no postgres user: %v", err)
	}
	dir, err := os.MkdirTemp("", "sidenote-pg-")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c := &privateCluster{bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		c.ctl("stop", "-m", "immediate") // an error here means already stopped
		os.RemoveAll(dir)
	})
	c.run(t, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions", "-E", "UTF8")
	c.start(t)
	db, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE sidenote"); err != nil {
		t.Fatal(err)
	}
	return c
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func freePort(t *testing.T) int {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	n, _ := strconv.Atoi(port)
	return n
}

func (c *privateCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *privateCluster) logFile() string { return filepath.Join(c.dir, "postgres.log") }

// options are the postmaster's: its own port and socket directory.
func (c *privateCluster) options() string {
	return fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c max_connections=200", c.port, c.dir)
}

// url is the address of database name on this cluster.
func (c *privateCluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// run runs one of PostgreSQL's programs as the postgres user.
func (c *privateCluster) run(t *testing.T, program string, args ...string) {
	t.Helper()
	if err := c.exec(program, args...); err != nil {
		t.Fatal(err)
	}
}

func (c *privateCluster) exec(program string, args ...string) error {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
	return nil
}

// ctl runs pg_ctl on the cluster, waiting for the operation to complete.
func (c *privateCluster) ctl(args ...string) error {
	return c.exec("pg_ctl", append([]string{"-D", c.data(), "-w", "-t", "60"}, args...)...)
}

// start starts the cluster and waits until it accepts connections. The log
// goes to a file: a postmaster holding our stdout would block the command.
func (c *privateCluster) start(t *testing.T) {
	t.Helper()
	if err := c.ctl("start", "-l", c.logFile(), "-o", c.options()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		db, _ := sql.Open("pgx", c.url("postgres"))
		err := db.PingContext(ctx)
		db.Close()
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("private PostgreSQL not accepting connections: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
