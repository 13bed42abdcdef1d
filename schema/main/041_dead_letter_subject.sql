-- 041_dead_letter_subject.sql -- what a dead letter is about, as the worker that gave up read it (D-DLQ-3): the
-- original's event id and its subject ("tid:<platform trade id>", "order:<id>", "user:<id>"), so that
-- `ordctl dlq list --about tid:T1001` finds a trade's dead letters whatever its topic is keyed by.
ALTER TABLE dead_letter
  ADD COLUMN IF NOT EXISTS event_id VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'the original message''s event id, when the worker read it' AFTER order_id,
  ADD COLUMN IF NOT EXISTS subject VARCHAR(100) NOT NULL DEFAULT '' COMMENT 'what it is about: tid:…, order:…, user:… ('''' when unread)' AFTER event_id,
  ADD KEY IF NOT EXISTS idx_subject (subject);
