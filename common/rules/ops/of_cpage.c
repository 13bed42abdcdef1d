/* of_cpage.c -- the ops console's HTML (of_cpage.h). Pure. */
#include "of_cpage.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_fsjob.h"
#include "of_tstatus.h"

/* ---------------------------------------------------------------- buffer */
static int grow(of_cpage_buf_t *b, size_t more) {
    if (b->oom) return -1;
    if (b->len + more + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s, b->cap = cap;
    return 0;
}

void of_cpage_puts(of_cpage_buf_t *b, const char *s) {
    size_t n = strlen(s);
    if (grow(b, n)) return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void of_cpage_printf(of_cpage_buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void of_cpage_esc(of_cpage_buf_t *b, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&':
            of_cpage_puts(b, "&amp;");
            break;
        case '<':
            of_cpage_puts(b, "&lt;");
            break;
        case '>':
            of_cpage_puts(b, "&gt;");
            break;
        case '"':
            of_cpage_puts(b, "&quot;");
            break;
        case '\'':
            of_cpage_puts(b, "&#39;");
            break;
        default:
            if (grow(b, 1)) return;
            b->s[b->len++] = *p;
            b->s[b->len] = '\0';
        }
    }
}

void of_cpage_free(of_cpage_buf_t *b) {
    free(b->s);
    *b = (of_cpage_buf_t){0};
}

/* ---------------------------------------------------------------- charts */
void of_cpage_bars(of_cpage_buf_t *b, const char *title, const long long *v, const char *const *labels, int n) {
    enum { GAP = 6, H = 90, TOP = 14, BOTTOM = 16 };
    const int W = n <= 6 ? 64 : 24; /* a few bars: room for their labels */
    long long max = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > max) max = v[i];
    int width = n * (W + GAP) + GAP;
    of_cpage_printf(b, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><title>",
                    width, TOP + H + BOTTOM, width, TOP + H + BOTTOM);
    of_cpage_esc(b, title);
    of_cpage_puts(b, "</title>");
    of_cpage_printf(b, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", TOP + H, width, TOP + H);
    for (int i = 0; i < n; i++) {
        int h = max > 0 ? (int)((double)v[i] * H / (double)max + 0.5) : 0;
        if (v[i] > 0 && h < 1) h = 1;
        int x = GAP + i * (W + GAP);
        of_cpage_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" data-value=\"%lld\"><title>", x,
                        TOP + H - h, W, h, v[i]);
        if (labels && labels[i]) {
            of_cpage_esc(b, labels[i]);
            of_cpage_puts(b, ": ");
        }
        of_cpage_printf(b, "%lld</title></rect>", v[i]);
        if (v[i] > 0)
            of_cpage_printf(b, "<text x=\"%d\" y=\"%d\" class=\"v\">%lld</text>", x + W / 2, TOP + H - h - 3, v[i]);
        if (labels && labels[i]) {
            of_cpage_printf(b, "<text x=\"%d\" y=\"%d\" class=\"l\">", x + W / 2, TOP + H + 12);
            of_cpage_esc(b, labels[i]);
            of_cpage_puts(b, "</text>");
        }
    }
    of_cpage_puts(b, "</svg>");
}

/* a horizontal bar of value against max, for a table cell */
static void hbar(of_cpage_buf_t *b, long long v, long long max) {
    int w = max > 0 ? (int)((double)v * 160 / (double)max + 0.5) : 0;
    if (v > 0 && w < 1) w = 1;
    of_cpage_printf(b,
                    "<svg class=\"hbar\" width=\"160\" height=\"12\" aria-hidden=\"true\"><rect width=\"%d\" "
                    "height=\"12\"/></svg>",
                    w);
}

/* ---------------------------------------------------------------- panels */
static void panel_open(of_cpage_buf_t *b, const char *id, const char *title, const char *err) {
    of_cpage_printf(b, "<section class=\"panel%s\" id=\"%s\"><h2>", strcmp(id, "p-dlq") ? "" : " wide", id);
    of_cpage_esc(b, title);
    of_cpage_puts(b, "</h2>");
    if (err && *err) {
        of_cpage_puts(b, "<p class=\"err\">unavailable: ");
        of_cpage_esc(b, err);
        of_cpage_puts(b, "</p>");
    }
}

static void statuses(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-status", "Orders by status", m->status_err);
    if (*m->status_err) goto out;
    long long max = 0, total = 0;
    for (size_t i = 0; i < m->nstatuses; i++) {
        total += m->statuses[i].count;
        if (m->statuses[i].count > max) max = m->statuses[i].count;
    }
    of_cpage_printf(b, "<p>%lld system orders (sales_trade)</p>", total);
    of_cpage_puts(b, "<table><tr><th>status</th><th>name</th><th class=\"n\">orders</th><th></th></tr>");
    for (size_t i = 0; i < m->nstatuses; i++) {
        const of_cpage_status_t *s = &m->statuses[i];
        of_cpage_printf(b, "<tr data-status=\"%d\"><td>%d</td><td>", s->status, s->status);
        of_cpage_esc(b, of_tstatus_name(s->status));
        of_cpage_printf(b, "</td><td class=\"n\" data-count=\"%lld\">%lld</td><td>", s->count, s->count);
        hbar(b, s->count, max);
        of_cpage_puts(b, "</td></tr>");
    }
    if (!m->nstatuses) of_cpage_puts(b, "<tr><td colspan=\"4\">no orders</td></tr>");
    of_cpage_puts(b, "</table>");
out:
    of_cpage_puts(b, "</section>");
}

static void moves(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-moves", "What moved: order log rows per minute, last 15 minutes", m->moves_err);
    if (!*m->moves_err) {
        char lab[OF_CPAGE_MINUTES][8];
        const char *labels[OF_CPAGE_MINUTES];
        long long total = 0;
        for (int i = 0; i < OF_CPAGE_MINUTES; i++) {
            int ago = OF_CPAGE_MINUTES - 1 - i;
            snprintf(lab[i], sizeof lab[i], ago ? "-%d" : "now", ago);
            labels[i] = lab[i];
            total += m->moves[i];
        }
        of_cpage_bars(b, "order log rows per minute", m->moves, labels, OF_CPAGE_MINUTES);
        of_cpage_printf(b,
                        "<p data-moves=\"%lld\">%lld status changes, merges, splits and changes applied in 15 "
                        "minutes (minutes ago below the bars)</p>",
                        total, total);
    }
    of_cpage_puts(b, "</section>");
}

static void lag_rows(of_cpage_buf_t *b, const of_cpage_lag_t *l, int rungs) {
    of_cpage_printf(b, "<tr data-group=\"");
    of_cpage_esc(b, l->group);
    of_cpage_puts(b, "\" data-topic=\"");
    of_cpage_esc(b, l->topic);
    of_cpage_printf(b, "\" data-lag=\"%lld\"><td>", l->lag);
    if (!rungs) {
        of_cpage_esc(b, l->group);
        of_cpage_puts(b, "</td><td>");
    }
    of_cpage_esc(b, l->topic);
    if (l->state < 0) {
        of_cpage_puts(b, "</td><td class=\"n\">?</td><td class=\"err\">Kafka does not answer</td></tr>");
        return;
    }
    of_cpage_printf(b, "</td><td class=\"n\">%lld</td><td>", l->lag);
    if (l->state == 1) {
        of_cpage_puts(b, "<span class=\"err\">");
        of_cpage_esc(b, l->msg);
        of_cpage_puts(b, "</span>");
    }
    if (!rungs) {
        of_cpage_puts(b, "<details><summary>partitions</summary><table class=\"parts\"><tr><th>p</th><th "
                         "class=\"n\">committed</th><th class=\"n\">high watermark</th><th class=\"n\">lag</th></tr>");
        for (int i = 0; i < l->np && i < OF_CPAGE_MAX_PARTS; i++) {
            const of_cpage_part_t *p = &l->parts[i];
            if (p->committed < 0)
                of_cpage_printf(b, "<tr><td>%d</td><td class=\"n\">none</td>", p->partition);
            else
                of_cpage_printf(b, "<tr><td>%d</td><td class=\"n\">%lld</td>", p->partition, p->committed);
            of_cpage_printf(b, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>", p->hi, p->lag);
        }
        of_cpage_puts(b, "</table></details>");
    } else {
        long long held = l->lag;
        hbar(b, held, held > 100 ? held : 100);
    }
    of_cpage_puts(b, "</td></tr>");
}

static void lags(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-lag", "Lag per consumer group (committed offset against the high watermark)", m->lag_err);
    if (!*m->lag_err) {
        of_cpage_puts(b, "<table><tr><th>group</th><th>topic</th><th class=\"n\">lag</th><th></th></tr>");
        for (size_t i = 0; i < m->nlags; i++)
            if (!m->lags[i].rung) lag_rows(b, &m->lags[i], 0);
        of_cpage_puts(b, "</table>");
    }
    of_cpage_puts(b, "</section>");
    panel_open(b, "p-ladder", "Retry ladder: messages held per rung", m->lag_err);
    if (!*m->lag_err) {
        of_cpage_puts(b, "<table><tr><th>rung</th><th class=\"n\">held</th><th></th></tr>");
        for (size_t i = 0; i < m->nlags; i++)
            if (m->lags[i].rung) lag_rows(b, &m->lags[i], 1);
        of_cpage_puts(b, "</table><p class=\"hint\">held = not yet republished by of-retry-ladder (its group's "
                         "lag on the rung)</p>");
    }
    of_cpage_puts(b, "</section>");
}

static void deadletters(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-dlq", "Dead letters (newest first)", m->dl_err);
    of_cpage_puts(b, "<p class=\"hint\">Re-drive sends the original message back to its topic as a fresh first try "
                     "(ordctl dlq redrive ID); the dead letter is marked re-driven.</p>");
    if (!*m->dl_err) {
        of_cpage_puts(b,
                      "<table><tr><th>id</th><th>origin</th><th>order / about</th><th>class</th><th>tries</th><th>dead "
                      "at</th><th>reason</th><th>re-driven</th><th></th></tr>");
        for (size_t i = 0; i < m->ndls; i++) {
            const of_cpage_dl_t *d = &m->dls[i];
            of_cpage_printf(b, "<tr data-dl=\"%lld\" data-redrives=\"%d\"><td>%lld</td><td>", d->id, d->redrives,
                            d->id);
            of_cpage_esc(b, d->topic);
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, *d->order ? d->order : "-");
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, d->klass);
            of_cpage_printf(b, "</td><td class=\"n\">%d</td><td>", d->attempts);
            of_cpage_esc(b, d->dead_at);
            of_cpage_puts(b, "</td><td class=\"reason\">");
            of_cpage_esc(b, d->error);
            of_cpage_puts(b, "</td><td>");
            if (d->redrives) {
                of_cpage_esc(b, d->redriven_at);
                of_cpage_printf(b, " (%d×)", d->redrives);
            } else
                of_cpage_puts(b, "no");
            of_cpage_printf(b,
                            "</td><td><form method=\"post\" action=\"/redrive\"><input type=\"hidden\" "
                            "name=\"id\" value=\"%lld\"><input type=\"hidden\" name=\"csrf\" value=\"",
                            d->id);
            of_cpage_esc(b, m->csrf);
            of_cpage_printf(b, "\"><button type=\"submit\" data-redrive=\"%lld\">Re-drive</button></form></td></tr>",
                            d->id);
        }
        if (!m->ndls) of_cpage_puts(b, "<tr><td colspan=\"9\">no dead letters</td></tr>");
        of_cpage_puts(b, "</table>");
    }
    of_cpage_puts(b, "</section>");
}

static void flash(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-flash", "Flash-sale jobs by state", m->fs_err);
    const char *labels[OF_FSJ__COUNT];
    for (int i = 0; i < OF_FSJ__COUNT; i++)
        labels[i] = of_fsjob_state_name((of_fsjob_state_t)i);
    if (*m->fs_live_err) {
        of_cpage_puts(b, "<p class=\"err\">live records (Redis) unavailable: ");
        of_cpage_esc(b, m->fs_live_err);
        of_cpage_puts(b, "</p>");
    } else {
        of_cpage_printf(b, "<h3>live (Redis, %ld records%s)</h3>", m->fs_scanned,
                        m->fs_more ? ", more not counted" : "");
        of_cpage_bars(b, "live flash-sale jobs by state", m->fs_live, labels, OF_FSJ__COUNT);
    }
    if (!*m->fs_err) {
        of_cpage_puts(b, "<h3>final records (fs_job)</h3><table><tr>");
        for (int i = 0; i < OF_FSJ__COUNT; i++)
            of_cpage_printf(b, "<th>%s</th>", labels[i]);
        of_cpage_puts(b, "</tr><tr>");
        for (int i = 0; i < OF_FSJ__COUNT; i++)
            of_cpage_printf(b, "<td class=\"n\" data-fsjob=\"%s\">%lld</td>", labels[i], m->fs_final[i]);
        of_cpage_puts(b, "</tr></table>");
    }
    of_cpage_puts(b, "</section>");
}

static void conflicts(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-sync", "Sync conflicts (ops the order sync rejected, newest first)", m->sync_err);
    if (!*m->sync_err) {
        of_cpage_puts(b, "<table><tr><th>when</th><th>oid</th><th>op</th><th>row</th><th>why</th></tr>");
        for (size_t i = 0; i < m->nconflicts; i++) {
            const of_cpage_conflict_t *c = &m->conflicts[i];
            of_cpage_puts(b, "<tr><td>");
            of_cpage_esc(b, c->when);
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, c->oid);
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, c->side);
            of_cpage_puts(b, ":");
            of_cpage_esc(b, c->op);
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, c->row);
            of_cpage_puts(b, "</td><td>");
            of_cpage_esc(b, c->why);
            of_cpage_puts(b, "</td></tr>");
        }
        if (!m->nconflicts) of_cpage_puts(b, "<tr><td colspan=\"5\">no rejected ops</td></tr>");
        of_cpage_puts(b, "</table>");
    }
    of_cpage_puts(b, "</section>");
}

static void stock(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    panel_open(b, "p-stock", "Stock check", m->stock_err);
    if (!*m->stock_err) {
        of_cpage_printf(b, "<p class=\"%s\" data-stock=\"%s\">%s</p><pre>", m->stock_rc ? "bad" : "good",
                        m->stock_rc ? "drift" : "ok",
                        m->stock_rc ? "DRIFT: counters disagree with the open orders" : "OK");
        of_cpage_esc(b, m->stock_text);
        of_cpage_puts(b, "</pre>");
    }
    of_cpage_puts(b, "</section>");
}

void of_cpage_panels(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    of_cpage_puts(b, "<p class=\"hint wide\">read at ");
    of_cpage_esc(b, m->now);
    of_cpage_puts(b, "</p>");
    statuses(b, m);
    moves(b, m);
    lags(b, m);
    deadletters(b, m);
    flash(b, m);
    conflicts(b, m);
    stock(b, m);
}

static const char STYLE[] =
    "<style>body{font:14px system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}"
    "header{background:#23395d;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:center}"
    "header h1{font-size:18px;margin:0}header form{margin-left:auto}"
    "main{padding:12px 18px}#panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}"
    ".panel{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px #0002;overflow:auto}"
    ".panel h2{font-size:15px;margin:0 0 8px}.panel h3{font-size:13px;margin:8px 0 4px}"
    "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid "
    "#eee}.n{text-align:right}.err,.bad{color:#b00020}.good{color:#106b21}.hint{color:#666;font-size:12px}"
    ".notice{background:#e6f4ea;border:1px solid #106b21;padding:8px 12px;border-radius:6px;margin-bottom:12px}"
    ".chart rect,.hbar rect{fill:#3b6fb6}.chart .axis{stroke:#999}.chart text{font-size:10px;text-anchor:middle;"
    "fill:#444}pre{background:#f7f7f9;padding:8px;white-space:pre-wrap;font-size:12px}.reason{max-width:320px}"
    "#search input[type=text]{width:320px}.wide{grid-column:1/-1}.panel.wide .reason{max-width:600px}</style>";

void of_cpage_page(of_cpage_buf_t *b, const of_cpage_model_t *m) {
    of_cpage_puts(b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>orderfleet ops "
                     "console</title>");
    of_cpage_puts(b, STYLE);
    of_cpage_puts(b, "</head><body><header><h1>orderfleet ops console</h1><form method=\"post\" "
                     "action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"");
    of_cpage_esc(b, m->csrf);
    of_cpage_puts(b, "\"><button type=\"submit\">Log out</button></form></header><main>");
    if (m->notice) {
        of_cpage_puts(b, "<div class=\"notice\" id=\"notice\">");
        of_cpage_esc(b, m->notice);
        of_cpage_puts(b, "</div>");
    }
    of_cpage_puts(b, "<section class=\"panel\" id=\"search\"><h2>Order search (order id, trade number or tid: "
                     "explain)</h2><form method=\"get\" action=\"/\"><input type=\"text\" name=\"q\" value=\"");
    of_cpage_esc(b, m->search_q ? m->search_q : "");
    of_cpage_puts(b, "\" placeholder=\"e.g. 42, JY20261120000001 or a platform tid\"> <button "
                     "type=\"submit\">Explain</button></form>");
    if (m->search_q) {
        if (*m->search_err) {
            of_cpage_puts(b, "<p class=\"err\">");
            of_cpage_esc(b, m->search_err);
            of_cpage_puts(b, "</p>");
        } else {
            of_cpage_puts(b, "<pre id=\"explain\">");
            of_cpage_esc(b, m->search_text);
            of_cpage_puts(b, "</pre>");
        }
    }
    of_cpage_puts(b, "</section><div id=\"panels\">");
    of_cpage_panels(b, m);
    of_cpage_puts(b, "</div></main>");
    if (m->refresh_s > 0)
        of_cpage_printf(b,
                        "<script>setInterval(function(){fetch('/panels',{credentials:'same-origin'}).then(function(r)"
                        "{return r.ok?r.text():null}).then(function(t){if(t!==null)document.getElementById('panels')"
                        ".innerHTML=t}).catch(function(){})},%d);</script>",
                        m->refresh_s * 1000);
    of_cpage_puts(b, "</body></html>");
}

void of_cpage_login(of_cpage_buf_t *b, const char *msg) {
    of_cpage_puts(b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>orderfleet ops console: "
                     "log in</title>");
    of_cpage_puts(b, STYLE);
    of_cpage_puts(b, "</head><body><header><h1>orderfleet ops console</h1></header><main><section class=\"panel\" "
                     "id=\"login\"><h2>Log in</h2>");
    if (msg) {
        of_cpage_puts(b, "<p class=\"err\">");
        of_cpage_esc(b, msg);
        of_cpage_puts(b, "</p>");
    }
    of_cpage_puts(b, "<form method=\"post\" action=\"/login\"><label>Token (OF_CONSOLE_TOKEN) <input "
                     "type=\"password\" name=\"token\" autocomplete=\"current-password\" autofocus></label> <button "
                     "type=\"submit\">Log in</button></form><p class=\"hint\">Or send <code>Authorization: Bearer "
                     "&lt;token&gt;</code>.</p></section></main></body></html>");
}
