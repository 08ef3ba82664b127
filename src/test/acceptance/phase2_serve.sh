#!/bin/bash
# Issue 3, serve: cron every 5 s, Actuator on 18081, orders added in waves while it runs, the SMTP
# sink's 550 lifted and the refused notifications queued again with the runbook's SQL, then SIGTERM
# while a run is sending. Run after phase1_issue2.sh (same database, same mailbox).
set -uo pipefail
cd "$(dirname "$0")"; source ./env.sh
log() { echo "$(date +%T.%3N) $*"; }
health() { curl -s -m 5 127.0.0.1:18081/actuator/health; echo; }
cd work
java -jar "$JAR" serve '--reconciler.cron=*/5 * * * * *' --management.server.port=18081 \
     > ../out/serve.out 2> ../out/serve.err &
SERVE=$!; echo $SERVE > ../out/serve.pid
log "serve started, pid $SERVE"
cd ..
for i in $(seq 1 60); do curl -s -m 1 -o /dev/null 127.0.0.1:18081/actuator/health && break; sleep 0.5; done
log "health (sink still refuses bounce@example.com; 2 notifications failed after a send attempt):"; health
./wave.sh W1 0.05 1 10001 100001
sleep 8
log "notifications now: $(sql -N -e "select group_concat(concat(status,'=',n)) from (select status,count(*) n from order_notifications group by status) x")"
log "lifting the 550: restarting the sink without --reject-rcpt"
kill "$(cat out/smtp_sink.pid)"; sleep 0.5
nohup python3 smtp_sink.py --port 2525 --dir out/mail > out/smtp_sink2.log 2>&1 & echo $! > out/smtp_sink.pid
sleep 0.5
log "queueing the refused notifications again with jobs/README.md's SQL"
sql -e "UPDATE order_notifications o JOIN orders s ON s.id = o.order_id
           SET o.recipient = s.user_email, o.status = 'queued', o.attempts = 0, o.last_error = NULL
         WHERE o.order_code LIKE '%-BOUNCE-%' AND o.status = 'failed'; SELECT ROW_COUNT() AS requeued;"
./wave.sh W2 0.05 2 20001 200001
sleep 10
log "health:"; health
curl -s -m 5 127.0.0.1:18081/actuator/prometheus > out/prometheus.txt
log "prometheus: $(wc -l < out/prometheus.txt) lines, spring_batch_job series:"
grep -E '^spring_batch_job' out/prometheus.txt | head -20
grep -E '^reconciler_' out/prometheus.txt
log "wave W3 (about 750 emails), then SIGTERM while its run is sending"
./wave.sh W3 0.5 3 30001 300001
for i in $(seq 1 100); do
  s=$(sql -N -e "select count(*) from BATCH_STEP_EXECUTION where STEP_NAME='send' and STATUS='STARTED'")
  q=$(sql -N -e "select count(*) from order_notifications where status='queued'")
  [ "$s" -gt 0 ] && [ "$q" -gt 100 ] && break
  sleep 0.2
done
log "send step running, $q queued; SIGTERM to $SERVE"
t0=$(date +%s.%N); kill -TERM $SERVE; wait $SERVE; rc=$?; t1=$(date +%s.%N)
log "serve exited with $rc after $(echo "$t1 - $t0" | bc) s"
sql -e "SELECT JOB_EXECUTION_ID, JOB_INSTANCE_ID, STATUS, EXIT_CODE, LEFT(EXIT_MESSAGE,120) msg, START_TIME, END_TIME FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID"
sql -e "SELECT STEP_EXECUTION_ID, JOB_EXECUTION_ID, STEP_NAME, STATUS, READ_COUNT, WRITE_COUNT, COMMIT_COUNT FROM BATCH_STEP_EXECUTION WHERE STATUS <> 'COMPLETED'"
sql -e "SELECT name, locked_by, locked_at, lock_until, lock_until > UTC_TIMESTAMP(3) AS held FROM shedlock"
sql -e "SELECT status, count(*), sum(claimed_by is not null) claimed FROM order_notifications GROUP BY status"
