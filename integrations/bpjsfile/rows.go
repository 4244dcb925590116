// Package bpjsfile reads the data files a BPJS Kesehatan branch office hands
// a region under a data-sharing agreement (PKS): lists of registered
// employers and of participants, as CSV or XLSX. It validates a whole file
// before anything is applied, applies an accepted file through a Store in
// one transaction, and serves the imported data as a registry tier behind
// the live lookups.
//
// Files are streamed: neither pass holds the file in memory.
package bpjsfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/jkngate/jkngate/gate"
)

// rowReader yields a file's rows one at a time: the header first. Each
// row's number is the one a spreadsheet shows (1 is the header).
type rowReader interface {
	// Next returns the next row and its number, or io.EOF. The slice is
	// reused by the following call.
	Next() (row []string, number int, err error)
	Close() error
}

// zipMagic starts every XLSX file (a ZIP archive).
var zipMagic = []byte("PK\x03\x04")

// openRows opens path as XLSX (when it is a ZIP archive) or CSV.
func openRows(path string) (rowReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the file: %w", err)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	head, _ := br.Peek(4)
	if bytes.Equal(head, zipMagic) {
		f.Close()
		return openXLSX(path)
	}
	return newCSVRows(f, br)
}

// isXLSX reports whether the file at path is a ZIP archive (an XLSX
// workbook).
func isXLSX(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	_, err = io.ReadFull(f, head)
	return err == nil && bytes.Equal(head, zipMagic)
}

// csvRows reads CSV as spreadsheets export it: UTF-8 with or without a byte
// order mark, fields separated by ',' or ';' (whichever the header row
// uses more of).
type csvRows struct {
	f *os.File
	r *csv.Reader
	n int
}

func newCSVRows(f *os.File, br *bufio.Reader) (*csvRows, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3) //nolint:errcheck // peeked: cannot fail
	}
	first, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	r := csv.NewReader(br)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1 // a short row is reported per column, not as a parse error
	r.ReuseRecord = true
	return &csvRows{f: f, r: r}, nil
}

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, fmt.Errorf("not readable as CSV: %v", pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	c.n = line
	return rec, line, nil
}

func (c *csvRows) Close() error { return c.f.Close() }

// xlsxRows reads the first sheet of an XLSX workbook through excelize's
// streaming row iterator.
type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

func openXLSX(path string) (*xlsxRows, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("not readable as XLSX: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("not readable as XLSX: %w", err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("not readable as XLSX: %w", err)
		}
		return nil, 0, io.EOF
	}
	x.n++
	cols, err := x.rows.Columns()
	if err != nil {
		return nil, x.n, fmt.Errorf("not readable as XLSX: %w", err)
	}
	return cols, x.n, nil
}

func (x *xlsxRows) Close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// blank reports whether every field of row is empty (spreadsheets leave
// such rows at the end).
func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// header maps the wanted columns to their index in the header row (matched
// case-insensitively, surrounding spaces ignored; other columns are
// ignored). It reports each missing column as a problem.
func header(row []string, want []string) (map[string]int, []gate.ImportProblem) {
	idx := map[string]int{}
	for i, h := range row {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; !dup {
			idx[h] = i
		}
	}
	out := make(map[string]int, len(want))
	var problems []gate.ImportProblem
	for _, w := range want {
		i, ok := idx[w]
		if !ok {
			problems = append(problems, gate.ImportProblem{Row: 1, Column: w, Problem: "missing column"})
			continue
		}
		out[w] = i
	}
	return out, problems
}
