-- The same as db/original (or db/platform) for an install with reconciler.table-prefix or
-- spring.batch.jdbc.table-prefix set: every name of the reconciler's is a placeholder.
-- ShedLock's lease table (column names fixed by ShedLock). Times are the database's own
-- (usingDbTime), so nodes with skewed clocks agree on who holds the lease.
CREATE TABLE ${table_prefix}shedlock (
  name       VARCHAR(64)  NOT NULL,
  lock_until TIMESTAMP(3) NOT NULL,
  locked_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  locked_by  VARCHAR(255) NOT NULL,
  PRIMARY KEY (name)
);
