package testbed

import (
	"sync"
	"sync/atomic"
)

// ForEach calls fn for 0..n-1 on workers goroutines and returns the first error; once
// one fails, the calls not yet started are skipped. Benchmarks fill the API server
// with thousands of objects this way: one at a time would take minutes.
func ForEach(n, workers int, fn func(i int) error) error {
	work := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if failed.Load() != nil {
					continue
				}
				if err := fn(i); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if e := failed.Load(); e != nil {
		return *e
	}
	return nil
}
