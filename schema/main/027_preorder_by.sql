-- 027_preorder_by.sql -- the sweep, third step (issue 12): which rule made an order a pre-order, so that MID-PRE-01
-- (CFG_SPLIT_PREORDER, docs/decisions.md D-MID-22) splits what a stock or keyword pre-order can ship now and leaves a
-- pre-order the shop or the CS remark asked for whole.
ALTER TABLE sales_trade
  ADD COLUMN IF NOT EXISTS preorder_by VARCHAR(16) NOT NULL DEFAULT ''
    COMMENT 'rule that made it a pre-order (19/25): SUB-CFG-03 shop or CS remark, SUB-CFG-05 keyword, SUB-PRE-01 short stock; '''' none or unknown';
