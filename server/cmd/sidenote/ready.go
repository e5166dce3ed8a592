package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// announceReady prints one plain line on stdout once the server answers
// /healthz, with the address it really listens on (SIDENOTE_ADDR may name
// port 0 or every interface): what a person starting Sidenote waits for.
// Logs stay on stderr, as JSON when no one watches the terminal.
func announceReady(ctx context.Context, out io.Writer, addr net.Addr, log *slog.Logger) {
	base := "http://" + dialable(addr)
	client := &http.Client{Timeout: 2 * time.Second}
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			log.Warn("readiness check", "error", err.Error())
			return
		}
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				fmt.Fprintf(out, "Sidenote is ready: %s/app/\n", base)
				return
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// dialable is the listening address as this machine reaches it: an
// unspecified host (":8080", "0.0.0.0", "::") is reached on loopback.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
