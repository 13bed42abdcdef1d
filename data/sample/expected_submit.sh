# expected_submit.sh -- what the sample raw trades become (sourced by tests/integration/it_submit.sh and
# it_submit_crash.sh), with OF_PLATFORM_NOW fixed after every sample time so no delay is still running.
# Each value was reviewed against the rules: see docs/sample-outcomes.md.
export OF_PLATFORM_NOW="2026-11-23 00:00:00"
EXPECT_STATUSES="10:57,12:10,19:11,20:171"
EXPECT_STOPS="SUB-CNT-01:6,SUB-MAP-04:2,SUB-MAP-09:8,SUB-TYPE-01:35"
EXPECT_STOCK="190,465,46"
EXPLAIN_TID=TB2026112000001
# Orders whose decisions do not depend on the order other buyers' trades arrive in (stock tiers do: two
# trades of different buyers on different partitions compete for the same stock, so SUB-WH-06 choices are
# checked by the unit tests and the invariants, not pinned here). Columns: status warehouse logistics
# logistics_by package post_cost area_alias.
EXPECT_ORDERS=(
  "TB2026112000001|20 2 1 2 2 18.0000 长沙市岳麓区"   # SUB-WH-04 one covering warehouse; SF from the CS remark 顺丰
  "JD2026112100010|20 3 3 1 2 19.0000 北京市海淀区"   # SUB-WH-12 CS remark 北京仓 beats warehouse_no GZ-01; COD → EMS
  "PDD2026112000025|20 4 2 1 1 5.0000 郑州市金水区"   # SUB-WH-01 raw warehouse WMS-CN-01 (type 1); ZTO by strategy
  "JD2026112100016|20 3 1 1 1 12.0000 南京市鼓楼区"   # SUB-WH-01 raw warehouse BJ-01; JD shop logistics SF
  "TB2026112100026|19 1 3 1 1 10.0000 南京市鼓楼区"   # SUB-CFG-05 keyword 普洱 + 357g → pre-order 19; COD → EMS
  "TB2026112000023|19 2 1 1 2 18.0000 粤B 南山"      # SUB-CFG-05 keyword 预售; SUB-ALIAS-01 alias row 粤B 南山
)
# orders, lines, orders per status, reserved unpay,order,subscribe (it_submit_crash.sh)
EXPECTED_OUTCOME="249 428 $EXPECT_STATUSES 190,465,46"
