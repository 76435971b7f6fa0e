package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	// The same SQLite driver FerretDB uses (already in the module graph).
	_ "modernc.org/sqlite"
)

// FerretDB 1.24's SQLite backend pushes an `{_id: <string>}` filter down as
//
//	WHERE _ferretdb_sjson->'$._id' = ?
//
// but the unique index it creates for `_id` is on `_ferretdb_sjson->"_id"`, a different
// expression, so SQLite cannot use it and every point lookup scans the table (20 ms at 3,000
// documents, growing linearly). This loop adds an index on exactly the pushed-down
// expression to every collection table, which turns those lookups into index seeks. FerretDB
// never sees the index (it is not in its metadata); dropping a collection drops its table and
// with it the index.
func maintainIDIndexes(ctx context.Context, dataDir string, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()

	for {
		if err := ensureIDIndexes(ctx, dataDir, logger); err != nil {
			logger.Warn("id index maintenance failed", slog.String("error", err.Error()))
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func ensureIDIndexes(ctx context.Context, dataDir string, logger *slog.Logger) error {
	files, err := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
	if err != nil {
		return err
	}

	for _, file := range files {
		if err := ensureIDIndexesIn(ctx, file, logger); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
	}

	return nil
}

func ensureIDIndexesIn(ctx context.Context, file string, logger *slog.Logger) error {
	if _, err := os.Stat(file); err != nil {
		return nil // dropped meanwhile
	}

	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `
		SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		  AND t.sql LIKE '%_ferretdb_sjson%'
		  AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = t.name || '__id_lookup')`)
	if err != nil {
		return err
	}

	var tables []string

	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}

		tables = append(tables, name)
	}

	rows.Close()

	for _, table := range tables {
		quoted := strings.ReplaceAll(table, `"`, `""`)
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s__id_lookup" ON "%s" (_ferretdb_sjson->'$._id')`, quoted, quoted)

		if _, err := db.ExecContext(ctx, stmt); err != nil {
			// The table may have been dropped between listing and indexing.
			logger.Debug("id index not created", slog.String("table", table), slog.String("error", err.Error()))
			continue
		}

		logger.Debug("id index created", slog.String("table", table))
	}

	return nil
}
