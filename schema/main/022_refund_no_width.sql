-- 022_refund_no_width.sql -- a temporary refund's number is 'TMP-' + tid (+ '-' + oid): with a tid of up to 64
-- characters it did not fit VARCHAR(64) (mysql 1406 dead-lettered a valid trade with a refund). 4 + 64 + 1 + 64.
ALTER TABLE api_refund MODIFY refund_no VARCHAR(133) NOT NULL COMMENT 'platform refund number, temporary refunds use ''TMP-'' + tid (+ ''-'' + oid)';
