package bot

import (
	"fmt"
	"sync"
	"testing"
)

func TestKeyedLockIsFIFOAndForgetsIdleKeys(t *testing.T) {
	l := newKeyedLock()
	first := l.enqueue("u")
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		tk := l.enqueue("u") // the order of enqueue is the order of running
		wg.Add(1)
		go func(i int, tk *ticket) {
			defer wg.Done()
			tk.wait()
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			tk.release()
		}(i, tk)
	}
	first.release()
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("ran in order %v", order)
		}
	}
	for u := 0; u < 1000; u++ {
		tk := l.enqueue(fmt.Sprint("user", u))
		tk.wait()
		tk.release()
	}
	if n := l.size(); n != 0 {
		t.Errorf("%d keys kept after every user finished", n)
	}
}
