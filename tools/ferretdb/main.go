// Command ferretdb-local runs an embedded FerretDB (SQLite backend) so that
// developers and CI get a MongoDB wire-protocol server without Docker or a
// mongod binary. It is started and stopped by tools/infra.sh.
//
// Why embed instead of installing FerretDB's own cmd: `go install` of the
// upstream command panics on its missing generated version file, while the
// embeddable package builds cleanly from the module proxy.
//
// Known FerretDB 1.x limits (do not rely on them in tests): no transactions,
// no change streams, no TTL index expiry.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"), "TCP address to listen on")
	dataDir := flag.String("data-dir", envOr("FERRETDB_DATA_DIR", "data"), "directory for the SQLite databases (created if missing)")
	logLevel := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "info"), "debug, info (adds two lines per client connection), warn or error")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-local:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad log level %q: %w", logLevel, err)
	}

	logger := slog.New(newLazyAttrs(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}

	if err = os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	// The SQLite handler treats the URL as a directory (one file per
	// database) and insists on a trailing slash.
	// WAL with synchronous=NORMAL: a committed write survives a crash of any process (the
	// tests SIGKILL services, never the kernel) without an fsync per write, which costs
	// ~30 ms on this class of machine. Power loss may drop the last commits: fine for the
	// development and CI server this is; production runs MongoDB.
	sqliteURL := "file:" + strings.TrimSuffix(abs, "/") + "/?_pragma=synchronous(normal)"

	if err = setAsideEmptyDatabases(context.Background(), abs, logger); err != nil {
		return err
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	// Cancelling the context makes Run close the listener, the open
	// connections and the SQLite files cleanly, so SIGTERM from
	// `infra.sh stop` never leaves a half-written database behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Printed regardless of the log level, so even a warn-level log shows when
	// the server (re)started and where its data is.
	fmt.Fprintf(os.Stderr, "ferretdb-local: serving %s from %s\n", listen, sqliteURL)

	go maintainIDIndexes(ctx, abs, 2*time.Second, logger)

	if err = f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}

	fmt.Fprintln(os.Stderr, "ferretdb-local: stopped")

	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}

	return def
}
