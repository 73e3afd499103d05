#!/usr/bin/env bash
# Builds the benchmarks uber-jar and runs every benchmark on H2 and PostgreSQL with the settings the figures in
# docs/performance.md were made with, then prints the ratios against the targets.
#
#   benchmarks/run.sh                 # everything, about 8 minutes on 2 cores
#   benchmarks/run.sh -p db=h2        # extra arguments go to JMH (here: H2 only)
#   MVN_ARGS=-o benchmarks/run.sh     # build offline
#   SKIP_BUILD=1 benchmarks/run.sh    # reuse benchmarks/target/benchmarks.jar
#
# Needs redis-server on the PATH (each fork starts its own on a free loopback port) and, for db=postgres,
# PostgreSQL at 127.0.0.1:5432 database test user postgres (or BENCH_POSTGRES_URL / BENCH_POSTGRES_USER).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SKIP_BUILD:-}" ]]; then
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

jar=benchmarks/target/benchmarks.jar
results=benchmarks/target/results.csv
# A fixed locale keeps JMH's CSV numbers in the form the post-processor reads.
java -Duser.language=en -Duser.country=US -jar "$jar" \
  -f 1 -wi 3 -w 2s -i 5 -r 2s -tu us -bm avgt \
  -rf csv -rff "$results" "$@" | tee benchmarks/target/run.log

echo
java -cp "$jar" dev.sqlcache.bench.Ratios "$results"
