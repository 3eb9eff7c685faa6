package events

// local wakes the brokers of this process when an event is raised here.
var local = make(chan struct{}, 1)

func wakeLocal() {
	select {
	case local <- struct{}{}:
	default:
	}
}
