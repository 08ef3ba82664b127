-- The same as db/original (or db/platform) for an install with reconciler.table-prefix or
-- spring.batch.jdbc.table-prefix set: every name of the reconciler's is a placeholder.
-- H2 (the demo) stores every text column as Unicode already; only the table of orders whose
-- write the database refused is new (see db/platform/mysql/V4). Owned by reconcile/WriteFailures.
CREATE TABLE ${table_prefix}reconcile_failures (
  order_id         BIGINT        NOT NULL PRIMARY KEY,
  order_code       VARCHAR(64)   NOT NULL,
  last_error       VARCHAR(1000) NOT NULL,
  failures         INT           NOT NULL DEFAULT 1,
  first_failed_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_failed_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  job_execution_id BIGINT        NULL
);
