package events

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"entgo.io/ent/dialect"
)

// AlertsLockKey is the PostgreSQL advisory lock key ("crm-alrt") that
// instances take around a scheduled run of the alerts, so that only one
// runs at a time.
const AlertsLockKey int64 = 0x63726d2d616c7274

// DefaultAlertsInterval is how often Schedule runs the alerts when not
// told.
const DefaultAlertsInterval = time.Hour

// Schedule runs RunAll at once and then every interval (DefaultAlertsInterval
// when not positive) until ctx is done; start it in its own goroutine. On
// PostgreSQL (dialect.Postgres) any number of instances may run it: each
// run first takes the advisory lock AlertsLockKey on a dedicated connection
// of db, without waiting, and is skipped when another instance holds it;
// the lock is released after the run. On SQLite the run simply happens in
// process. Errors are logged, never fatal.
func (a *Alerts) Schedule(ctx context.Context, every time.Duration, dialectName string, db *sql.DB) {
	if every <= 0 {
		every = DefaultAlertsInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.runScheduled(ctx, dialectName, db); err != nil && ctx.Err() == nil {
			a.logger().Error("alerts: scheduled run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runScheduled makes one scheduled run, under the advisory lock on
// PostgreSQL. It reports whether the run happened.
func (a *Alerts) runScheduled(ctx context.Context, dialectName string, db *sql.DB) (bool, error) {
	run := a.RunAll
	if a.run != nil {
		run = a.run
	}
	if dialectName != dialect.Postgres {
		return true, run(ctx)
	}
	if db == nil {
		return false, errors.New("events: alerts scheduler needs the database on PostgreSQL")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var locked bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", AlertsLockKey).Scan(&locked); err != nil {
		return false, err
	}
	if !locked {
		a.logger().Debug("alerts: another instance is running them; skipped")
		if a.skipped != nil {
			a.skipped()
		}
		return false, nil
	}
	runErr := run(ctx)
	// Unlock even when ctx is done: the lock belongs to the session, which
	// goes back to the pool.
	unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var unlocked bool
	if err := conn.QueryRowContext(unlockCtx, "SELECT pg_advisory_unlock($1)", AlertsLockKey).Scan(&unlocked); err != nil || !unlocked {
		// Never return a session that may still hold the lock to the
		// pool: discard the connection, which ends the session.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = errors.New("events: the alerts lock was not held at unlock")
		}
		return true, errors.Join(runErr, err)
	}
	return true, runErr
}
