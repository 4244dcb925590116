package bpjsfile

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/jkngate/jkngate/gate"
)

// Columns returns the columns of a kind of file, in the order Writer
// writes them.
func Columns(kind gate.ImportKind) []string {
	if kind == gate.ImportEmployers {
		return append([]string(nil), employerColumns...)
	}
	return append([]string(nil), participantColumns...)
}

// Writer writes a BPJS data file row by row: CSV (comma-separated, no byte
// order mark) or XLSX (one sheet, every cell text, so that a NIK keeps its
// 16 digits). Close finishes the file.
type Writer interface {
	Write(row []string) error
	Close() error
}

// NewWriter returns a Writer of format "csv" or "xlsx" onto w.
func NewWriter(w io.Writer, format string) (Writer, error) {
	switch format {
	case "csv":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case "xlsx":
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		return &xlsxWriter{f: f, sw: sw, out: w}, nil
	}
	return nil, fmt.Errorf("format must be csv or xlsx, not %q", format)
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) Write(row []string) error { return c.w.Write(row) }

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

type xlsxWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	n   int
}

func (x *xlsxWriter) Write(row []string) error {
	x.n++
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	vals := make([]any, len(row))
	for i, v := range row {
		vals[i] = v
	}
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	return err
}
