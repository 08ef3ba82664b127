-- Indexes for the operator's reads on a big outbox: each turns a scan of every
-- notification into a look-up of the few rows it asks for.
-- status: the oldest queued notification (MIN(created_at) of the queued ones, read off the index).
CREATE INDEX ${table_prefix}idx_order_notifications_status_created ON ${table_prefix}order_notifications (status, created_at);
-- status and the console: notifications with a delivery of unknown outcome (few, among all, read
-- status by status); requeue's count of what it would take and leave out, from the index alone.
CREATE INDEX ${table_prefix}idx_order_notifications_status_uncertain ON ${table_prefix}order_notifications (status, uncertain_deliveries);
-- explain <code> and requeue <code>: a notification by its order's code.
CREATE INDEX ${table_prefix}idx_order_notifications_order_code ON ${table_prefix}order_notifications (order_code);
