-- 023_api_goods_spec_modified_at.sql -- the catalogue's refresh reads MAX(modified_at) of api_goods_spec every
-- OF_CATALOG_REFRESH_S, and after a change the rows modified since the previous read (D-T10-32): an index makes both
-- a range read instead of a scan of every platform goods row (issue 10).
ALTER TABLE api_goods_spec ADD KEY ix_modified_at (modified_at);
