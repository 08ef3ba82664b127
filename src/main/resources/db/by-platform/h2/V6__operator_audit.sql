-- The audit trail of operator actions, appended only (see db/by-platform/mysql/V6). Owned by
-- audit/AuditTrail.
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
);
