package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
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

	db, err := openExisting(file)
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
		if _, statErr := os.Stat(file); errors.Is(statErr, fs.ErrNotExist) {
			return nil // dropped between the Stat above and the open
		}

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

// openExisting opens a database file of FerretDB's without ever creating it (mode=rw). A database
// dropped between listing the files and this open would otherwise come back as an empty file
// without FerretDB's metadata table, and FerretDB refuses to start on such a file ("no such
// table: _ferretdb_collections"); seen after a benchmark dropped its databases.
func openExisting(file string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
}

// setAsideEmptyDatabases renames database files that hold no table at all (e.g. one an older
// build of this wrapper recreated after its database was dropped) to "<name>.empty", so FerretDB
// starts instead of failing on them. A file with any table is left alone.
func setAsideEmptyDatabases(ctx context.Context, dataDir string, logger *slog.Logger) error {
	files, err := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
	if err != nil {
		return err
	}

	for _, file := range files {
		empty, err := holdsNoTable(ctx, file)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(file), err)
		}

		if !empty {
			continue
		}

		if err = os.Rename(file, file+".empty"); err != nil {
			return err
		}

		logger.Warn("set aside an empty database file (no tables; FerretDB would not start on it)",
			slog.String("file", filepath.Base(file)))
	}

	return nil
}

func holdsNoTable(ctx context.Context, file string) (bool, error) {
	db, err := openExisting(file)
	if err != nil {
		return false, err
	}
	defer db.Close()

	var tables int
	if err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil {
		return false, err
	}

	return tables == 0, nil
}
