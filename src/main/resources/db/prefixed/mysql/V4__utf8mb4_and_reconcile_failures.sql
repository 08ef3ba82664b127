-- The same as db/original (or db/platform) for an install with reconciler.table-prefix or
-- spring.batch.jdbc.table-prefix set: every name of the reconciler's is a placeholder.
-- The reconciler's own tables hold the shop's text (order codes, recipients, error messages) in
-- utf8mb4, whatever the database's default character set: V1 to V3 created them with the
-- default, which on a latin1 database cannot store a CJK order code or a non-ASCII address.
-- utf8mb4_unicode_ci exists on MySQL 5.7, 8 and MariaDB alike.
ALTER TABLE ${table_prefix}order_notifications CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${table_prefix}shedlock CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_INSTANCE CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_EXECUTION CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_EXECUTION_PARAMS CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}STEP_EXECUTION CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}STEP_EXECUTION_CONTEXT CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_EXECUTION_CONTEXT CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}STEP_EXECUTION_SEQ CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_EXECUTION_SEQ CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE ${batch_prefix}JOB_INSTANCE_SEQ CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Orders whose write the database refused (a trigger, a value it cannot store): each was left
-- processing without notification while the rest of its chunk was written. One row per order
-- until it is completed or leaves processing; `status` lists them. Owned by
-- reconcile/WriteFailures.
CREATE TABLE ${table_prefix}reconcile_failures (
  order_id         BIGINT        NOT NULL PRIMARY KEY,
  order_code       VARCHAR(64)   NOT NULL,
  last_error       VARCHAR(1000) NOT NULL,
  failures         INT           NOT NULL DEFAULT 1,
  first_failed_at  DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_failed_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  job_execution_id BIGINT        NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
