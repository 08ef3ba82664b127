-- What the send step knows about each delivery of a notification, so that no failure (a crash,
-- a reply to the end of data that never came, a dropped connection) can make it send a third copy.
--   delivery_started_at: set in the statement that charges an attempt, right before a delivery is
--           really tried; cleared when its result is recorded. Still set on a row whose sender is
--           gone: that delivery's outcome is unknown.
--   uncertain_deliveries: deliveries whose outcome is unknown (the server may have the message).
--           One more delivery is allowed after the first; after the second the row is 'failed'
--           for an operator to decide.
--   claim_execution_id: the job execution whose sender holds the claim; once that execution no
--           longer runs, the next run gives the claim back at once instead of after claim-timeout.
ALTER TABLE order_notifications ADD COLUMN delivery_started_at DATETIME(3) NULL;
ALTER TABLE order_notifications ADD COLUMN claim_execution_id BIGINT NULL;
ALTER TABLE order_notifications ADD COLUMN uncertain_deliveries INT NOT NULL DEFAULT 0;
