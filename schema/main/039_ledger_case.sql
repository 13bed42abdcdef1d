-- 039_ledger_case.sql -- D-RT-7 (found 2026-12-02 reading trade-modify's failure paths): the processed-event ledger
-- compared event ids and consumer groups without regard to case (ascii_general_ci, the default of ascii), while each
-- worker's check for copies within a batch, Redis's dedupe keys and Kafka's group names are case-sensitive. Two
-- events "tc-x" and "tc-X" in one batch of trade-modify were both applied, and their ledger insert then failed as a
-- duplicate on every run of the batch (its partition stuck); in two batches the second was skipped as a replay.
-- Ids are now compared byte for byte. Rows that were distinct stay distinct (no duplicate can appear); the primary
-- key is rebuilt (the table is copied).
ALTER TABLE processed_event
  MODIFY COLUMN consumer VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'consumer group / worker name',
  MODIFY COLUMN event_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
