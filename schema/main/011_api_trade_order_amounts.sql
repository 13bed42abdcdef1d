-- 011_api_trade_order_amounts.sql -- the sub-order amounts trade-rules §7.2 names that 001 lacked:
-- order_price (deal price) and share_amount (shared total), used by SUB-MAP-14/15/17/22.
ALTER TABLE api_trade_order
  ADD COLUMN IF NOT EXISTS order_price  DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'deal price (成交价)' AFTER price,
  ADD COLUMN IF NOT EXISTS share_amount DECIMAL(19,4) NOT NULL DEFAULT 0 COMMENT 'shared total after discounts (分摊后总价)' AFTER total_amount;
