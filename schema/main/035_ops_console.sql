-- 035_ops_console.sql -- the ops console (issue 15): its "what moved in the last minutes" chart counts the order log
-- rows of the last 15 minutes by minute; this index makes that a range read instead of a scan of the whole log.
ALTER TABLE sales_trade_log ADD KEY IF NOT EXISTS idx_created (created_at);
