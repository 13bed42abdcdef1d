-- 020_delivery_claim.sql -- delivery worker (issue 4): the event that holds a delivery's claim (a duplicate
-- notify or a stale copy does nothing, DLV-2), and the order of a dead letter (ordctl dlq list --order).
ALTER TABLE delivery
  ADD COLUMN IF NOT EXISTS event_id VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'DeliveryRequest event holding the claim (DLV-2)' AFTER idempotency_key;
ALTER TABLE dead_letter
  ADD COLUMN IF NOT EXISTS order_id VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'order of the message, when its topic is keyed by order id' AFTER msg_key,
  ADD KEY IF NOT EXISTS idx_order (order_id);
