#!/bin/bash
# Session 30 (hB): issue #13's JMH targets on c34e7b9. Short forks: the machine is shared and loaded.
J=${JAR:-/tmp/hB-bench-c34e7b9.jar}
O=$(dirname "$0")
export BENCH_POSTGRES_URL=jdbc:postgresql://127.0.0.1:5432/bench_hb
run() { name=$1; shift; echo "== $name $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; java -Djmh.ignoreLock=true -Duser.language=en -jar $J "$@" -f 1 -wi 3 -w 2s -i 5 -r 2s -tu us -bm avgt -prof gc -rf csv -rff $O/$name.csv > $O/$name.txt 2>&1; echo "   rc=$? end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
run near 'HitBenchmark.(point|join)(Hit|Map)$' -p db=h2 -p near=true -p signed=false
run redis 'HitBenchmark.(point|join)(Hit|Raw)$' -p db=h2 -p near=false -p signed=false
run miss 'PassThroughBenchmark.miss(Sqlcache|Direct|DirectGet)$' -p db=h2,postgres
run write 'PassThroughBenchmark.write(Sqlcache|Direct)$' -p db=h2,postgres
