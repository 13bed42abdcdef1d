-- 037_trace_compressed.sql -- issue 10 (D-T10-62): sales_trade's decision trace is stored compressed. A trade's
-- trace is ~4.8 kB of JSON (its rule IDs and values) and was a fifth of the server's time per submitted trade
-- (written, checked by JSON_VALID, logged in the redo log); compressed by the writer (zlib, in MariaDB's COMPRESS()
-- format) it is ~1.7 kB and needs no check. decision_trace stays readable as before: a virtual column, the JSON
-- UNCOMPRESS() gives back, computed when read (never stored).
-- Upgrade: stop trade-submit, trade-modify and the sweep (the writers of the trace) before this migration and start
-- the new binaries after it (docs/operations.md, "Schema changes"). Each statement can run again after a failure:
-- the copy only fills rows still without decision_trace_z, and the column swap is one ALTER.
ALTER TABLE sales_trade
  ADD COLUMN IF NOT EXISTS decision_trace_z LONGBLOB NULL
    COMMENT 'the decision trace (rule IDs and values) in COMPRESS() format: written by the worker, read as decision_trace'
    AFTER decision_trace;
UPDATE sales_trade SET decision_trace_z = COMPRESS(decision_trace)
  WHERE decision_trace IS NOT NULL AND decision_trace_z IS NULL;
ALTER TABLE sales_trade
  DROP COLUMN decision_trace,
  ADD COLUMN decision_trace LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    AS (CONVERT(UNCOMPRESS(decision_trace_z) USING utf8mb4)) VIRTUAL
    COMMENT 'rule IDs and values behind the last decision (JSON): decision_trace_z uncompressed when read'
    AFTER decision_trace_z;
