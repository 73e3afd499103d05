#!/usr/bin/env bash
# The side-by-side throughput harness (issues #10 and #13) in one command: the same workloads against direct
# PostgreSQL, pgpool-II's query cache and sqlcache, in one process and alternating rounds. Installs what is missing
# (pgpool2, redis-server, from Debian), builds the benchmarks module and runs the harness, which starts its own
# pgpool-II and redis-server on free loopback ports and stops them when it ends. Results in
# benchmarks/target/throughput/<UTC time>/ (report.md, rounds.csv, summary.csv, console.log, pgpool.log).
#
#   benchmarks/throughput.sh                                  # everything: 8 workloads x 5 targets x (10 s warm-up
#                                                             # + 5 rounds of 10 s), about 45 minutes
#                                                             # (each round after a full GC and 1 s idle: --settle)
#   benchmarks/throughput.sh --workloads pk-reads,join-agg --rounds 3 --seconds 5 --warmup 5
#   benchmarks/throughput.sh --help                           # every option of the harness
#   MVN=./m MVN_ARGS=-o benchmarks/throughput.sh ...          # another Maven command, offline
#   SKIP_BUILD=1 benchmarks/throughput.sh ...                 # reuse benchmarks/target/benchmarks.jar
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth; or BENCH_POSTGRES_URL, BENCH_POSTGRES_USER,
# BENCH_POSTGRES_PASSWORD). The harness uses a database of its own, "bench", and creates it when missing; each
# target's copy of the data lives in schema bench_<target>, left in place after the run. Installing needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[throughput] %s\n' "$*"; }

apt_updated=
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "[throughput] $* is not installed and installing it needs root: apt-get install $*" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ -z "${PGPOOL:-}" ] && ! command -v pgpool >/dev/null 2>&1 && [ ! -x /usr/sbin/pgpool ]; then
  log "installing pgpool2 from Debian"
  apt_install pgpool2
  # Where an init system runs, Debian starts its own pgpool2 service with the package's configuration; the
  # harness only ever uses a private pgpool-II, so the service this installation started is stopped again.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet pgpool2 2>/dev/null; then
    systemctl disable --now pgpool2 >/dev/null 2>&1 || true
  fi
fi
if [ -z "${REDIS_SERVER:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis-server from Debian"
  apt_install redis-server
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building the benchmarks module"
  # shellcheck disable=SC2086
  ${MVN:-mvn} -B -q ${MVN_ARGS:-} -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then
  commit="$commit with uncommitted changes"
fi
# With SKIP_BUILD the jar may predate the checkout (session 28 measured a whole run of old code labelled with the
# new commit): say so in the report rather than vouch for a commit the jar was not built from.
jar=benchmarks/target/benchmarks.jar
if [ -f "$jar" ] && [ "$(stat -c %Y "$jar")" -lt "$(git log -1 --format=%ct 2>/dev/null || echo 0)" ]; then
  commit="$commit, but benchmarks.jar was built before it ($(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC'))"
  log "warning: $jar is older than the checked-out commit; rebuild or unset SKIP_BUILD"
fi
export BENCH_COMMIT="$commit"
exec java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.sqlcache.bench.throughput.ThroughputBenchmark \
  --database-url "${BENCH_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/bench}" \
  --user "${BENCH_POSTGRES_USER:-postgres}" "$@"
