package demo

import (
	"context"
	"sync"
	"sync/atomic"
)

// batchesInFlight is how many batches exist at once: one being generated,
// one being written and one waiting, so neither side waits for the other
// when they run at about the same speed.
const batchesInFlight = 3

// writer writes batches to a sink on its own goroutine, handing emptied
// batches back for reuse. After the first error it drops what it is sent.
type writer struct {
	in     chan job
	free   chan *batch
	done   chan struct{}
	failed atomic.Bool
	err    error // set before failed and before done is closed
	once   sync.Once
}

// job is a batch to write, with the number of contacts generated once it
// is written (0 when it holds none), for the progress callback.
type job struct {
	b        *batch
	contacts int
}

// startWriter starts writing to s, counting what is written into st and
// calling progress, when not nil, with (contacts written, total).
func startWriter(ctx context.Context, s sink, st *Stats, total int, progress func(done, total int)) *writer {
	ctx, cancel := context.WithCancel(ctx)
	w := &writer{in: make(chan job, batchesInFlight), free: make(chan *batch, batchesInFlight), done: make(chan struct{})}
	for range batchesInFlight {
		w.free <- &batch{}
	}
	go func() {
		defer close(w.done)
		defer cancel()
		for j := range w.in {
			if w.err == nil {
				if err := s.write(ctx, j.b); err != nil {
					w.err = err
					w.failed.Store(true)
					cancel()
				} else {
					j.b.count(st)
					if progress != nil && j.contacts > 0 {
						progress(j.contacts, total)
					}
				}
			}
			j.b.reset()
			w.free <- j.b
		}
	}()
	return w
}

// batch returns an empty batch to fill.
func (w *writer) batch() *batch { return <-w.free }

// send queues b for writing; contacts is the number of contacts generated
// so far when b holds contacts, else 0. It reports false once writing has
// failed, when the caller should stop and call wait.
func (w *writer) send(b *batch, contacts int) bool {
	if w.failed.Load() {
		w.free <- b
		return false
	}
	w.in <- job{b: b, contacts: contacts}
	return true
}

// wait stops the writer once everything sent is written and returns the
// first error.
func (w *writer) wait() error {
	w.once.Do(func() { close(w.in) })
	<-w.done
	return w.err
}
