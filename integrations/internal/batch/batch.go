// Package batch is the queue-taking part of the two stores' group commit
// (RecordDecision): callers put requests on a queue, and one writer takes
// them in batches, each committed at once. What a batch does, and how a
// caller waits for its answer, is each store's own.
package batch

import (
	"context"
	"errors"
)

// ErrClosed is Put's error once the writer has been told to quit.
var ErrClosed = errors.New("the store is closed")

// Put queues r, waiting for room. It fails with ctx's error when ctx ends
// first, and with ErrClosed when quit is closed first; r is not queued then.
func Put[T any](ctx context.Context, queue chan<- T, quit <-chan struct{}, r T) error {
	select {
	case queue <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-quit:
		return ErrClosed
	}
}

// Take waits for the next request on queue and appends it to batch[:0],
// with those queued behind it up to max in all, without waiting for more.
// It returns false, and no batch, when quit is closed while it waits.
func Take[T any](batch []T, queue <-chan T, quit <-chan struct{}, max int) ([]T, bool) {
	batch = batch[:0]
	select {
	case r := <-queue:
		batch = append(batch, r)
	case <-quit:
		return nil, false
	}
	return Fill(batch, queue, max), true
}

// Fill appends to batch the requests queued, up to max in all, without
// waiting for more.
func Fill[T any](batch []T, queue <-chan T, max int) []T {
	for len(batch) < max {
		select {
		case r := <-queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}
