#!/usr/bin/env bash
# recon4: runs back to back under one hold of the bench lock
export BENCH_STOCK_DIR=/work/main/target/bench/stock-mariadb
run() { # dir size out
  cd "$1" && echo "== $(date -u +%T) $1 $(git rev-parse --short HEAD) size $2 load $(cat /proc/loadavg)"
  jobs/bench --stock --sizes "$2" --scenarios floor,job --no-explain --out "$3" 2>&1 | grep -E "^(floor|job reconcile)|done in"
  echo "== $(date -u +%T) end load $(cat /proc/loadavg)"
}
run /work/wt/recon4-bench 200000 target/bench-new200k
run /work/wt/recon4-bench 1000000 target/bench-new1m
run /work/wt/recon4-base 1000000 target/bench-base1m
run /work/wt/recon4-base 200000 target/bench-base200k
run /work/wt/recon4-base 1000000 target/bench-base1m-2
run /work/wt/recon4-bench 1000000 target/bench-new1m-2
