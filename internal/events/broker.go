package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Broker streams newly committed events to the subscribers of this
// process. It reads them from the database — so it sees the events of every
// instance sharing it — when an event is raised in this process, when
// PostgreSQL announces one raised elsewhere (LISTEN/NOTIFY), and on a
// regular poll that catches anything a wake-up missed.
type Broker struct {
	client *ent.Client
	cfg    BrokerConfig

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	cursor time.Time              // events created after cursor-Lookback are read
	seen   map[pulid.ID]time.Time // events already dispatched, by creation time
}

// BrokerConfig configures a Broker.
type BrokerConfig struct {
	// Dialect is the database's dialect; DatabaseURL, on PostgreSQL, is
	// where the broker listens for other instances' events.
	Dialect     string
	DatabaseURL string
	// Poll is how often the database is read when nothing woke the broker
	// (1 s by default).
	Poll time.Duration
	// Lookback is how far before the newest event seen the broker keeps
	// reading, so that an event committed later than a newer one is not
	// missed (5 s by default).
	Lookback time.Duration
	// Logger receives listener failures.
	Logger *slog.Logger
	// Buffer is how many events a subscriber may fall behind before it
	// loses some (256 by default).
	Buffer int
	// IgnoreLocalRaises leaves out the wake-up by events raised in this
	// process, so that a test running two instances in one process proves
	// that events travel between them through the database.
	IgnoreLocalRaises bool
}

// Subscription is one subscriber's stream of its organization's events.
type Subscription struct {
	org   string
	since time.Time
	// C receives the events; it is closed when the subscription ends.
	C    chan *ent.Event
	done chan struct{}
	once sync.Once
}

// NewBroker returns a broker over the client; Run starts it.
func NewBroker(client *ent.Client, cfg BrokerConfig) *Broker {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 256
	}
	return &Broker{client: client, cfg: cfg, subs: map[*Subscription]struct{}{}, seen: map[pulid.ID]time.Time{}}
}

// Subscribe starts a stream of the organization's events raised from now
// on. The subscription ends when ctx is done.
func (b *Broker) Subscribe(ctx context.Context, organizationID string) *Subscription {
	s := &Subscription{org: organizationID, since: time.Now().Add(-time.Second), C: make(chan *ent.Event, b.cfg.Buffer), done: make(chan struct{})}
	b.mu.Lock()
	if len(b.subs) == 0 {
		b.cursor = time.Now()
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs, s)
		b.mu.Unlock()
		s.once.Do(func() { close(s.done) })
	}()
	return s
}

// Done is closed when the subscription ends.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Run reads and dispatches events until ctx is done.
func (b *Broker) Run(ctx context.Context) error {
	remote := make(chan struct{}, 1)
	if b.cfg.Dialect == dialect.Postgres && b.cfg.DatabaseURL != "" {
		stop := b.listen(ctx, remote)
		defer stop()
	}
	timer := time.NewTimer(b.cfg.Poll)
	defer timer.Stop()
	localRaises := local
	if b.cfg.IgnoreLocalRaises {
		localRaises = nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-localRaises:
			b.dispatch(ctx)
			// The wake-up came from inside the raising transaction: look
			// again shortly, once it has committed.
			time.Sleep(25 * time.Millisecond)
		case <-remote:
		case <-timer.C:
		}
		b.dispatch(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(b.cfg.Poll)
	}
}

// listen wakes the broker when another instance raises an event.
func (b *Broker) listen(ctx context.Context, wake chan<- struct{}) func() {
	l := pq.NewListener(b.cfg.DatabaseURL, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			b.cfg.Logger.Warn("event listener", "err", err)
		}
	})
	if err := l.Listen(Channel); err != nil {
		b.cfg.Logger.Warn("event listener: LISTEN failed; falling back to polling", "err", err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-l.Notify:
				select {
				case wake <- struct{}{}:
				default:
				}
			case <-time.After(90 * time.Second):
				go func() { _ = l.Ping() }()
			}
		}
	}()
	return func() { close(done); _ = l.Close() }
}

// dispatch reads the events committed since the last read and hands each
// to its organization's subscribers. It reads in pages, so that a burst of
// more events than a page within the look-back window is read through
// rather than re-read.
func (b *Broker) dispatch(ctx context.Context) {
	b.mu.Lock()
	if len(b.subs) == 0 {
		b.mu.Unlock()
		return
	}
	after, afterID := b.cursor.Add(-b.cfg.Lookback), pulid.ID("")
	b.mu.Unlock()
	const page = 500
	for {
		evs, err := b.client.Event.Query().
			Where(event.Or(event.CreatedAtGT(after), event.And(event.CreatedAtEQ(after), event.IDGT(afterID)))).
			Order(event.ByCreatedAt(), event.ByID(sql.OrderAsc())).
			Limit(page).
			All(tenant.WithSystem(ctx))
		if err != nil {
			if ctx.Err() == nil {
				b.cfg.Logger.Warn("reading events", "err", err)
			}
			return
		}
		b.deliver(evs)
		if len(evs) < page {
			break
		}
		last := evs[len(evs)-1]
		after, afterID = last.CreatedAt, last.ID
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, at := range b.seen {
		if at.Before(b.cursor.Add(-2 * b.cfg.Lookback)) {
			delete(b.seen, id)
		}
	}
}

// deliver hands the events not seen before to their subscribers.
func (b *Broker) deliver(evs []*ent.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ev := range evs {
		if _, ok := b.seen[ev.ID]; ok {
			continue
		}
		b.seen[ev.ID] = ev.CreatedAt
		if ev.CreatedAt.After(b.cursor) {
			b.cursor = ev.CreatedAt
		}
		for s := range b.subs {
			if s.org != ev.OrganizationID.String() || ev.CreatedAt.Before(s.since) {
				continue
			}
			select {
			case s.C <- ev:
			default:
				// A subscriber that does not keep up loses events rather
				// than holding up everyone else; the event log has them.
				b.cfg.Logger.Warn("subscriber too slow: event dropped", "event", ev.ID)
			}
		}
	}
}
