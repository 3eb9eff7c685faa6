package contactimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Read reads a contacts file: CSV whose first line names the columns. It
// recognizes the columns of the contact fields by their header, in any
// case and with or without spaces, underscores and hyphens ("First Name",
// first_name, firstName): email, external id, first name, last name,
// phone, title (or job title), lifecycle stage, lead source, newsletter
// opt-in, birth date, gender, tags and last contacted at. Any other column
// becomes a custom field of the contacts, named by its header as written,
// with the cells as text; the columns of fields the CRM computes (id,
// value_score, …) are ignored. An empty cell means "not given".
//
// Every row needs an email or an external ID. Read checks every value as
// the data model would, and that no two rows share an email (in any case)
// or an external ID. It returns the File, or the problems of the bad lines
// as Errors.
func Read(r io.Reader) (*File, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, Errors{{Line: 1, Message: "the file is empty: it needs a header line naming its columns"}}
	}
	if err != nil {
		return nil, Errors{{Line: 1, Message: "malformed CSV: " + csvProblem(err)}}
	}
	f := newFile()
	p := &reader{f: f, width: len(header)}
	p.readHeader(header)
	if len(p.problems) > 0 {
		return nil, p.problems.Sorted()
	}
	for len(p.problems) < MaxErrors {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return nil, err
			}
			p.problem(perr.StartLine, "", "malformed CSV: "+csvProblem(err))
			continue
		}
		line, _ := cr.FieldPos(0)
		if err := p.readRow(line, rec); err != nil {
			return nil, err
		}
	}
	if len(p.problems) > 0 {
		return nil, p.problems.Sorted()
	}
	return f, nil
}

// csvProblem returns what the CSV reader found wrong, without its
// position (the line is reported beside it).
func csvProblem(err error) string {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return perr.Err.Error()
	}
	return err.Error()
}

// reader reads a file's lines into it.
type reader struct {
	f        *File
	width    int   // columns of the header
	unnamed  []int // columns with an empty header
	problems Errors
	// row and ends hold the row being read: its cells, and where each ends.
	row  []byte
	ends []uint32
}

func (p *reader) problem(line int, column, message string) {
	p.problems = append(p.problems, LineError{Line: line, Column: column, Message: message})
}

// readHeader works out what each column of the header gives.
func (p *reader) readHeader(header []string) {
	f := p.f
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // the byte-order mark spreadsheets write
		}
		h = strings.TrimSpace(h)
		key := headerKey(h)
		if fd, ok := fieldOf(key); ok {
			if s := f.slot[fd]; s >= 0 {
				p.problem(1, h, fmt.Sprintf("gives the %s, as column %q does", fields[fd].column, f.columns[s].header))
				continue
			}
			f.slot[fd] = len(f.columns)
			f.columns = append(f.columns, column{index: i, header: h, field: fd})
			continue
		}
		switch {
		case h == "":
			p.unnamed = append(p.unnamed, i)
		case slices.Contains(computedHeaders, key):
			f.ignored = append(f.ignored, h)
		case slices.Contains(linkHeaders, key):
			p.problem(1, h, "links to other records cannot be imported: remove the column, or rename it to keep it as a custom field")
		case checkText(h) != "":
			p.problem(1, h, "the header "+checkText(h))
		default:
			for _, s := range f.custom {
				if f.columns[s].header == h {
					p.problem(1, h, "names two columns")
				}
			}
			f.custom = append(f.custom, len(f.columns))
			f.columns = append(f.columns, column{index: i, header: h, field: fieldCount})
		}
	}
	if !f.has(fieldEmail) && !f.has(fieldExternalID) {
		p.problem(1, "", "the header names neither an email nor an external id column: every row needs one or the other")
	}
}

// readRow stores one record, checking its cells and keys. A record of
// empty cells is skipped.
func (p *reader) readRow(line int, rec []string) error {
	f := p.f
	blank := true
	for j, cell := range rec {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		blank = false
		switch {
		case j >= p.width:
			p.problem(line, "", fmt.Sprintf("has a value in column %d, but the header names %d columns", j+1, p.width))
		case slices.Contains(p.unnamed, j):
			p.problem(line, "", fmt.Sprintf("has a value in column %d, which has no name in the header", j+1))
		}
	}
	if blank {
		return nil
	}
	if f.rows == math.MaxInt32 || line > math.MaxInt32 {
		return fmt.Errorf("contactimport: line %d: the file has too many rows", line)
	}
	p.row, p.ends = p.row[:0], p.ends[:0]
	badKey := false
	for _, c := range f.columns {
		var cell string
		if c.index < len(rec) {
			cell = strings.TrimSpace(rec[c.index])
		}
		if cell != "" {
			var msg string
			if c.field == fieldCount {
				if msg = checkText(cell); msg == "" {
					p.row = append(p.row, cell...)
				}
			} else {
				p.row, msg = appendValue(p.row, c.field, cell)
			}
			if msg != "" {
				p.problem(line, c.header, msg)
				badKey = badKey || c.field == fieldEmail || c.field == fieldExternalID
			}
		}
		p.ends = append(p.ends, uint32(len(p.row)))
	}
	if !f.addRow(p.row, p.ends) {
		return fmt.Errorf("contactimport: line %d: the row is longer than %d MB, or the file holds more than 4 GB of values", line, chunkSize>>20)
	}
	row := f.rows
	f.rows++
	f.lines = append(f.lines, int32(line))
	p.checkKeys(line, row, badKey)
	return nil
}

// checkKeys refuses a row without a key, or with a key of an earlier row.
// badKey says that a key of the row was refused already.
func (p *reader) checkKeys(line, row int, badKey bool) {
	f := p.f
	email, ext := f.given(row, fieldEmail), f.given(row, fieldExternalID)
	if len(email) == 0 && len(ext) == 0 {
		if badKey {
			return
		}
		p.problem(line, p.keyHeader(), "a row needs an email or an external id")
		return
	}
	if len(email) > 0 {
		if dup := f.emails.add(int32(row)); dup >= 0 {
			p.problem(line, f.header(fieldEmail), fmt.Sprintf("%s is also on line %d", email, f.line(int(dup))))
		}
	}
	if len(ext) > 0 {
		if dup := f.externalIDs.add(int32(row)); dup >= 0 {
			p.problem(line, f.header(fieldExternalID), fmt.Sprintf("%s is also on line %d", ext, f.line(int(dup))))
		}
	}
}

// keyHeader returns the header of the email column, or of the external id
// column when there is none.
func (p *reader) keyHeader() string {
	if p.f.has(fieldEmail) {
		return p.f.header(fieldEmail)
	}
	return p.f.header(fieldExternalID)
}
