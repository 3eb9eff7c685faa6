package identity

import (
	"context"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/headlesscrm/crm/internal/store"
)

// WatchCredentialChanges listens, on PostgreSQL, for changes to
// credentials made anywhere, and meanwhile serves checked credentials from
// memory: a client's requests then cost no statement to authenticate. The
// cache is emptied on every change announced, and not used while the
// listening connection is down, so a revoked token, a deactivated user or
// a changed role is refused on the next request. It returns when ctx ends.
// Without it (SQLite, or a database that cannot be listened to) every
// request reads its credential.
func (s *Service) WatchCredentialChanges(ctx context.Context, databaseURL string, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	l := pq.NewListener(databaseURL, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			s.cache.setLive(false)
			log.Warn("credential listener: connection lost; reading credentials from the database", "err", err)
		case pq.ListenerEventReconnected:
			// The channel is listened to again: nothing missed is kept.
			s.cache.setLive(true)
		}
	})
	defer func() {
		s.cache.setLive(false)
		_ = l.Close()
	}()
	if err := l.Listen(store.CredentialsChannel); err != nil {
		log.Warn("credential listener: LISTEN failed; reading credentials from the database", "err", err)
		return
	}
	s.cache.setLive(true)
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.Notify:
			// A change, or nil after a reconnection: either way, forget.
			s.cache.forget()
		case <-time.After(90 * time.Second):
			go func() { _ = l.Ping() }()
		}
	}
}

// CachingCredentials reports whether checked credentials are served from
// memory now.
func (s *Service) CachingCredentials() bool { return s.cache.isLive() }
