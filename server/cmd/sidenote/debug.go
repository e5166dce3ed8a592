package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/sidenote/sidenote/server/internal/hostguard"
)

// debugAddrVar names the optional loopback address of Go's profiling
// endpoints (/debug/pprof/). Off by default; the soak test reads the
// goroutine count there to catch leaks. Profiles hold no request data.
const debugAddrVar = "SIDENOTE_DEBUG_ADDR"

// serveDebug starts the profiling listener when SIDENOTE_DEBUG_ADDR is set.
// Only a loopback address is accepted: profiles are for the machine's owner.
func serveDebug(log *slog.Logger) error {
	addr := os.Getenv(debugAddrVar)
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: must be a loopback address with a port, like 127.0.0.1:6060, not %q", debugAddrVar, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", debugAddrVar, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	// Loopback names only in Host: a rebinding page must not read profiles.
	srv := &http.Server{Handler: hostguard.Loopback().Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("debug listener stopped", "error", err.Error())
		}
	}()
	log.Info("profiling endpoints listening", "addr", ln.Addr().String())
	return nil
}
