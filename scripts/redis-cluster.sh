#!/usr/bin/env bash
# Start or stop a three-master Redis Cluster on 127.0.0.1 for tests.
#
#   scripts/redis-cluster.sh start   # prints the REDIS_URL to use
#   scripts/redis-cluster.sh stop
#
# Ports 7101-7103 (override with CLUSTER_PORT=7101), data in a temporary
# directory removed on stop. Needs redis-server and redis-cli (Debian's
# redis-server / redis-tools).
set -euo pipefail
base="${CLUSTER_PORT:-7101}"
ports=("$base" "$((base + 1))" "$((base + 2))")
dir="${CLUSTER_DIR:-/tmp/loanbot-redis-cluster}"

case "${1:-}" in
start)
  mkdir -p "$dir"
  for p in "${ports[@]}"; do
    mkdir -p "$dir/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/$p/nodes.conf" --dir "$dir/$p" \
      --appendonly no --save "" --daemonize yes --logfile "$dir/$p/redis.log"
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  if ! redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok'; then
    redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
  fi
  for _ in $(seq 1 100); do
    redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
  echo "redis://127.0.0.1:${ports[0]}?cluster=true&addr=127.0.0.1:${ports[1]}&addr=127.0.0.1:${ports[2]}"
  ;;
stop)
  for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
