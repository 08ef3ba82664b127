-- The audit trail: one row per operator action (requeue, stop, abandon, restart), from the
-- command line or the console. Rows are only ever appended: no statement of the reconciler
-- updates or deletes them. Owned by audit/AuditTrail.
--   acted_at:     when, on the database's clock, in UTC (UTC_TIMESTAMP(3))
--   actor:        the OS user of the command line, or the console account
--   channel:      'cli' or 'console'
--   action:       'requeue', 'stop', 'abandon', 'restart'
--   target:       the order codes, or the filter, or the execution
--   execution_id: the execution acted on (stop, abandon, restart)
--   affected:     rows changed (requeue: notifications put back in the queue)
--   outcome:      the line the operator was shown
--   reason:       the operator's own words (--reason, or the console's reason field), if any
CREATE TABLE ${table_prefix}reconciler_audit (
  id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  acted_at     DATETIME(3)   NOT NULL,
  actor        VARCHAR(255)  NOT NULL,
  channel      VARCHAR(16)   NOT NULL,
  action       VARCHAR(32)   NOT NULL,
  target       VARCHAR(2000) NOT NULL,
  execution_id BIGINT        NULL,
  affected     BIGINT        NULL,
  outcome      VARCHAR(2000) NOT NULL,
  reason       VARCHAR(1000) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
