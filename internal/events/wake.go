package events

import "sync"

// local wakes the brokers of this process when an event is raised here.
var local = make(chan struct{}, 1)

var (
	listenersMu sync.RWMutex
	listeners   []func()
)

// OnRaised registers a function called, without blocking, whenever an
// event is raised in this process — before its transaction commits, so
// the function should only prompt a worker that reads committed rows, such
// as the webhook workers' Wake.
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
