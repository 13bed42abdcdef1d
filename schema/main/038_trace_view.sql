-- 038_trace_view.sql -- issue 11 (D-T10-69): the decision trace's JSON is read through a view, not a virtual column.
-- MariaDB computes every virtual column of a row it inserts, and of the row an INSERT ... ON DUPLICATE KEY UPDATE
-- finds, whether or not the statement reads it: with sales_trade.decision_trace (the JSON that UNCOMPRESS() gives
-- back from decision_trace_z, ~4.8 kB) each order trade-submit inserts and each order trade-modify submits again
-- was uncompressed and copied on the server for nothing (~160 of ~380 us a re-submitted row on the development
-- machine). The JSON is now sales_trade_trace.decision_trace, computed only when someone reads it.
-- Dropping a virtual column changes no row (no rebuild). Readers of sales_trade.decision_trace move to the view
-- (ordctl explain among them); writers are unchanged (they write decision_trace_z).
ALTER TABLE sales_trade DROP COLUMN IF EXISTS decision_trace;
CREATE OR REPLACE SQL SECURITY INVOKER VIEW sales_trade_trace AS
  SELECT trade_id, CONVERT(UNCOMPRESS(decision_trace_z) USING utf8mb4) COLLATE utf8mb4_bin AS decision_trace
  FROM sales_trade;
