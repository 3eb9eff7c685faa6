package sqljson

import (
	"strings"

	"entgo.io/ent/dialect/sql"
)

// jsonText writes a SQL expression whose value is a piece of JSON text,
// as the concatenation (||) of literal JSON punctuation and keys with
// expressions that render values. PostgreSQL concatenates text far more
// cheaply than json_build_object builds objects: that function looks up
// each argument's type and output function on every call, for every row.
// Adjacent literal pieces are merged into one SQL string literal.
type jsonText struct {
	b       *sql.Builder
	lit     strings.Builder // literal JSON not yet written
	started bool            // whether an operand was written
}

// literal appends JSON text that is known in advance: punctuation, keys,
// type names.
func (w *jsonText) literal(s string) { w.lit.WriteString(s) }

// key appends an object key and its colon, after a comma unless first.
func (w *jsonText) key(name string, first bool) {
	if !first {
		w.literal(",")
	}
	w.literal(`"` + name + `":`)
}

// expr writes an operand: write must write one SQL expression of type
// text that is never NULL.
func (w *jsonText) expr(write func()) {
	w.flush()
	w.operand()
	w.b.WriteString("(")
	write()
	w.b.WriteString(")")
}

// end writes what literal JSON remains; the expression is complete.
func (w *jsonText) end() {
	w.flush()
	if !w.started {
		w.b.WriteString("''")
	}
}

func (w *jsonText) flush() {
	if w.lit.Len() == 0 {
		return
	}
	w.operand()
	w.b.WriteString(sqlString(w.lit.String()))
	w.lit.Reset()
}

func (w *jsonText) operand() {
	if w.started {
		w.b.WriteString(" || ")
	}
	w.started = true
}

// sqlString is s as a SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
