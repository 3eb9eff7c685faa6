package contactimport

// A File is a contacts file read into memory and checked: every value in it
// is one the data model accepts, and no two rows share an email or an
// external ID. It holds its cells compactly, as blocks of text and the
// position where each row starts and each cell ends, so that a million
// rows cost their text and a few dozen bytes each.
type File struct {
	// columns are the file's columns that are imported, one a slot: a
	// row's cells are stored in this order.
	columns []column
	// slot is the slot of each field, or -1 when the file does not give it.
	slot [fieldCount]int
	// custom are the slots of the custom fields.
	custom []int
	// ignored are the headers of the columns the CRM computes itself.
	ignored []string

	rows  int
	lines []int32 // line of each row
	// text holds the rows' cells in chunks of chunkSize bytes, a row never
	// split between two. A position in text is its chunk's index times
	// chunkSize plus its offset in the chunk.
	text   [][]byte
	starts []uint32 // the position of each row
	ends   []uint32 // the position where each cell ends, rows × slots

	emails, externalIDs *keyIndex
}

// column is a column of a file that is imported.
type column struct {
	// index is the column's position in a CSV record.
	index int
	// header is the column's header as the file spells it, trimmed.
	header string
	// field is what the column gives; fieldCount for a custom field.
	field field
}

func newFile() *File {
	f := &File{}
	for i := range f.slot {
		f.slot[i] = -1
	}
	f.emails = newKeyIndex(func(row int32) []byte { return f.value(int(row), f.slot[fieldEmail]) })
	f.externalIDs = newKeyIndex(func(row int32) []byte { return f.value(int(row), f.slot[fieldExternalID]) })
	return f
}

// Len returns the number of rows of the file, blank rows left out.
func (f *File) Len() int { return f.rows }

// CustomFields returns the headers of the columns that go into the
// contacts' custom fields, in file order.
func (f *File) CustomFields() []string {
	out := make([]string, len(f.custom))
	for i, s := range f.custom {
		out[i] = f.columns[s].header
	}
	return out
}

// Ignored returns the headers of the columns that are not imported
// because the CRM computes those fields itself, such as id or value_score.
func (f *File) Ignored() []string { return f.ignored }

// chunkBits is the base-2 logarithm of the size of a chunk of text: the
// longest row a file holds.
const chunkBits = 22

// chunkSize is the size of a chunk of text, 4 MB.
const chunkSize = 1 << chunkBits

// maxChunks is the most chunks of text a file holds: positions are 32-bit.
const maxChunks = 1 << (32 - chunkBits)

// value returns the stored form of the cell of row in slot s; empty when
// the cell was empty (not given), or when s is -1.
func (f *File) value(row, s int) []byte {
	if s < 0 {
		return nil
	}
	i := row*len(f.columns) + s
	start, end := f.starts[row], f.ends[i]
	if s > 0 {
		start = f.ends[i-1]
	}
	if start == end {
		return nil
	}
	off := start & (chunkSize - 1)
	return f.text[start>>chunkBits][off : off+end-start]
}

// addRow stores a row whose cells are row, the end of each cell in it
// given by ends, in the file's text; it returns false when the row is
// longer than a chunk, or the text full.
func (f *File) addRow(row []byte, ends []uint32) bool {
	if len(row) > chunkSize {
		return false
	}
	n := len(f.text)
	if n == 0 || len(f.text[n-1])+len(row) > chunkSize {
		if n == maxChunks {
			return false
		}
		f.text = append(f.text, make([]byte, 0, chunkSize))
		n++
	}
	base := uint32((n-1)<<chunkBits + len(f.text[n-1]))
	f.text[n-1] = append(f.text[n-1], row...)
	f.starts = append(f.starts, base)
	for _, e := range ends {
		f.ends = append(f.ends, base+e)
	}
	return true
}

// given returns the stored form of field fd in row, empty when the file
// does not give it.
func (f *File) given(row int, fd field) []byte { return f.value(row, f.slot[fd]) }

// line returns the line of row.
func (f *File) line(row int) int { return int(f.lines[row]) }

// has reports whether the file gives field fd.
func (f *File) has(fd field) bool { return f.slot[fd] >= 0 }

// header returns the header of the column giving field fd.
func (f *File) header(fd field) string { return f.columns[f.slot[fd]].header }
