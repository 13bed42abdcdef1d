/* test_unblock.c -- which stopped submissions a configuration change can unblock (of_unblock.h, issue 15 part 4). */
#include <criterion/criterion.h>
#include <string.h>
#include "of_unblock.h"

static size_t plan(const char *changed, of_unblock_step_t *out) {
    return of_unblock_plan(changed, out, 16);
}

Test(unblock, goods_mapped_unblocks_the_mapping_rules_per_trade) {
    of_unblock_step_t s[16];
    cr_assert_eq(plan("api_goods_spec", s), 1);
    cr_expect_str_eq(s[0].table, "api_goods_spec");
    cr_expect_eq(s[0].per_trade, 1); /* the trade's own platform goods, not the table's last change */
    cr_expect(strstr(s[0].rules, "SUB-MAP-09") != NULL);
    cr_expect(strstr(s[0].rules, "SUB-WH-11") == NULL);
}

Test(unblock, several_tables_in_the_fixed_order_unknown_ones_ignored) {
    of_unblock_step_t s[16];
    cr_assert_eq(plan("cfg_warehouse, sales_trade,goods_spec,cfg_logistics_fee", s), 2);
    cr_expect_str_eq(s[0].table, "goods_spec");
    cr_expect_str_eq(s[0].column, "modified_at");
    cr_expect_eq(s[0].per_trade, 0);
    cr_expect_str_eq(s[1].table, "cfg_warehouse");
    cr_expect_str_eq(s[1].rules, "SUB-WH-11");
    cr_expect_eq(plan("", s), 0);
    cr_expect_eq(plan("goods", s), 0); /* names compare whole, not as prefixes */
    cr_expect_eq(plan("cfg_shop_warehouse", s), 1);
    cr_expect_str_eq(s[0].column, "created_at"); /* a table without modified_at */
}

Test(unblock, the_first_load_names_every_table) {
    size_t n;
    const of_unblock_step_t *all = of_unblock_steps(&n);
    char every[2048] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(every, i ? "," : "");
        strcat(every, all[i].table);
    }
    of_unblock_step_t s[16];
    cr_expect_eq(plan(every, s), n);
    cr_expect_eq(of_unblock_plan(every, s, 2), 2); /* bounded by max */
}

Test(unblock, rules_and_their_tables) {
    char buf[512];
    cr_expect_str_eq(of_unblock_tables("SUB-MAP-09", buf, sizeof buf), "api_goods_spec,cfg_setting");
    cr_expect_str_eq(of_unblock_tables("SUB-WH-11", buf, sizeof buf),
                     "cfg_warehouse,cfg_shop_warehouse,cfg_warehouse_area,goods_spec_warehouse,cfg_shop");
    cr_expect_str_eq(of_unblock_tables("SUB-MAP-1", buf, sizeof buf), ""); /* not a prefix of SUB-MAP-10 */
    /* stops on the raw trade's own data: no configuration change lifts them */
    static const char *const own[] = {"SUB-TYPE-01", "SUB-TYPE-02", "SUB-MAP-04", "SUB-MAP-05",
                                      "SUB-MAP-16",  "SUB-CNT-01",  "SUB-AGG-02"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        cr_expect_str_eq(of_unblock_tables(own[i], buf, sizeof buf), "", "%s", own[i]);
    cr_expect_str_eq(of_unblock_tables("SUB-MAP-09", buf, 20), "api_goods_spec"); /* too small: whole names only */
}
