package storesql

import (
	"io/fs"
	"slices"
	"strings"
)

// MigrationNames returns the names of the migrations in fsys's folder
// migrations (file names without ".sql", such as "0001_decisions"), in
// name order, which is the order of application. Both stores keep the same
// names, so that a schema version means the same on both. It panics when
// the folder cannot be read: the stores embed it at build time.
func MigrationNames(fsys fs.FS) []string {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		panic("storesql: embedded migrations unreadable: " + err.Error())
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".sql"))
	}
	slices.Sort(names)
	return names
}
