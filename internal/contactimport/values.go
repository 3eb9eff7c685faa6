package contactimport

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/headlesscrm/crm/ent/contact"
)

// A file stores each cell it accepts in the form it is written and
// compared in: text as given (emails folded to lower case, as the data
// model stores them), enum values as the data model spells them, yes or no
// as "t" or "f", days as YYYY-MM-DD, times as RFC 3339 in UTC, and tags as
// a JSON array.

// appendValue appends the stored form of cell, a trimmed, non-empty cell
// of field f, to dst; or returns dst and why the data model would refuse
// the value.
func appendValue(dst []byte, f field, cell string) ([]byte, string) {
	if msg := checkText(cell); msg != "" {
		return dst, msg
	}
	info := fields[f]
	switch info.kind {
	case kindText, kindEmail:
		if info.kind == kindEmail {
			cell = strings.ToLower(cell)
		}
		if err := info.validate(cell); err != nil {
			if n := f.maxBytes(); n > 0 && len(cell) > n {
				return dst, fmt.Sprintf("is longer than %d bytes", n)
			}
			if info.kind == kindEmail {
				return dst, "is not a valid email address"
			}
			return dst, err.Error()
		}
		return append(dst, cell...), ""
	case kindEnum:
		values := f.enumValues()
		if slices.Contains(values, cell) {
			return append(dst, cell...), ""
		}
		if i := slices.Index(enumKeys[f], enumKey(cell)); i >= 0 {
			return append(dst, values[i]...), ""
		}
		return dst, "must be one of " + strings.Join(values, ", ")
	case kindBool:
		switch strings.ToLower(cell) {
		case "yes", "y", "true", "t", "1":
			return append(dst, 't'), ""
		case "no", "n", "false", "f", "0":
			return append(dst, 'f'), ""
		}
		return dst, "must be yes or no (or true or false, 1 or 0)"
	case kindDate:
		d, err := time.Parse(time.DateOnly, cell)
		if err != nil || d.Year() < 1 {
			return dst, "must be a date as YYYY-MM-DD"
		}
		return d.AppendFormat(dst, time.DateOnly), ""
	case kindTime:
		t, ok := parseTime(cell)
		if !ok {
			return dst, "must be a date as YYYY-MM-DD or a time as YYYY-MM-DD HH:MM:SS (UTC) or RFC 3339"
		}
		return t.AppendFormat(dst, time.RFC3339Nano), ""
	case kindTags:
		tags := splitTags(cell)
		if len(tags) == 0 {
			return dst, "" // only separators: not given
		}
		if err := contact.TagsValidator(tags); err != nil {
			return dst, err.Error()
		}
		return appendJSONArray(dst, tags), ""
	}
	panic("contactimport: unknown kind of field")
}

// checkText returns why PostgreSQL could not store s as text, or "".
// The data model refuses NUL characters on every database.
func checkText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not UTF-8 text"
	case strings.ContainsRune(s, 0):
		return "must not contain NUL characters"
	}
	return ""
}

// enumKey returns an enum value as it is matched: upper case, without
// spaces, underscores and hyphens, so that "Marketing qualified lead"
// names MARKETING_QUALIFIED_LEAD.
func enumKey(s string) string { return strings.ToUpper(headerKey(s)) }

// enumKeys are the keys of the values of each enum field, in order.
var enumKeys = func() (keys [fieldCount][]string) {
	for f := range fieldCount {
		if fields[f].kind == kindEnum {
			for _, v := range f.enumValues() {
				keys[f] = append(keys[f], enumKey(v))
			}
		}
	}
	return keys
}()

// timeLayouts are the ways a time can be written, tried in order; those
// without a zone are in UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", time.DateOnly}

// parseTime parses a time in one of timeLayouts, in UTC, refusing years
// before 1, which PostgreSQL cannot store as the driver writes them.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return t, t.Year() >= 1 && t.Year() <= 9999
		}
	}
	return time.Time{}, false
}

// splitTags splits a cell into tags at commas and semicolons, trimmed,
// without empty ones and repeats.
func splitTags(cell string) []string {
	var tags []string
	for _, t := range strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' }) {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// storedTime returns the time of a stored date or time.
func storedTime(b []byte) time.Time {
	layout := time.RFC3339Nano
	if len(b) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, string(b))
	if err != nil {
		panic("contactimport: a stored time does not parse: " + err.Error())
	}
	return t
}

// appendJSONArray appends ss as a JSON array of strings.
func appendJSONArray(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s, valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
