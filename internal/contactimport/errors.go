package contactimport

import "github.com/headlesscrm/crm/internal/importfile"

// LineError is a problem with one line of a file.
type LineError = importfile.LineError

// Errors is the list of problems found in a file, in line order.
type Errors = importfile.Errors

// MaxErrors is how many problems reading a file reports before it stops.
const MaxErrors = importfile.MaxErrors
