# expected_submit.sh -- what the sample raw trades become (sourced by tests/integration/it_submit.sh and
# it_submit_crash.sh), with OF_PLATFORM_NOW fixed after every sample time so no delay is still running.
# Each value was reviewed against the rules: see docs/sample-outcomes.md.
export OF_PLATFORM_NOW="2026-11-23 00:00:00"
EXPECT_STATUSES="TBD"
EXPECT_WAREHOUSES="TBD"
EXPECT_STOPS="TBD"
EXPECT_STOCK="TBD"
EXPLAIN_TID=TB2026112000001
EXPECT_ORDERS=(
  "TB2026112000001|st.logistics_id|1"
  "TB2026112000001|st.logistics_by|2"
)
