-- Views for monitoring: what a DBA's query or a Grafana MySQL data source needs, without knowing
-- Spring Batch's schema or the shop's rules. They are a stable interface (README, "Monitoring
-- views"): columns are only ever added. Every age is measured on the database's clock.
--
-- The rules below assume reconciler.terminal-task-statuses at its default (completed, failed)
-- and reconciler.stuck-task-after at its default (24 hours); a view cannot read configuration.
-- Statuses compare exactly (BINARY), as the reconciler compares them.
--
-- Execution contexts are JSON since 0.7.0 ({"reconcile.completed":["java.lang.Long",12],...});
-- an execution written by 0.6.0 holds Java serialisation (rO0AB...), for which the counters are
-- NULL rather than an error (JSON_VALID first: MySQL refuses to parse text that is not JSON).
-- JSON_EXTRACT rather than JSON_VALUE: the same on MySQL 5.7, 8 and MariaDB.
-- Table and view names carry the table_prefix and batch_prefix placeholders (reconciler.table-prefix
-- and spring.batch.jdbc.table-prefix).

-- One row per execution of orderCompletionJob: its outcome, what launched it, and its two
-- steps' figures. A counter is 0 when the step did not count it, NULL when the step did not run
-- or its context is in 0.6.0's form. Durations in seconds; NULL while running.
CREATE OR REPLACE VIEW ${table_prefix}reconciler_executions AS
SELECT e.JOB_EXECUTION_ID AS execution_id,
       e.JOB_INSTANCE_ID AS instance_id,
       CAST(prun.PARAMETER_VALUE AS SIGNED) AS run_id,
       e.STATUS AS status,
       e.EXIT_CODE AS exit_code,
       e.EXIT_MESSAGE AS exit_message,
       e.CREATE_TIME AS created_at,
       e.START_TIME AS started_at,
       e.END_TIME AS ended_at,
       TIMESTAMPDIFF(MICROSECOND, e.START_TIME, e.END_TIME) / 1000000 AS duration_seconds,
       ptrigger.PARAMETER_VALUE AS launch_trigger,
       pnode.PARAMETER_VALUE AS launch_node,
       puser.PARAMETER_VALUE AS launch_user,
       r.STATUS AS reconcile_status,
       r.EXIT_CODE AS reconcile_exit_code,
       r.READ_COUNT AS reconcile_reads,
       r.FILTER_COUNT AS reconcile_filtered,
       r.WRITE_COUNT AS reconcile_writes,
       r.READ_SKIP_COUNT + r.PROCESS_SKIP_COUNT + r.WRITE_SKIP_COUNT AS reconcile_skips,
       r.COMMIT_COUNT AS reconcile_commits,
       r.ROLLBACK_COUNT AS reconcile_rollbacks,
       TIMESTAMPDIFF(MICROSECOND, r.START_TIME, r.END_TIME) / 1000000 AS reconcile_seconds,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.completed"[1]') AS SIGNED), 0) END AS orders_completed,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.stillOpen"[1]') AS SIGNED), 0) END AS orders_still_open,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.anomalies"[1]') AS SIGNED), 0) END AS orders_without_tasks,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.ordersWithUnknownTaskStatus"[1]') AS SIGNED), 0) END AS orders_with_unknown_task_status,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.changedBeforeWrite"[1]') AS SIGNED), 0) END AS orders_changed_before_write,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.writeFailures"[1]') AS SIGNED), 0) END AS orders_write_failed,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.notificationsQueued"[1]') AS SIGNED), 0) END AS notifications_queued,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.notificationsSkipped"[1]') AS SIGNED), 0) END AS notifications_skipped,
       CASE WHEN rc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(rc.ctx, '$."reconcile.noRecipient"[1]') AS SIGNED), 0) END AS notifications_without_recipient,
       s.STATUS AS send_status,
       s.EXIT_CODE AS send_exit_code,
       s.READ_COUNT AS send_reads,
       s.WRITE_COUNT AS send_writes,
       s.READ_SKIP_COUNT + s.PROCESS_SKIP_COUNT + s.WRITE_SKIP_COUNT AS send_skips,
       s.COMMIT_COUNT AS send_commits,
       s.ROLLBACK_COUNT AS send_rollbacks,
       TIMESTAMPDIFF(MICROSECOND, s.START_TIME, s.END_TIME) / 1000000 AS send_seconds,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.sent"[1]') AS SIGNED), 0) END AS emails_sent,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.failed"[1]') AS SIGNED), 0) END AS emails_failed,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.retryLater"[1]') AS SIGNED), 0) END AS emails_retry_later,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.uncertain"[1]') AS SIGNED), 0) END AS emails_uncertain,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.claimedElsewhere"[1]') AS SIGNED), 0) END AS emails_claimed_elsewhere,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.refused"[1]') AS SIGNED), 0) END AS emails_refused,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.notConnected"[1]') AS SIGNED), 0) END AS emails_not_connected,
       CASE WHEN sc.ctx IS NOT NULL THEN COALESCE(CAST(JSON_EXTRACT(sc.ctx, '$."send.leftQueued"[1]') AS SIGNED), 0) END AS emails_left_queued
  FROM ${batch_prefix}JOB_EXECUTION e
  JOIN ${batch_prefix}JOB_INSTANCE i
    ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID AND i.JOB_NAME = 'orderCompletionJob'
  LEFT JOIN ${batch_prefix}JOB_EXECUTION_PARAMS prun
    ON prun.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND prun.PARAMETER_NAME = 'run.id'
  LEFT JOIN ${batch_prefix}JOB_EXECUTION_PARAMS ptrigger
    ON ptrigger.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND ptrigger.PARAMETER_NAME = 'trigger'
  LEFT JOIN ${batch_prefix}JOB_EXECUTION_PARAMS pnode
    ON pnode.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND pnode.PARAMETER_NAME = 'node'
  LEFT JOIN ${batch_prefix}JOB_EXECUTION_PARAMS puser
    ON puser.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND puser.PARAMETER_NAME = 'user'
  LEFT JOIN ${batch_prefix}STEP_EXECUTION r
    ON r.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND r.STEP_NAME = 'reconcile'
  LEFT JOIN (SELECT STEP_EXECUTION_ID,
                    CASE WHEN JSON_VALID(COALESCE(SERIALIZED_CONTEXT, SHORT_CONTEXT))
                         THEN COALESCE(SERIALIZED_CONTEXT, SHORT_CONTEXT) END AS ctx
               FROM ${batch_prefix}STEP_EXECUTION_CONTEXT) rc
    ON rc.STEP_EXECUTION_ID = r.STEP_EXECUTION_ID
  LEFT JOIN ${batch_prefix}STEP_EXECUTION s
    ON s.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND s.STEP_NAME = 'send'
  LEFT JOIN (SELECT STEP_EXECUTION_ID,
                    CASE WHEN JSON_VALID(COALESCE(SERIALIZED_CONTEXT, SHORT_CONTEXT))
                         THEN COALESCE(SERIALIZED_CONTEXT, SHORT_CONTEXT) END AS ctx
               FROM ${batch_prefix}STEP_EXECUTION_CONTEXT) sc
    ON sc.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID;

-- The outbox by status: one row for each of queued, sent, failed and skipped (0 when none), with
-- the oldest row's creation and age. For queued, oldest_age_seconds is how long the oldest
-- undelivered email has waited.
CREATE OR REPLACE VIEW ${table_prefix}reconciler_outbox AS
SELECT st.status,
       COUNT(n.id) AS notifications,
       COALESCE(SUM(n.attempts), 0) AS attempts,
       COALESCE(SUM(n.uncertain_deliveries > 0), 0) AS with_uncertain_delivery,
       MIN(n.created_at) AS oldest_created_at,
       TIMESTAMPDIFF(SECOND, MIN(n.created_at), NOW(3)) AS oldest_age_seconds,
       MAX(n.updated_at) AS last_updated_at
  FROM (SELECT 'queued' AS status UNION ALL SELECT 'sent' UNION ALL SELECT 'failed' UNION ALL SELECT 'skipped') st
  LEFT JOIN ${table_prefix}order_notifications n ON n.status = st.status
 GROUP BY st.status;

-- The orders a run would complete now: processing, with at least one task, every task terminal
-- (completed or failed). The reconcile step re-checks each under locks when it writes.
CREATE OR REPLACE VIEW ${table_prefix}reconciler_completable_orders AS
SELECT o.id AS order_id,
       o.order_code,
       o.created_at AS order_created_at,
       (SELECT COUNT(*) FROM download_tasks t WHERE t.order_id = o.id) AS tasks,
       (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id) AS last_task_update,
       TIMESTAMPDIFF(SECOND, (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id), NOW(3))
           AS finished_for_seconds
  FROM orders o
 WHERE o.order_status = 'processing' AND BINARY o.order_status = 'processing'
   AND EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
   AND NOT EXISTS (SELECT 1 FROM download_tasks t
                    WHERE t.order_id = o.id
                      AND (t.status IS NULL OR BINARY t.status NOT IN ('completed', 'failed')));

-- Anomalies: processing orders without any task. The reconciler leaves them as they are.
CREATE OR REPLACE VIEW ${table_prefix}reconciler_anomalies AS
SELECT o.id AS order_id,
       o.order_code,
       o.created_at AS order_created_at,
       TIMESTAMPDIFF(SECOND, o.created_at, NOW(3)) AS age_seconds
  FROM orders o
 WHERE o.order_status = 'processing' AND BINARY o.order_status = 'processing'
   AND NOT EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id);

-- Stuck orders: processing orders waiting on a task that is not terminal and has not changed for
-- more than 24 hours. The order waits for the shop's workers, not for the reconciler.
CREATE OR REPLACE VIEW ${table_prefix}reconciler_stuck_orders AS
SELECT o.id AS order_id,
       o.order_code,
       COUNT(*) AS stuck_tasks,
       MIN(t.updated_at) AS oldest_task_update,
       TIMESTAMPDIFF(SECOND, MIN(t.updated_at), NOW(3)) AS stuck_for_seconds
  FROM orders o
  JOIN download_tasks t ON t.order_id = o.id
 WHERE o.order_status = 'processing' AND BINARY o.order_status = 'processing'
   AND (t.status IS NULL OR BINARY t.status NOT IN ('completed', 'failed'))
   AND t.updated_at < TIMESTAMPADD(HOUR, -24, NOW(3))
 GROUP BY o.id, o.order_code;
