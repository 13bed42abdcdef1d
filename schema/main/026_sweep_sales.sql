-- 026_sweep_sales.sql -- the sweep, second step (issue 12): whether an order's lines are in today's sales already
-- (MID-SLS-01 counts them once, also when trade-modify sends an order back to pre-processing, D-MID-8), and the index
-- trade-modify reads the orders split off a trade's order by (D-MID-17).
ALTER TABLE sales_trade
  ADD COLUMN IF NOT EXISTS sales_counted TINYINT UNSIGNED NOT NULL DEFAULT 0
    COMMENT '1: its lines are counted in stat_daily_sales (MID-SLS-01, set when it leaves pre-processing)',
  ADD KEY IF NOT EXISTS idx_split_from (split_from_trade_id);
-- orders past pre-processing before this column existed: never counted again
UPDATE sales_trade SET sales_counted = 1 WHERE trade_status BETWEEN 25 AND 95 AND trade_status <> 27;
