package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sidenote/sidenote/server/internal/config"
	"github.com/sidenote/sidenote/server/internal/recordings"
	"github.com/sidenote/sidenote/server/internal/seal"
	"github.com/sidenote/sidenote/server/internal/store"
)

// rotateKey re-encrypts everything sealed with an older key (or not at all)
// with the key file's first key, while servers keep running. With -new it
// first adds a new key at the top of the key file. It is safe to interrupt
// and run again.
func rotateKey(log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	addKey := fs.Bool("new", false, "add a new key at the top of the key file first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *addKey {
		id, err := seal.AddKey(cfg.EncryptionKeyFile)
		if err != nil {
			return fmt.Errorf("SIDENOTE_ENCRYPTION_KEY_FILE: %w", err)
		}
		fmt.Printf("added key %s to %s; copy the file to every replica\n", id, cfg.EncryptionKeyFile)
	}
	st, files, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	resealed, err := resealRecordings(ctx, st, files)
	fmt.Printf("recordings: %d re-encrypted\n", resealed)
	if err != nil {
		return err
	}
	progress, err := st.Rotate(ctx, nil, func(table string, done int) {
		fmt.Printf("%s: %d re-encrypted\n", table, done)
	})
	if err != nil {
		return err
	}
	fmt.Printf("done: %d values re-encrypted with key %s (%d changed meanwhile, already current)\n", progress.Resealed, files.ActiveKeyID(), progress.Skipped)
	if len(progress.Retired) > 0 {
		fmt.Printf("no data uses key(s) %s any more: they may be removed from %s\n", strings.Join(progress.Retired, ", "), cfg.EncryptionKeyFile)
	}
	return nil
}

// resealRecordings re-encrypts every recording not sealed with the active
// key, in batches of storage keys.
func resealRecordings(ctx context.Context, st *store.Store, files *recordings.Sealed) (int, error) {
	const batch = 100
	resealed, after := 0, ""
	for {
		keys, err := st.RecordingStorageKeys(ctx, after, batch)
		if err != nil {
			return resealed, err
		}
		for _, key := range keys {
			rewrote, err := files.Reseal(ctx, key)
			if os.IsNotExist(err) {
				continue // deleted since it was listed
			}
			if err != nil {
				return resealed, fmt.Errorf("recording %s: %w", key, err)
			}
			if rewrote {
				resealed++
			}
		}
		if len(keys) < batch {
			return resealed, nil
		}
		after = keys[len(keys)-1]
	}
}
