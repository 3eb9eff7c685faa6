// Package auth holds the identity primitives of the CRM: who is calling
// (Viewer, Role, Scopes), how user passwords are stored, how user access
// tokens (JWT) and partner API tokens are issued and checked, and how a
// bearer credential is read from an HTTP request.
//
// The package knows nothing about GraphQL or the database; callers look up
// users, organizations and stored token hashes themselves and hand the
// results to these functions.
package auth
