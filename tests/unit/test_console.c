/* test_console.c -- the ops console's pure parts: the token, session cookie and CSRF checks and the request parsers
 * (of_cauth), and the HTML it renders (of_cpage): escaping, the status names, the charts, the re-drive form. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_cauth.h"
#include "of_cpage.h"
#include "of_tstatus.h"

#define TOKEN "console-token-0123456789"

Test(cauth, token_and_bearer) {
    cr_assert(of_cauth_token_ok(TOKEN, TOKEN));
    cr_assert_not(of_cauth_token_ok(TOKEN, "console-token-0123456788"));
    cr_assert_not(of_cauth_token_ok(TOKEN, "console-token-012345678")); /* a prefix */
    cr_assert_not(of_cauth_token_ok(TOKEN, NULL));
    cr_assert_not(of_cauth_token_ok("short", "short"), "a token under 16 characters never opens");
    cr_assert(of_cauth_bearer_ok(TOKEN, "Bearer " TOKEN));
    cr_assert_not(of_cauth_bearer_ok(TOKEN, "Basic " TOKEN));
    cr_assert_not(of_cauth_bearer_ok(TOKEN, NULL));
}

Test(cauth, session_expires_and_is_bound_to_the_token) {
    char v[128];
    cr_assert_eq(of_cauth_session_new(TOKEN, 1000, 3600, v, sizeof v), 0);
    cr_assert(strncmp(v, "4600.", 5) == 0, "%s", v);
    cr_assert_null(strstr(v, TOKEN), "the cookie never carries the token");
    cr_assert(of_cauth_session_ok(TOKEN, v, 1001));
    cr_assert(of_cauth_session_ok(TOKEN, v, 4599));
    cr_assert_not(of_cauth_session_ok(TOKEN, v, 4600), "expired");
    cr_assert_not(of_cauth_session_ok("another-token-0123456789", v, 1001), "another token's session");
    v[5] ^= 1;
    cr_assert_not(of_cauth_session_ok(TOKEN, v, 1001), "a changed mac");
    char forged[128];
    cr_assert_eq(of_cauth_session_new(TOKEN, 1000, 3600, forged, sizeof forged), 0);
    forged[0] = '9'; /* a later expiry with the old mac */
    cr_assert_not(of_cauth_session_ok(TOKEN, forged, 1001));
    cr_assert_not(of_cauth_session_ok(TOKEN, "", 1));
    cr_assert_not(of_cauth_session_ok(TOKEN, "x.y", 1));
}

Test(cauth, csrf) {
    char c[65];
    cr_assert_eq(of_cauth_csrf(TOKEN, c, sizeof c), 0);
    cr_assert_eq(strlen(c), 64);
    cr_assert(of_cauth_csrf_ok(TOKEN, c));
    cr_assert_not(of_cauth_csrf_ok("another-token-0123456789", c));
    cr_assert_not(of_cauth_csrf_ok(TOKEN, ""));
    cr_assert_not(of_cauth_csrf_ok(TOKEN, NULL));
}

Test(cauth, cookie_and_form) {
    char v[64];
    cr_assert_eq(of_cauth_cookie("a=1; of_console=123.abc; b=2", "of_console", v, sizeof v), 0);
    cr_assert_str_eq(v, "123.abc");
    cr_assert_eq(of_cauth_cookie("xof_console=1", "of_console", v, sizeof v), -1);
    cr_assert_eq(of_cauth_cookie("of_console=1", "of_console", v, sizeof v), 0);
    cr_assert_eq(of_cauth_cookie("", "of_console", v, sizeof v), -1);
    const char *body = "id=42&csrf=ab%2Fc+d&token=t%3D1";
    cr_assert_eq(of_cauth_form(body, strlen(body), "id", v, sizeof v), 0);
    cr_assert_str_eq(v, "42");
    cr_assert_eq(of_cauth_form(body, strlen(body), "csrf", v, sizeof v), 0);
    cr_assert_str_eq(v, "ab/c d");
    cr_assert_eq(of_cauth_form(body, strlen(body), "token", v, sizeof v), 0);
    cr_assert_str_eq(v, "t=1");
    cr_assert_eq(of_cauth_form(body, strlen(body), "i", v, sizeof v), -1);
    cr_assert_eq(of_cauth_form("id=%4", 5, "id", v, sizeof v), -1, "a cut escape");
    cr_assert_eq(of_cauth_form(body, 4, "csrf", v, sizeof v), -1, "only len bytes are read");
    char tiny[3];
    cr_assert_eq(of_cauth_form(body, strlen(body), "csrf", tiny, sizeof tiny), -1, "too long for out");
}

Test(cpage, escapes_every_text) {
    of_cpage_buf_t b = {0};
    of_cpage_esc(&b, "<script>alert('x')</script> & \"q\"");
    cr_assert_str_eq(b.s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    of_cpage_free(&b);
}

Test(cpage, status_names) {
    cr_assert_str_eq(of_tstatus_name(30), "awaiting audit");
    cr_assert_str_eq(of_tstatus_name(10), "unpaid");
    cr_assert_str_eq(of_tstatus_name(25), "pre-order");
    cr_assert_str_eq(of_tstatus_name(50), "audited");
    cr_assert_str_eq(of_tstatus_name(7), "?");
}

Test(cpage, bars_scale_to_the_largest) {
    of_cpage_buf_t b = {0};
    long long v[] = {0, 5, 10};
    const char *labels[] = {"a", "b<", "c"};
    of_cpage_bars(&b, "t", v, labels, 3);
    cr_assert_not_null(strstr(b.s, "height=\"90\" data-value=\"10\""), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "height=\"45\" data-value=\"5\""));
    cr_assert_not_null(strstr(b.s, "height=\"0\" data-value=\"0\""));
    cr_assert_not_null(strstr(b.s, "b&lt;"), "labels escaped");
    of_cpage_free(&b);
    long long zero[] = {0, 0};
    of_cpage_bars(&b, "t", zero, NULL, 2); /* no division by zero */
    cr_assert_not_null(strstr(b.s, "height=\"0\""));
    of_cpage_free(&b);
}

Test(cpage, page_shows_the_model) {
    of_cpage_dl_t dl = {.id = 7,
                        .topic = "trade.raw",
                        .klass = "unknown_ref",
                        .error = "unknown shop <x>",
                        .attempts = 1,
                        .dead_at = "2026-11-20T10:00:00",
                        .redriven_at = "-"};
    of_cpage_lag_t lags[2] = {{.group = "g", .topic = "trade.raw", .lag = 3, .np = 1, .parts = {{0, 5, 0, 8, 3}}},
                              {.group = "g", .topic = "retry.30s", .rung = 1, .lag = 2}};
    of_cpage_model_t m = {.now = "now",
                          .csrf = "CSRF",
                          .notice = "done & dusted",
                          .refresh_s = 10,
                          .statuses = {{10, 3}, {30, 12}},
                          .nstatuses = 2,
                          .lags = lags,
                          .nlags = 2,
                          .dls = &dl,
                          .ndls = 1,
                          .stock_text = "stock check OK",
                          .search_q = "T<1",
                          .search_text = "raw trade"};
    m.moves[OF_CPAGE_MINUTES - 1] = 4;
    of_cpage_buf_t b = {0};
    of_cpage_page(&b, &m);
    cr_assert_not(b.oom);
    cr_assert_not_null(strstr(b.s, "<tr data-status=\"30\"><td>30</td><td>awaiting audit</td><td class=\"n\" "
                                   "data-count=\"12\">12</td>"),
                       "%s", b.s);
    cr_assert_not_null(strstr(b.s, "15 system orders"));
    cr_assert_not_null(strstr(b.s, "data-moves=\"4\""));
    cr_assert_not_null(strstr(b.s, "data-topic=\"trade.raw\" data-lag=\"3\""));
    cr_assert_not_null(strstr(b.s, "data-topic=\"retry.30s\" data-lag=\"2\""));
    cr_assert_not_null(strstr(b.s, "unknown shop &lt;x&gt;"));
    cr_assert_not_null(strstr(b.s, "<input type=\"hidden\" name=\"id\" value=\"7\"><input type=\"hidden\" "
                                   "name=\"csrf\" value=\"CSRF\">"),
                       "the re-drive form posts the id and the CSRF token");
    cr_assert_not_null(strstr(b.s, "done &amp; dusted"));
    cr_assert_not_null(strstr(b.s, "value=\"T&lt;1\""), "the search query escaped");
    cr_assert_not_null(strstr(b.s, "},10000);</script>"), "refresh every 10 s");
    cr_assert_not_null(strstr(b.s, "data-stock=\"ok\""));
    of_cpage_free(&b);
    /* a panel that could not be read says why instead of numbers */
    snprintf(m.status_err, sizeof m.status_err, "database down");
    m.refresh_s = 0;
    of_cpage_panels(&b, &m);
    cr_assert_not_null(strstr(b.s, "unavailable: database down"));
    cr_assert_null(strstr(b.s, "data-status="));
    cr_assert_null(strstr(b.s, "<script>"));
    of_cpage_free(&b);
}

Test(cpage, login_form) {
    of_cpage_buf_t b = {0};
    of_cpage_login(&b, "wrong <token>");
    cr_assert_not_null(strstr(b.s, "<form method=\"post\" action=\"/login\">"));
    cr_assert_not_null(strstr(b.s, "wrong &lt;token&gt;"));
    of_cpage_free(&b);
}
