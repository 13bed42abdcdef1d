-- 040_event_ids.sql -- two more columns of event ids (found 2026-12-02 reading the day's changes, D-RT-5, D-RT-7):
-- 1. stock_change_log.event_id was VARCHAR(64), while an event id runs to 100 characters on a raw trade and 128 on
--    trade.changed: a submission or a change with a longer id that moved stock failed (1406 in strict mode) and was
--    dead-lettered as its row's fault. 128 now, as every other column of event ids.
-- 2. outbox.event_id, unique, compared without regard to case (the default collation of ascii) as processed_event was:
--    the TradeChange ("tc-" + id) and the order event ("oc-" + id) of a raw event "X" were dropped by INSERT IGNORE
--    when those of an "x" were there. Byte for byte now.
ALTER TABLE stock_change_log
  MODIFY COLUMN event_id VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'processed event that caused the change ('''' if none)';
ALTER TABLE outbox MODIFY COLUMN event_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
