package storetest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is a Redis of a test's own that the test may stop and start again
// (outage tests): a real redis-server process on a free loopback port when
// the binary is installed, else an embedded one. Data survives Stop/Start.
type Server struct {
	t    testing.TB
	addr string
	dir  string
	cmd  *exec.Cmd
	mini *miniredis.Miniredis
}

// NewServer starts a Server, stopped when t ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	if _, err := exec.LookPath("redis-server"); err == nil {
		s.dir = t.TempDir()
		s.addr = freeAddr(t)
		s.Start()
	} else {
		m, err := miniredis.Run()
		if err != nil {
			t.Fatal(err)
		}
		s.mini, s.addr = m, m.Addr()
	}
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Client connects to the server with short timeouts and no retries, so a
// stopped server fails fast.
func (s *Server) Client() redis.UniversalClient {
	c := redis.NewClient(&redis.Options{Addr: s.addr, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond, MaxRetries: -1})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Stop kills the server.
func (s *Server) Stop() {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Start (re)starts a stopped server on the same address.
func (s *Server) Start() {
	s.t.Helper()
	if s.mini != nil {
		if err := s.mini.Restart(); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	host, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command("redis-server", "--bind", host, "--port", port, "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", "")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	// Ready means PING answers PONG: a restarted server accepts connections
	// while it is still loading its AOF ("LOADING").
	c := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer c.Close()
	for i := 0; i < 250; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redis-server on %s did not start", s.addr)
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}
