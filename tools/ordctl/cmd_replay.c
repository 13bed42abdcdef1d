/* ordctl replay -- move a stopped consumer group's committed offsets on one topic (to the log start, to a time, or
 * to given offsets) so that its workers read those messages again. Refuses while the group has live members. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_kafka.h"
#include "of_progress.h"
#include "ordctl.h"

#define TIMEOUT_MS 10000

enum { FROM_NONE, FROM_BEGINNING, FROM_TIME, FROM_OFFSETS };

/* What the command waits for on Kafka, on a terminal's stderr (each wait ends the line before its result). */
static of_progress_t pg;

typedef struct {
    int64_t lo, hi;  /* watermarks */
    int64_t current; /* committed offset, RD_KAFKA_OFFSET_INVALID when none */
    int64_t target;  /* new offset */
    int change;      /* 1 = this partition is reset */
} part_t;

static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH[:MM]]" -> ms since the epoch; no zone = UTC. -1 if malformed. */
static int parse_time(const char *s, int64_t *ms) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, zh = 0, zm = 0, zsign = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d)) return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec)) return -1;
            if (*p == '.') {
                int scale = 100, any = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                }
                if (!any) return -1;
            }
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        zsign = *p++ == '-' ? -1 : 1;
        if (digits(&p, 2, &zh)) return -1;
        if (*p == ':') p++;
        if (*p && digits(&p, 2, &zm)) return -1;
        if (zh > 23 || zm > 59) return -1;
    }
    if (*p) return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 59) return -1;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return -1;
    *ms = ((int64_t)t - (int64_t)zsign * (zh * 3600 + zm * 60)) * 1000 + frac;
    return 0;
}

static rd_kafka_resp_err_t describe_err(rd_kafka_event_t *ev) {
    if (rd_kafka_event_error(ev)) return rd_kafka_event_error(ev);
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t **gd =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    const rd_kafka_error_t *ge = n == 1 ? rd_kafka_ConsumerGroupDescription_error(gd[0]) : NULL;
    return ge ? rd_kafka_error_code(ge) : RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t alter_err(rd_kafka_event_t *ev) {
    if (rd_kafka_event_error(ev)) return rd_kafka_event_error(ev);
    size_t n = 0;
    const rd_kafka_group_result_t **gr =
        rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
    const rd_kafka_error_t *ge = n == 1 ? rd_kafka_group_result_error(gr[0]) : NULL;
    const rd_kafka_topic_partition_list_t *res = n == 1 ? rd_kafka_group_result_partitions(gr[0]) : NULL;
    if (ge) return rd_kafka_error_code(ge);
    for (int i = 0; res && i < res->cnt; i++)
        if (res->elems[i].err) return res->elems[i].err;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The group's live members, from the Admin API. 0: none (Empty, Dead or no such group); 3: live members (named
 * in the message); 1: no answer. */
static int group_idle(rd_kafka_t *rk, const char *group) {
    char err[512];
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_AdminOptions_set_request_timeout(opt, TIMEOUT_MS, err, sizeof err);
    const char *groups[] = {group};
    rd_kafka_event_t *ev = NULL;
    of_progress_show(&pg, 1, "asking Kafka whether group %s has live members", group);
    for (int64_t until = of_mono_ms() + TIMEOUT_MS;; usleep(300 * 1000)) {
        rd_kafka_DescribeConsumerGroups(rk, groups, 1, opt, q);
        ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
        if (!ev || !of_kafka_retriable(describe_err(ev)) || of_mono_ms() >= until) break;
        rd_kafka_event_destroy(ev);
    }
    of_progress_end(&pg);
    int rc = 1;
    if (!ev) {
        fprintf(stderr, "ordctl replay: cannot describe group %s: no answer from Kafka (%s) within %ds\n", group,
                of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP), TIMEOUT_MS / 1000 + 5);
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "ordctl replay: cannot describe group %s: %s\n", group, rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_ConsumerGroupDescription_t **gd =
            rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
        const rd_kafka_error_t *ge = n == 1 ? rd_kafka_ConsumerGroupDescription_error(gd[0]) : NULL;
        if (n != 1) {
            fprintf(stderr, "ordctl replay: cannot describe group %s: %zu descriptions in the answer\n", group, n);
        } else if (ge && rd_kafka_error_code(ge) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
            rc = 0; /* no such group yet: nobody is consuming */
        } else if (ge) {
            fprintf(stderr, "ordctl replay: cannot describe group %s: %s\n", group, rd_kafka_error_string(ge));
        } else {
            rd_kafka_consumer_group_state_t st = rd_kafka_ConsumerGroupDescription_state(gd[0]);
            size_t nm = rd_kafka_ConsumerGroupDescription_member_count(gd[0]);
            if ((st == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY || st == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD) && nm == 0) {
                rc = 0;
            } else {
                char members[2048];
                size_t len = 0;
                members[0] = '\0';
                for (size_t i = 0; i < nm && len < sizeof members; i++) {
                    const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(gd[0], i);
                    const rd_kafka_MemberAssignment_t *a = rd_kafka_MemberDescription_assignment(m);
                    const rd_kafka_topic_partition_list_t *pl = a ? rd_kafka_MemberAssignment_partitions(a) : NULL;
                    len += (size_t)snprintf(members + len, sizeof members - len, "%s%s on host %s (%d partitions)",
                                            i ? "; " : "", rd_kafka_MemberDescription_client_id(m),
                                            rd_kafka_MemberDescription_host(m), pl ? pl->cnt : 0);
                }
                fprintf(stderr,
                        "ordctl replay: group %s is %s with %zu live member%s: %s; stop the workers (SIGTERM) "
                        "and run replay again\n",
                        group, rd_kafka_consumer_group_state_name(st), nm, nm == 1 ? "" : "s",
                        nm ? members : "(none listed)");
                rc = 3;
            }
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* The group's committed offset of every partition into parts[i].current (RD_KAFKA_OFFSET_INVALID when none). */
static int committed(rd_kafka_t *rk, const char *topic, part_t *parts, int np) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++)
        rd_kafka_topic_partition_list_add(l, topic, i);
    of_progress_show(&pg, 1, "reading the group's committed offsets on %s", topic);
    rd_kafka_resp_err_t e = of_kafka_committed(rk, l, TIMEOUT_MS);
    of_progress_end(&pg);
    for (int i = 0; !e && i < l->cnt; i++)
        if (l->elems[i].partition >= 0 && l->elems[i].partition < np)
            parts[l->elems[i].partition].current = l->elems[i].offset;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) fprintf(stderr, "ordctl replay: cannot read the group's committed offsets: %s\n", rd_kafka_err2str(e));
    return e ? -1 : 0;
}

/* "P:O,P:O,..." into parts[].target/change, each offset inside its partition's log. */
static int parse_offsets(const char *spec, const char *topic, part_t *parts, int np) {
    char *copy = strdup(spec), *save = NULL;
    if (!copy) return -1;
    int rc = 0, any = 0;
    for (char *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':'), *end1 = NULL, *end2 = NULL;
        errno = 0;
        long p = colon ? strtol(item, &end1, 10) : -1;
        long long o = colon ? strtoll(colon + 1, &end2, 10) : -1;
        if (!colon || end1 != colon || end1 == item || !end2 || *end2 || end2 == colon + 1 || errno || o < 0) {
            fprintf(stderr, "ordctl replay: --from-offsets: '%s' is not PARTITION:OFFSET (e.g. 0:120,3:0)\n", item);
            rc = -1;
        } else if (p < 0 || p >= np) {
            fprintf(stderr, "ordctl replay: --from-offsets: %s has no partition %ld (it has 0..%d)\n", topic, p,
                    np - 1);
            rc = -1;
        } else if (parts[p].change) {
            fprintf(stderr, "ordctl replay: --from-offsets: partition %ld is given twice\n", p);
            rc = -1;
        } else if (o < parts[p].lo || o > parts[p].hi) {
            fprintf(stderr, "ordctl replay: --from-offsets: offset %lld is outside %s[%ld]'s log (%lld..%lld)\n", o,
                    topic, p, (long long)parts[p].lo, (long long)parts[p].hi);
            rc = -1;
        } else {
            parts[p].target = o;
            parts[p].change = 1;
            any = 1;
        }
    }
    free(copy);
    if (!rc && !any) {
        fprintf(stderr, "ordctl replay: --from-offsets: no PARTITION:OFFSET given\n");
        rc = -1;
    }
    return rc;
}

/* The first offset at or after ms in every partition (the log end when every message is older). */
static int offsets_at(rd_kafka_t *rk, const char *topic, int64_t ms, part_t *parts, int np) {
    rd_kafka_resp_err_t e;
    of_progress_show(&pg, 1, "looking up the offsets of %s at the time", topic);
    for (int64_t until = of_mono_ms() + TIMEOUT_MS;; usleep(200 * 1000)) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
        for (int i = 0; i < np; i++)
            rd_kafka_topic_partition_list_add(l, topic, i)->offset = ms;
        e = rd_kafka_offsets_for_times(rk, l, TIMEOUT_MS);
        for (int i = 0; !e && i < l->cnt; i++) {
            rd_kafka_topic_partition_t *tp = &l->elems[i];
            if (tp->err) {
                e = tp->err;
            } else if (tp->partition >= 0 && tp->partition < np) {
                part_t *pt = &parts[tp->partition];
                pt->target = tp->offset < 0 ? pt->hi : tp->offset;
                if (pt->target < pt->lo) pt->target = pt->lo;
                pt->change = 1;
            }
        }
        rd_kafka_topic_partition_list_destroy(l);
        if (!e || !of_kafka_retriable(e) || of_mono_ms() >= until) break;
    }
    of_progress_end(&pg);
    if (e) fprintf(stderr, "ordctl replay: cannot look up the offsets for the time: %s\n", rd_kafka_err2str(e));
    return e ? -1 : 0;
}

/* Where the group reads next today: its committed offset, or the log start when it has none (a group's first start,
 * D-KAF-4) or when it is outside the log (a gap the workers hold: nothing before the log start can be read, so
 * a replay to the log start re-reads nothing and skips nothing that still exists). */
static int64_t position(const part_t *p) {
    return p->current < p->lo || p->current > p->hi ? p->lo : p->current;
}

static void print_plan(const char *group, const char *topic, const char *from, const part_t *parts, int np) {
    long long reread = 0, skipped = 0;
    int changed = 0;
    printf("replay: group %s, topic %s (%d partitions), %s\n", group, topic, np, from);
    printf("%9s %12s %12s %12s  %s\n", "partition", "committed", "new", "high", "messages");
    for (int i = 0; i < np; i++) {
        const part_t *p = &parts[i];
        char cur[32], tgt[32], what[64];
        if (p->current < 0)
            snprintf(cur, sizeof cur, "none");
        else
            snprintf(cur, sizeof cur, "%lld", (long long)p->current);
        if (!p->change) {
            snprintf(tgt, sizeof tgt, "-");
            snprintf(what, sizeof what, "unchanged");
        } else {
            long long d = (long long)(position(p) - p->target);
            snprintf(tgt, sizeof tgt, "%lld", (long long)p->target);
            const char *note =
                p->current >= 0 && position(p) != p->current ? " (committed offset outside the log)" : "";
            if (d > 0)
                snprintf(what, sizeof what, "%lld re-read%s", d, note);
            else if (d < 0)
                snprintf(what, sizeof what, "%lld skipped%s", -d, note);
            else
                snprintf(what, sizeof what, "0%s", *note ? note : " (already there)");
            reread += d > 0 ? d : 0;
            skipped += d < 0 ? -d : 0;
            changed++;
        }
        printf("%9d %12s %12s %12lld  %s\n", i, cur, tgt, (long long)p->hi, what);
    }
    printf("total: %lld messages to re-read, %lld skipped, %d of %d partitions reset\n", reread, skipped, changed, np);
}

/* Commit the new offsets for the group (Admin API: the group has no members, so no generation is needed).
 * 0 done, 3 a member joined meanwhile (Kafka refuses), 1 any other failure. */
static int alter(rd_kafka_t *rk, const char *group, const char *topic, const part_t *parts, int np) {
    char err[512];
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++)
        if (parts[i].change) rd_kafka_topic_partition_list_add(l, topic, i)->offset = parts[i].target;
    rd_kafka_AlterConsumerGroupOffsets_t *a = rd_kafka_AlterConsumerGroupOffsets_new(group, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AdminOptions_set_request_timeout(opt, TIMEOUT_MS, err, sizeof err);
    rd_kafka_event_t *ev = NULL;
    of_progress_show(&pg, 1, "committing the new offsets of group %s", group);
    for (int64_t until = of_mono_ms() + TIMEOUT_MS;; usleep(300 * 1000)) {
        rd_kafka_AlterConsumerGroupOffsets(rk, &a, 1, opt, q);
        ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
        if (!ev || !of_kafka_retriable(alter_err(ev)) || of_mono_ms() >= until) break;
        rd_kafka_event_destroy(ev);
    }
    of_progress_end(&pg);
    int rc = 1;
    if (!ev) {
        fprintf(stderr, "ordctl replay: committing the new offsets: no answer from Kafka within %ds\n",
                TIMEOUT_MS / 1000 + 5);
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "ordctl replay: committing the new offsets failed: %s\n", rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_group_result_t **gr =
            rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
        const rd_kafka_error_t *ge = n == 1 ? rd_kafka_group_result_error(gr[0]) : NULL;
        const rd_kafka_topic_partition_list_t *res = n == 1 ? rd_kafka_group_result_partitions(gr[0]) : NULL;
        if (n != 1)
            fprintf(stderr, "ordctl replay: committing the new offsets: %zu group results in the answer\n", n);
        else if (ge)
            fprintf(stderr, "ordctl replay: committing the new offsets failed: %s\n", rd_kafka_error_string(ge));
        else {
            rc = 0;
            for (int i = 0; res && i < res->cnt && !rc; i++) {
                rd_kafka_resp_err_t e = res->elems[i].err;
                if (e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
                    e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS || e == RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC) {
                    fprintf(stderr,
                            "ordctl replay: group %s has a live member again (Kafka refused the commit: %s); stop the "
                            "workers (SIGTERM) and run replay again\n",
                            group, rd_kafka_err2str(e));
                    rc = 3;
                } else if (e) {
                    fprintf(stderr, "ordctl replay: committing %s[%d] failed: %s\n", topic, res->elems[i].partition,
                            rd_kafka_err2str(e));
                    rc = 1;
                }
            }
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    rd_kafka_AlterConsumerGroupOffsets_destroy(a);
    return rc;
}

/* Read the committed offsets back and compare; prints "reset: ..." when every one is the new offset. */
static int verify(rd_kafka_t *rk, const char *group, const char *topic, part_t *parts, int np) {
    part_t *back = calloc((size_t)np, sizeof *back);
    if (!back) return 1;
    int rc = 0;
    if (committed(rk, topic, back, np)) {
        rc = 1;
    } else {
        for (int i = 0; i < np && !rc; i++)
            if (parts[i].change && back[i].current != parts[i].target) {
                fprintf(stderr, "ordctl replay: read back %s[%d]: the group's committed offset is %lld, not %lld\n",
                        topic, i, (long long)back[i].current, (long long)parts[i].target);
                rc = 1;
            }
    }
    if (!rc) {
        printf("reset: group %s, topic %s, committed offsets now (partition:offset):", group, topic);
        for (int i = 0; i < np; i++)
            if (parts[i].change) printf(" %d:%lld", i, (long long)back[i].current);
        printf("\n");
    }
    free(back);
    return rc;
}

int cmd_replay(int argc, char **argv) {
    const char *topic = NULL, *group = NULL, *arg = NULL;
    int from = FROM_NONE, yes = 0, modes = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int valued =
            !strcmp(o, "--topic") || !strcmp(o, "--group") || !strcmp(o, "--from-time") || !strcmp(o, "--from-offsets");
        if (valued && i + 1 >= argc) {
            fprintf(stderr, "ordctl replay: %s needs a value\n", o);
            return 2;
        }
        if (!strcmp(o, "--topic")) {
            topic = argv[++i];
        } else if (!strcmp(o, "--group")) {
            group = argv[++i];
        } else if (!strcmp(o, "--from-beginning")) {
            from = FROM_BEGINNING;
            modes++;
        } else if (!strcmp(o, "--from-time")) {
            from = FROM_TIME;
            arg = argv[++i];
            modes++;
        } else if (!strcmp(o, "--from-offsets")) {
            from = FROM_OFFSETS;
            arg = argv[++i];
            modes++;
        } else if (!strcmp(o, "--yes")) {
            yes = 1;
        } else {
            fprintf(stderr, "ordctl replay: unknown argument %s (see ordctl --help)\n", o);
            return 2;
        }
    }
    if (!topic || !*topic || !group || !*group || modes != 1) {
        fprintf(stderr,
                "ordctl replay: %s; usage: replay --topic T --group G (--from-beginning | --from-time ISO8601 | "
                "--from-offsets P:O,...) [--yes]\n",
                !topic || !*topic   ? "--topic is required"
                : !group || !*group ? "--group is required"
                : modes             ? "give only one of --from-beginning, --from-time, --from-offsets"
                                    : "say where to start: --from-beginning, --from-time or --from-offsets");
        return 2;
    }
    int64_t at_ms = 0;
    if (from == FROM_TIME && parse_time(arg, &at_ms)) {
        fprintf(stderr,
                "ordctl replay: --from-time '%s' is not a time like 2026-11-30T12:00:00Z or '2026-11-30 12:00:00' "
                "(UTC)\n",
                arg);
        return 2;
    }
    if (need_kafka()) return 2;
    char err[512], full[256];
    snprintf(full, sizeof full, "%s%s", of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), topic);
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, "ordctl-replay", err, sizeof err);
    /* log_level 2: librdkafka's connection errors would add lines to the one this command prints for each error */
    if (conf && (rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) != RD_KAFKA_CONF_OK ||
                 rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) != RD_KAFKA_CONF_OK ||
                 rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err) != RD_KAFKA_CONF_OK)) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    /* A consumer handle with the group's id, never subscribed: it reads the group's offsets without joining it. */
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
    if (!rk) {
        if (conf) rd_kafka_conf_destroy(conf);
        fprintf(stderr, "ordctl replay: %s\n", err);
        return 1;
    }
    int rc = 1, np = 0;
    part_t *parts = NULL;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, full, NULL);
    of_progress_init(&pg, "ordctl replay", 0);
    of_progress_show(&pg, 1, "reading the metadata of %s", full);
    rd_kafka_resp_err_t e = rkt ? rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS) : rd_kafka_last_error();
    of_progress_end(&pg);
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (e) {
        fprintf(stderr, "ordctl replay: Kafka (%s) does not answer: %s\n", of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP),
                rd_kafka_err2str(e));
        goto out;
    }
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt <= 0) {
        fprintf(stderr, "ordctl replay: topic %s not found: %s\n", full,
                md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not in the cluster's metadata");
        goto out;
    }
    np = md->topics[0].partition_cnt;
    if (!(parts = calloc((size_t)np, sizeof *parts))) goto out;
    for (int i = 0; i < np; i++) {
        of_progress_show(&pg, 0, "reading the watermarks of %s: partition %d of %d", full, i + 1, np);
        for (int64_t until = of_mono_ms() + TIMEOUT_MS;; usleep(200 * 1000)) {
            e = rd_kafka_query_watermark_offsets(rk, full, i, &parts[i].lo, &parts[i].hi, TIMEOUT_MS);
            if (!e || !of_kafka_retriable(e) || of_mono_ms() >= until) break;
        }
        if (i == np - 1 || e) of_progress_end(&pg);
        if (e) {
            fprintf(stderr, "ordctl replay: cannot read the watermarks of %s[%d]: %s\n", full, i, rd_kafka_err2str(e));
            goto out;
        }
    }
    if ((rc = group_idle(rk, group)) != 0) goto out;
    rc = 1;
    if (committed(rk, full, parts, np)) goto out;
    char from_text[160];
    if (from == FROM_BEGINNING) {
        for (int i = 0; i < np; i++) {
            parts[i].target = parts[i].lo;
            parts[i].change = 1;
        }
        snprintf(from_text, sizeof from_text, "from the beginning (log start)");
    } else if (from == FROM_TIME) {
        if (offsets_at(rk, full, at_ms, parts, np)) goto out;
        time_t secs = (time_t)(at_ms / 1000);
        struct tm tm;
        char when[40];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", gmtime_r(&secs, &tm));
        snprintf(from_text, sizeof from_text, "from %s.%03dZ (%lld ms)", when, (int)(at_ms % 1000), (long long)at_ms);
    } else {
        if (parse_offsets(arg, full, parts, np)) {
            rc = 2;
            goto out;
        }
        snprintf(from_text, sizeof from_text, "from the given offsets (other partitions unchanged)");
    }
    print_plan(group, full, from_text, parts, np);
    if (!yes) {
        printf("dry run: add --yes to reset\n");
        rc = 0;
        goto out;
    }
    /* Members may have joined while the plan was printed: ask again right before the commit. */
    if ((rc = group_idle(rk, group)) != 0) goto out;
    if ((rc = alter(rk, group, full, parts, np)) != 0) goto out;
    rc = verify(rk, group, full, parts, np);
out:
    if (md) rd_kafka_metadata_destroy(md);
    free(parts);
    rd_kafka_destroy(rk);
    return rc;
}
