-- The outbox: one row per order the reconciler completed, written in the same transaction as
-- the order's move to 'completed'. order_id is the business key: one notification per order, ever.
--   status: queued -> sent | failed, or skipped (backlog past reconciler.mail.max-age) / failed
--           (no valid recipient) straight away.
--   claimed_by / claimed_until: a sender's claim, taken atomically before an SMTP send, so that
--           two senders never send the same notification; a claim of a dead sender expires.
CREATE TABLE order_notifications (
  id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id         BIGINT        NOT NULL,
  order_code       VARCHAR(32)   NOT NULL,
  recipient        VARCHAR(255)  NULL,
  status           VARCHAR(16)   NOT NULL,
  attempts         INT           NOT NULL DEFAULT 0,
  last_error       VARCHAR(1000) NULL,
  message_id       VARCHAR(255)  NULL,
  claimed_by       VARCHAR(255)  NULL,
  claimed_until    DATETIME(3)   NULL,
  job_execution_id BIGINT        NULL,
  created_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  sent_at          DATETIME(3)   NULL,
  CONSTRAINT uk_order_notifications_order UNIQUE (order_id),
  CONSTRAINT ck_order_notifications_status CHECK (status IN ('queued', 'sent', 'failed', 'skipped'))
);

CREATE INDEX idx_order_notifications_status_id ON order_notifications (status, id);
