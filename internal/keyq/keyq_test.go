package keyq

import (
	"fmt"
	"sync"
	"testing"
)

func TestQueueIsFIFOAndForgetsIdleKeys(t *testing.T) {
	l := New[string]()
	first := l.Enqueue("u")
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		tk := l.Enqueue("u") // the order of enqueue is the order of running
		wg.Add(1)
		go func(i int, tk *Ticket[string]) {
			defer wg.Done()
			tk.Wait()
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			tk.Release()
		}(i, tk)
	}
	first.Release()
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("ran in order %v", order)
		}
	}
	for u := 0; u < 1000; u++ {
		tk := l.Enqueue(fmt.Sprint("user", u))
		tk.Wait()
		tk.Release()
	}
	if n := l.Len(); n != 0 {
		t.Errorf("%d keys kept after every user finished", n)
	}
}
