#!/bin/bash
# Issue 3: a run over a large backlog; a second `run` while it runs (early, and after the lease's
# at-most-for of 30 s has passed) must exit 75 and change nothing; then kill -9 the first mid-run,
# `restart --last-failed` while the dead lease is still valid (75), and after it expired (same
# instance, finished). Run after gen_backlog.py was loaded and dumped (see README.md here).
set -uo pipefail
cd "$(dirname "$0")"; source ./env.sh
log() { echo "$(date +%T.%3N) $*"; }
q() { sql -N -e "$1"; }
LEASE=--reconciler.lock.at-most-for=30s
cd work
max_exec_before=$(q "select coalesce(max(JOB_EXECUTION_ID),0) from BATCH_JOB_EXECUTION")
t_start=$(date +%s)
java -jar "$JAR" run $LEASE > ../out/r1.out 2> ../out/r1.err &
R1=$!; log "R1 (run) started, pid $R1; executions so far: $max_exec_before"
until [ "$(q "select count(*) from BATCH_STEP_EXECUTION s where s.JOB_EXECUTION_ID > $max_exec_before and s.STEP_NAME='reconcile' and s.STATUS='STARTED'")" = 1 ]; do
  kill -0 $R1 2>/dev/null || { log "R1 ended before its reconcile step was seen"; break; }; sleep 0.5; done
E1=$(q "select max(JOB_EXECUTION_ID) from BATCH_JOB_EXECUTION")
log "R1 is execution $E1, reconcile STARTED; lease: $(q "select concat(locked_by,' until ',lock_until,' (db utc now ',UTC_TIMESTAMP(3),')') from shedlock")"
sleep 2
log "R2a: a second run now"
( t=$(date +%s.%N); java -jar "$JAR" run $LEASE > ../out/r2a.out 2> ../out/r2a.err; rc=$?
  echo "$(date +%T.%3N) R2a exit $rc after $(echo "$(date +%s.%N) - $t" | bc) s: $(cat ../out/r2a.out)" ) &
W2A=$!
sleep $(( 40 - ($(date +%s) - t_start) > 0 ? 40 - ($(date +%s) - t_start) : 0 ))
log "R2b: a second run at +$(( $(date +%s) - t_start )) s (its lease attempt comes after its start-up)"
( t=$(date +%s.%N); java -jar "$JAR" run $LEASE > ../out/r2b.out 2> ../out/r2b.err; rc=$?
  echo "$(date +%T.%3N) R2b exit $rc after $(echo "$(date +%s.%N) - $t" | bc) s: $(cat ../out/r2b.out)" ) &
W2B=$!
while kill -0 $W2A 2>/dev/null || kill -0 $W2B 2>/dev/null; do
  log "  lease $(q "select concat(locked_by,' until ',lock_until,', db utc now ',UTC_TIMESTAMP(3)) from shedlock"); reconcile read $(q "select READ_COUNT from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID=$E1 and STEP_NAME='reconcile'")"
  sleep 5; done
wait $W2A $W2B
log "executions created after R1's: $(q "select count(*) from BATCH_JOB_EXECUTION where JOB_EXECUTION_ID > $E1") (must be 0)"
log "notification rows by job_execution_id since R1: $(q "select group_concat(concat(job_execution_id,'=',n)) from (select job_execution_id, count(*) n from order_notifications where job_execution_id >= $E1 group by job_execution_id) x")"
steps=$(q "select group_concat(concat(STEP_NAME,':',STATUS,' read ',READ_COUNT,' commits ',COMMIT_COUNT)) from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID=$E1")
log "kill -9 R1 at +$(( $(date +%s) - t_start )) s; R1 steps: $steps"
kill -9 $R1; wait $R1 2>/dev/null; log "R1 exit status $?"
log "after the kill: execution $E1 is $(q "select STATUS from BATCH_JOB_EXECUTION where JOB_EXECUTION_ID=$E1"); steps $(q "select group_concat(concat(STEP_NAME,':',STATUS,' read ',READ_COUNT,' write ',WRITE_COUNT,' commits ',COMMIT_COUNT)) from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID=$E1")"
log "reconcile step context: $(q "select c.SHORT_CONTEXT from BATCH_STEP_EXECUTION_CONTEXT c join BATCH_STEP_EXECUTION s on s.STEP_EXECUTION_ID=c.STEP_EXECUTION_ID where s.JOB_EXECUTION_ID=$E1 and s.STEP_NAME='reconcile'")"
log "orders still processing: $(q "select count(*) from orders where order_status='processing'"); claimed notifications: $(q "select count(*) from order_notifications where claimed_by is not null")"
log "restart --last-failed while the dead lease is valid:"
java -jar "$JAR" restart --last-failed $LEASE > ../out/restart_early.out 2> ../out/restart_early.err; log "exit $? : $(cat ../out/restart_early.out)"
until [ "$(q "select lock_until < UTC_TIMESTAMP(3) from shedlock")" = 1 ]; do sleep 1; done
log "lease expired: $(q "select concat(locked_by,' until ',lock_until) from shedlock")"
t=$(date +%s)
java -jar "$JAR" restart --last-failed $LEASE > ../out/restart.out 2> ../out/restart.err; rc=$?
log "restart --last-failed exit $rc after $(( $(date +%s) - t )) s: $(cat ../out/restart.out)"
sql -e "select JOB_EXECUTION_ID, JOB_INSTANCE_ID, STATUS, EXIT_CODE, LEFT(EXIT_MESSAGE,150) msg, START_TIME, END_TIME from BATCH_JOB_EXECUTION where JOB_EXECUTION_ID >= $E1"
sql -e "select STEP_EXECUTION_ID, JOB_EXECUTION_ID, STEP_NAME, STATUS, READ_COUNT, FILTER_COUNT, WRITE_COUNT, COMMIT_COUNT, ROLLBACK_COUNT, START_TIME, END_TIME from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID >= $E1"
sql -e "select name, locked_by, locked_at, lock_until, lock_until > UTC_TIMESTAMP(3) held from shedlock"
