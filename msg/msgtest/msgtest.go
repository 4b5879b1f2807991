// Package msgtest has test doubles for the msg interfaces.
package msgtest

import "sync"

// Sends is a msg.SendObserver that counts what it is told, by channel and
// outcome; safe for concurrent use.
type Sends struct {
	mu sync.Mutex
	n  map[string]int
}

// Sent counts one message of channel with outcome.
func (c *Sends) Sent(channel, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[channel+" "+outcome]++
}

// Count is how many messages of channel had outcome.
func (c *Sends) Count(channel, outcome string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[channel+" "+outcome]
}
