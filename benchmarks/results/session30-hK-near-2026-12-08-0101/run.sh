#!/bin/bash
# usage: jmh.sh JAR OUTNAME [extra]
J=$1; N=$2; shift 2
echo "== $N $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
java -Djmh.ignoreLock=true -Duser.language=en -jar $J 'HitBenchmark.point(Hit|Map)$' -p db=h2 -p near=true -p signed=false -f 1 -wi 3 -w 1s -i 4 -r 1s -tu us -bm avgt -prof gc -rf csv -rff /tmp/hK/$N.csv "$@" > /tmp/hK/$N.txt 2>&1
echo "   rc=$? end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "^HitBenchmark.point(Hit|Map)( |:gc.alloc.rate.norm)|thread CPU" /tmp/hK/$N.txt
