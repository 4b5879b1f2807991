package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
)

// TestBothBotsWalkTheStepsInOrder runs the tool as a person would, briefly:
// `loanbot serve` and the grammY bot, each in its own process, 30 users for 2 s,
// and checks that every reply came, in order, and that the summary compares
// them. The grammY bot needs `npm ci --prefix bench/grammy`; CI installs it
// and sets LOANBOT_REQUIRE_GRAMMY, so that there it cannot be skipped.
func TestBothBotsWalkTheStepsInOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two bots")
	}
	bots := "serve,grammy,engine"
	if _, err := os.Stat("../../bench/grammy/node_modules/grammy"); err != nil {
		if os.Getenv("LOANBOT_REQUIRE_GRAMMY") != "" {
			t.Fatalf("the grammY bot is not installed (npm ci --prefix bench/grammy): %v", err)
		}
		t.Logf("the grammY bot is not installed; loanbot alone")
		bots = "serve,engine"
	}
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	dir := t.TempDir()
	bin, serve := filepath.Join(dir, "loadtg"), filepath.Join(dir, "loanbot")
	for out, pkg := range map[string]string{bin: ".", serve: "../loanbot"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	out, err := exec.Command(bin, "-bot", bots, "-serve", serve, "-users", "30", "-conns", "10", "-duration", "2s",
		"-redis", redisURL, "-grammy", "../../bench/grammy").CombinedOutput()
	if err != nil {
		t.Fatalf("loadtg: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	line := regexp.MustCompile(`(?m)^(\w+) +mode=answer users=30 conns=10: (\d+) updates .*; lost (\d+); out of order (\d+); failed POSTs (\d+)$`)
	seen := map[string]bool{}
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		seen[m[1]] = true
		if n, _ := strconv.Atoi(m[2]); n < 30 {
			t.Errorf("%s: %s updates in 2 s", m[1], m[2])
		}
		if m[3] != "0" || m[4] != "0" || m[5] != "0" {
			t.Errorf("%s: lost %s, out of order %s, failed %s", m[1], m[3], m[4], m[5])
		}
	}
	for _, b := range strings.Split(bots, ",") {
		if !seen[b] {
			t.Errorf("no result for %s", b)
		}
	}
	if strings.Contains(bots, "grammy") && !strings.Contains(string(out), "serve ÷ grammY:") {
		t.Errorf("no comparison in the summary")
	}
	if !regexp.MustCompile(`peak RSS [1-9]\d* MB`).Match(out) {
		t.Errorf("no peak RSS measured")
	}
}

func TestBadFlagsAreRefusedWithASentence(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	bin := filepath.Join(t.TempDir(), "loadtg")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for args, want := range map[string]string{
		"-bot nodejs":                  "-bot",
		"-bot before":                  "-before",
		"-rounds 0":                    "-rounds",
		"-users 0":                     "-users",
		"-redis redis://10.0.0.1:6379": "only a Redis on 127.0.0.1",
	} {
		out, err := exec.Command(bin, strings.Fields(args)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: err %v, output %q; want a failure naming %q", args, err, out, want)
		}
	}
}
