package events

import "sync"

// local wakes the brokers of this process when an event is raised here.
var local = make(chan struct{}, 1)

var (
	listenersMu sync.RWMutex
	listeners   []func()
)

// OnRaised registers a function called whenever events are raised in this
// process: once their transaction commits when it is carried in the
// context (ent.NewTxContext, as the API's mutations do), and at once
// otherwise. It must not block: it should only prompt a worker that reads
// committed rows, such as the webhook workers' Wake.
func OnRaised(fn func()) {
	listenersMu.Lock()
	defer listenersMu.Unlock()
	listeners = append(listeners, fn)
}

func wakeLocal() {
	select {
	case local <- struct{}{}:
	default:
	}
	listenersMu.RLock()
	defer listenersMu.RUnlock()
	for _, fn := range listeners {
		fn()
	}
}
