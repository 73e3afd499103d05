#!/bin/bash
# Three JMH runs, one per pair of targets, each -f 1, 10 measurement iterations for an error bar.
cd /tmp/hF-jmh
J="java -Djmh.ignoreLock=true -Duser.language=en -Duser.country=US -jar /tmp/hF-benchmarks-994d2f7.jar"
COMMON="-f 1 -wi 3 -w 2s -i 10 -r 2s -tu us -bm avgt"
export BENCH_POSTGRES_URL=jdbc:postgresql://127.0.0.1:5432/bench_hF
for run in signed near miss; do
  echo "$run start $(date -u +%H:%M:%S) load $(cat /proc/loadavg)" >> times.txt
  case $run in
    signed) $J 'HitBenchmark.(point|join)(Hit|Raw)$' -p db=h2 -p near=false -p signed=true $COMMON -rf csv -rff signed.csv > signed.txt 2>&1 ;;
    near) $J 'HitBenchmark.(point|join)(Hit|Map)$' -p db=h2 -p near=true -p signed=false $COMMON -rf csv -rff near.csv > near.txt 2>&1 ;;
    miss) $J 'PassThroughBenchmark.miss(Sqlcache|Direct|DirectGet)$' -p db=h2,postgres $COMMON -rf csv -rff miss.csv > miss.txt 2>&1 ;;
  esac
  echo "$run end $(date -u +%H:%M:%S) rc $? load $(cat /proc/loadavg)" >> times.txt
done
echo ALLDONE >> times.txt
