-- 012_submission.sql -- what the submission (trade-rules §3) records on the raw trade: the rule that stopped it,
-- why, and the decision trace (`ordctl explain`); the order number is derived from the raw trade so that a
-- second submission of the same raw trade cannot create a second order (uk_trade_no).
ALTER TABLE api_trade
  ADD COLUMN IF NOT EXISTS submit_rule    VARCHAR(24)  NOT NULL DEFAULT '' COMMENT 'rule ID that stopped the submission, '''' = submitted or not tried' AFTER prompt_warehouse_id,
  ADD COLUMN IF NOT EXISTS submit_reason  VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'why, in words (also logged)' AFTER submit_rule,
  ADD COLUMN IF NOT EXISTS decision_trace JSON NULL COMMENT 'rule trace of the last submission attempt' AFTER submit_reason,
  ADD COLUMN IF NOT EXISTS submitted_at   DATETIME(3) NULL COMMENT 'when the submission ran' AFTER decision_trace;

ALTER TABLE sales_trade
  ADD COLUMN IF NOT EXISTS event_id VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'raw-trade event that created the order' AFTER decision_trace;
