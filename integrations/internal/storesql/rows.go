package storesql

// Rows is what both drivers' result sets offer: *sql.Rows and pgx.Rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Each calls fn with each row of rows as read makes it, in order. It
// returns read's or fn's first error as is (read translates its own), and
// an error of the result set itself through failed, the store's
// translation. The caller closes rows.
func Each[T any](rows Rows, read func(Rows) (T, error), fn func(T) error, failed func(error) error) error {
	for rows.Next() {
		v, err := read(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return failed(err)
	}
	return nil
}

// Collect returns the rows of rows as read makes them, never nil, with
// errors as Each's.
func Collect[T any](rows Rows, read func(Rows) (T, error), failed func(error) error) ([]T, error) {
	out := []T{}
	err := Each(rows, read, func(v T) error {
		out = append(out, v)
		return nil
	}, failed)
	if err != nil {
		return nil, err
	}
	return out, nil
}
