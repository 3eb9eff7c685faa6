// Package importfile holds what the bulk imports (contacts, purchases)
// share about reporting the problems of a file: one error per line and
// column, listed in line order.
package importfile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// LineError is a problem with one line of a file.
type LineError struct {
	// Line is the line number, from 1 (the header).
	Line int
	// Column is the header of the column at fault, as the file spells it,
	// when there is one.
	Column string
	// Message says what is wrong.
	Message string
}

// Error implements error.
func (e LineError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// Errors is the list of problems found in a file.
type Errors []LineError

// Error implements error: the first 20 problems, one a line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i == 20 {
			fmt.Fprintf(&b, "\n… and %d more", len(es)-20)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// MaxErrors is how many problems reading a file reports before it stops.
const MaxErrors = 1000

// Sorted returns the problems in line order, at most MaxErrors of them.
func (es Errors) Sorted() Errors {
	slices.SortStableFunc(es, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
	return es[:min(len(es), MaxErrors)]
}
