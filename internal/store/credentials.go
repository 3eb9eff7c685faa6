package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CredentialsChannel is the PostgreSQL notification channel on which the
// database announces changes to tokens, users and organizations.
const CredentialsChannel = "crm_credentials"

// credentialTriggers announce, on CredentialsChannel, every committed
// update or deletion of a token, a user or an organization — by any
// instance, command or SQL session — except of the bookkeeping columns of
// CredentialBookkeeping. Each statement is idempotent.
func credentialTriggers() []string {
	ddl := []string{`CREATE OR REPLACE FUNCTION crm_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('` + CredentialsChannel + `', '');
	RETURN NULL;
END $$`}
	for _, table := range []string{"api_tokens", "users", "organizations"} {
		ddl = append(ddl, credentialTrigger(table, CredentialBookkeeping[table]...))
	}
	return ddl
}

// CredentialBookkeeping are, by table, the columns of credentials whose
// changes do not change what a credential may do: records of use and of
// the login throttle.
var CredentialBookkeeping = map[string][]string{
	"api_tokens":    {"last_used_at", "updated_at"},
	"users":         {"failed_logins", "locked_until", "last_login_at", "updated_at"},
	"organizations": {"updated_at"},
}

// credentialTrigger is the DDL of the triggers of one table: on any
// deletion, and on updates that change more than the ignored columns.
func credentialTrigger(table string, ignored ...string) string {
	list := "'{"
	for i, c := range ignored {
		if i > 0 {
			list += ","
		}
		list += c
	}
	list += "}'::text[]"
	return fmt.Sprintf(`DROP TRIGGER IF EXISTS %[1]s_credentials_changed ON %[1]s;
CREATE TRIGGER %[1]s_credentials_changed AFTER UPDATE ON %[1]s FOR EACH ROW
	WHEN ((to_jsonb(OLD) - %[2]s) IS DISTINCT FROM (to_jsonb(NEW) - %[2]s))
	EXECUTE FUNCTION crm_credentials_changed();
DROP TRIGGER IF EXISTS %[1]s_credentials_deleted ON %[1]s;
CREATE TRIGGER %[1]s_credentials_deleted AFTER DELETE ON %[1]s FOR EACH STATEMENT
	EXECUTE FUNCTION crm_credentials_changed()`, table, list)
}

// installCredentialTriggers creates, on PostgreSQL, the triggers that
// announce changes to credentials (identity.WatchCredentialChanges listens
// to them). Migrate runs it after the tables exist.
func installCredentialTriggers(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range credentialTriggers() {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: installing the credential triggers: %w", err)
		}
	}
	return tx.Commit()
}
