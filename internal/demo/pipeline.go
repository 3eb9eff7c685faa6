package demo

import (
	"context"
	"sync"
	"sync/atomic"
)

// writer writes batches to a sink on its own goroutines, handing emptied
// batches back for reuse. After the first error it drops what it is sent.
//
// Each batch is written in two transactions: first its parents (the rows
// other batches refer to: catalog, accounts and contacts), then its
// children (deals and everything else, which refer only to the batch's own
// parents and to earlier batches). With several workers, batches are
// written at once, but a batch's parents are written only once the parents
// of every batch it depends on are committed: foreign keys are checked
// against committed rows.
type writer struct {
	in      chan job
	free    chan *batch
	workers sync.WaitGroup
	failed  atomic.Bool
	cancel  context.CancelFunc // stops the writes in progress
	sent    int                // batches sent so far; used by the sending goroutine only

	mu        sync.Mutex
	committed *sync.Cond       // broadcast when parents are committed or writing fails
	err       error            // the first error
	parents   int              // the parents of batches 0..parents-1 are committed
	ahead     map[int]struct{} // batches past parents whose parents are committed
	st        *Stats
	contacts  int // contacts written
	total     int
	progress  func(done, total int)
}

// job is a batch to write with its position in the order sent, the number
// of leading batches whose parents must be committed before its own are
// written, and the number of contacts it holds.
type job struct {
	b        *batch
	seq      int
	after    int
	contacts int
}

// startWriter starts writing to s on workers goroutines, counting what is
// written into st and calling progress, when not nil, with (contacts
// written, total) after each batch holding contacts.
func startWriter(ctx context.Context, s sink, workers int, st *Stats, total int, progress func(done, total int)) *writer {
	ctx, cancel := context.WithCancel(ctx)
	// One batch being generated and one waiting besides those being
	// written, so that neither side waits for the other when they run at
	// about the same speed.
	inFlight := workers + 2
	w := &writer{
		in: make(chan job, inFlight), free: make(chan *batch, inFlight),
		cancel: cancel, ahead: map[int]struct{}{}, st: st, total: total, progress: progress,
	}
	w.committed = sync.NewCond(&w.mu)
	for range inFlight {
		w.free <- &batch{}
	}
	w.workers.Add(workers)
	for range workers {
		go func() {
			defer w.workers.Done()
			w.work(ctx, s)
		}()
	}
	return w
}

// work writes the batches received until the writer is stopped.
func (w *writer) work(ctx context.Context, s sink) {
	for j := range w.in {
		if !w.failed.Load() {
			if err := w.write(ctx, s, j); err != nil {
				w.fail(err)
			}
		}
		j.b.reset()
		w.free <- j.b
	}
}

// write writes j's parents once those it depends on are committed, then
// its children.
func (w *writer) write(ctx context.Context, s sink, j job) error {
	parents, children := j.b.split()
	if err := w.await(j.after); err != nil {
		return err
	}
	if !parents.empty() {
		if err := s.write(ctx, &parents); err != nil {
			return err
		}
	}
	w.commit(j.seq)
	if !children.empty() {
		if err := s.write(ctx, &children); err != nil {
			return err
		}
	}
	w.done(j)
	return nil
}

// await waits until the parents of batches 0..n-1 are committed, or
// writing fails.
func (w *writer) await(n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.parents < n && w.err == nil {
		w.committed.Wait()
	}
	return w.err
}

// commit records that the parents of batch seq are committed.
func (w *writer) commit(seq int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ahead[seq] = struct{}{}
	for {
		if _, ok := w.ahead[w.parents]; !ok {
			break
		}
		delete(w.ahead, w.parents)
		w.parents++
	}
	w.committed.Broadcast()
}

// done counts j's rows and reports progress.
func (w *writer) done(j job) {
	w.mu.Lock()
	defer w.mu.Unlock()
	j.b.count(w.st)
	if j.contacts > 0 {
		w.contacts += j.contacts
		if w.progress != nil {
			w.progress(w.contacts, w.total)
		}
	}
}

// fail records err, when it is the first error, stops the other writes and
// wakes the workers waiting for parents.
func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		w.failed.Store(true)
		w.cancel()
	}
	w.committed.Broadcast()
}

// batch returns an empty batch to fill.
func (w *writer) batch() *batch { return <-w.free }

// send queues b for writing once the parents of the first after batches
// sent are committed; contacts is the number of contacts b holds. It
// reports false once writing has failed, when the caller should stop and
// call wait.
func (w *writer) send(b *batch, after, contacts int) bool {
	if w.failed.Load() {
		w.free <- b
		return false
	}
	w.in <- job{b: b, seq: w.sent, after: after, contacts: contacts}
	w.sent++
	return true
}

// wait stops the writer once everything sent is written and returns the
// first error.
func (w *writer) wait() error {
	close(w.in)
	w.workers.Wait()
	w.cancel()
	return w.err
}
