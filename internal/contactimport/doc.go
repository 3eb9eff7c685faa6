// Package contactimport brings an organization's contact list in from a CSV
// file, as users of other CRMs export it: each row creates a contact, or
// updates the one the organization already has with the row's email or
// external ID.
//
// An import is all-or-nothing: the whole file is read and checked first,
// every bad line reported, and then written in one transaction. It is
// idempotent: importing the same file again changes nothing and reports
// every row unchanged.
//
// A file is read into a File, which holds a million rows in a few hundred
// megabytes as one block of text and offsets rather than a string per
// cell. It is written in bulk (COPY on PostgreSQL) past ent's builders, so
// it supplies every value ent would set or check itself. Like the purchase
// import and seeding, an import is not a change made through the API: it
// raises no per-contact events or webhooks and writes no per-contact audit
// entries (see package changes); it writes one audit entry for the import
// as a whole, with its counts. Analytics are not recomputed.
package contactimport
