#!/usr/bin/env bash
# Builds the benchmarks uber-jar and runs every benchmark on H2 and PostgreSQL with the settings the figures in
# docs/performance.md were made with, then prints the ratios against the targets.
#
#   benchmarks/run.sh                       # everything, about 7 minutes on 2 cores
#   DBS=h2 benchmarks/run.sh                # one database only
#   benchmarks/run.sh 'HitBenchmark'        # extra arguments go to JMH (here: only the hit benchmarks)
#   MVN_ARGS=-o benchmarks/run.sh           # build offline
#   SKIP_BUILD=1 benchmarks/run.sh          # reuse benchmarks/target/benchmarks.jar
#
# Needs redis-server on the PATH (each fork starts its own on a free loopback port) and, for postgres,
# PostgreSQL at 127.0.0.1:5432 database test user postgres (or BENCH_POSTGRES_URL / BENCH_POSTGRES_USER).
#
# One JMH run per database: JMH orders benchmarks by name, so each sqlcache figure is measured right next to
# its baseline (pointHit, pointRaw, ...) and a change in what else the machine is doing hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SKIP_BUILD:-}" ]]; then
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

jar=benchmarks/target/benchmarks.jar
log=benchmarks/target/run.log
: > "$log"
files=()
for db in ${DBS:-h2 postgres}; do
  results="benchmarks/target/results-$db.csv"
  echo "load before $db: $(cat /proc/loadavg 2>/dev/null || uptime)" | tee -a "$log"
  # A fixed locale keeps JMH's CSV numbers in the form the post-processor reads.
  java -Duser.language=en -Duser.country=US -jar "$jar" \
    -f 1 -wi 3 -w 2s -i 5 -r 2s -tu us -bm avgt -p "db=$db" \
    -rf csv -rff "$results" "$@" | tee -a "$log"
  echo "load after $db: $(cat /proc/loadavg 2>/dev/null || uptime)" | tee -a "$log"
  files+=("$results")
done

echo
java -cp "$jar" dev.sqlcache.bench.Ratios "${files[@]}" | tee benchmarks/target/ratios.md
