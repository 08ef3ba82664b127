#!/bin/bash
# Issue 3, second kill: kill -9 a run in its send step, with a 2-minute lease and a 60 s claim
# timeout; `restart --last-failed` and `run` while the dead lease is still valid must exit 75 and
# say until when; `status` must show the holder; after expiry `restart --last-failed` finishes the
# same instance. Run after gen_backlog.py --prefix BM ... was loaded and dumped.
set -uo pipefail
cd "$(dirname "$0")"; source ./env.sh
log() { echo "$(date +%T.%3N) $*"; }
q() { sql -N -e "$1"; }
OPTS="--reconciler.lock.at-most-for=2m --reconciler.mail.claim-timeout=60s"
cd work
max_exec_before=$(q "select coalesce(max(JOB_EXECUTION_ID),0) from BATCH_JOB_EXECUTION")
sent_before=$(q "select count(*) from order_notifications where status='sent'")
java -jar "$JAR" run $OPTS > ../out/k2_r1.out 2> ../out/k2_r1.err &
R1=$!; log "R1 started, pid $R1"
until [ "$(q "select count(*) from order_notifications where status='sent'")" -ge $((sent_before + 1500)) ]; do
  kill -0 $R1 2>/dev/null || { log "R1 ended early"; break; }; sleep 0.3; done
E1=$(q "select max(JOB_EXECUTION_ID) from BATCH_JOB_EXECUTION")
log "kill -9 R1 (execution $E1) in its send step: $(q "select group_concat(concat(STEP_NAME,':',STATUS,' read ',READ_COUNT,' write ',WRITE_COUNT)) from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID=$E1")"
kill -9 $R1; wait $R1 2>/dev/null; log "R1 exit status $?"
log "mailbox: $(ls ../out/mail/*.eml | wc -l) messages; claimed notifications: $(q "select group_concat(concat(order_code,' attempts ',attempts,' until ',claimed_until)) from order_notifications where claimed_by is not null")"
log "lease: $(q "select concat(locked_by,' until ',lock_until,', db utc now ',UTC_TIMESTAMP(3)) from shedlock")"
java -jar "$JAR" restart --last-failed $OPTS > ../out/k2_restart_early.out 2> ../out/k2_restart_early.err; log "restart --last-failed (lease still valid): exit $? : $(cat ../out/k2_restart_early.out)"
java -jar "$JAR" run $OPTS > ../out/k2_run_early.out 2> ../out/k2_run_early.err; log "run (lease still valid): exit $? : $(cat ../out/k2_run_early.out)"
java -jar "$JAR" status > ../out/k2_status_dead.out 2> /dev/null; log "status while the dead lease is valid (exit $?):"; cat ../out/k2_status_dead.out
log "executions after E1: $(q "select count(*) from BATCH_JOB_EXECUTION where JOB_EXECUTION_ID > $E1") (must be 0)"
until [ "$(q "select lock_until < UTC_TIMESTAMP(3) from shedlock")" = 1 ]; do sleep 1; done
log "lease expired"
java -jar "$JAR" restart --last-failed $OPTS > ../out/k2_restart.out 2> ../out/k2_restart.err; log "restart --last-failed: exit $? : $(cat ../out/k2_restart.out)"
sql -e "select JOB_EXECUTION_ID, JOB_INSTANCE_ID, STATUS, EXIT_CODE, START_TIME, END_TIME from BATCH_JOB_EXECUTION where JOB_EXECUTION_ID >= $E1"
sql -e "select STEP_EXECUTION_ID, JOB_EXECUTION_ID, STEP_NAME, STATUS, READ_COUNT, WRITE_COUNT, COMMIT_COUNT from BATCH_STEP_EXECUTION where JOB_EXECUTION_ID >= $E1"
sql -e "select status, count(*), sum(claimed_by is not null) claimed, max(attempts) from order_notifications group by status"
log "mailbox: $(ls ../out/mail/*.eml | wc -l) messages"
