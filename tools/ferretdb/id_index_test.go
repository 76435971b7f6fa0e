package main

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenExistingNeverCreatesADroppedDatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "dropped.sqlite")

	db, err := openExisting(missing)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	if _, err = db.Exec("SELECT 1 FROM sqlite_master"); err == nil {
		t.Fatal("querying a missing database succeeded")
	}

	if _, err = os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the missing database was created: %v", err)
	}
}

func TestEnsureIDIndexesSkipsADatabaseThatIsGone(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "dropped.sqlite")
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	if err := ensureIDIndexesIn(context.Background(), missing, logger); err != nil {
		t.Fatal(err)
	}

	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the missing database was created: %v", err)
	}
}

func TestSetAsideEmptyDatabasesKeepsEveryFileWithATable(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

	empty := filepath.Join(dir, "empty.sqlite")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	kept := filepath.Join(dir, "kept.sqlite")
	db, err := sql.Open("sqlite", "file:"+kept)
	if err != nil {
		t.Fatal(err)
	}

	if _, err = db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if err = setAsideEmptyDatabases(ctx, dir, logger); err != nil {
		t.Fatal(err)
	}

	if _, err = os.Stat(empty + ".empty"); err != nil {
		t.Fatalf("the empty file was not set aside: %v", err)
	}

	if _, err = os.Stat(kept); err != nil {
		t.Fatalf("a database with a table was moved: %v", err)
	}
}
