/* of-testmerchant -- a merchant's delivery endpoint for tests, `make run` and the benchmark: checks the
 * HMAC-SHA256 signature and answers as told (success, 500, 400, hang, slow). */
#define _GNU_SOURCE /* memmem, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "of_sign.h"

#define MAX_MERCHANTS 16
#define MAX_REQ (1024 * 1024)

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

typedef enum { MODE_OK, MODE_500, MODE_400, MODE_HANG } mode_t_;
static const char *const mode_names[] = {"ok", "500", "400", "hang"};

static struct {
    mode_t_ mode;
    long fail;     /* the next `fail` deliveries answer 500, then the mode applies */
    long delay_ms; /* answer this long after receipt */
    struct {
        char no[65];
        const char *secret;
    } merchants[MAX_MERCHANTS];
    int nmerchants;
    FILE *log;
    long requests, ok, failed, bad, bad_sig, hung, dups;
    uint64_t *seen; /* idempotency keys seen (FNV-1a), open addressing */
    size_t seen_cap, nseen;
} S;

typedef struct {
    int fd;
    char *in;
    size_t inlen, incap;
    char *out;
    size_t outlen, outoff;
    int64_t respond_at; /* > 0: a response is waiting for its time */
    int hang, close_after, dead;
    char pending[512];
    int pending_status;
} conn_t;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ? h : 1;
}

/* 1 when key was seen before; remembers it. */
static int seen_before(const char *key) {
    if (S.nseen * 2 >= S.seen_cap) {
        size_t nc = S.seen_cap ? S.seen_cap * 2 : 4096;
        uint64_t *ns = calloc(nc, sizeof *ns);
        if (!ns) return 0;
        for (size_t i = 0; i < S.seen_cap; i++)
            if (S.seen[i])
                for (size_t j = S.seen[i] % nc;; j = (j + 1) % nc)
                    if (!ns[j]) {
                        ns[j] = S.seen[i];
                        break;
                    }
        free(S.seen);
        S.seen = ns;
        S.seen_cap = nc;
    }
    uint64_t h = fnv(key);
    for (size_t j = h % S.seen_cap;; j = (j + 1) % S.seen_cap) {
        if (S.seen[j] == h) return 1;
        if (!S.seen[j]) {
            S.seen[j] = h;
            S.nseen++;
            return 0;
        }
    }
}

/* value of header name in the header block (copied to buf), "" when absent */
static const char *header(const char *hdrs, size_t hlen, const char *name, char *buf, size_t size) {
    size_t nl = strlen(name);
    buf[0] = '\0';
    const char *p = hdrs, *end = hdrs + hlen;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && *v == ' ')
                v++;
            size_t n = (size_t)(eol - v);
            while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
                n--;
            if (n >= size) n = size - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
        p = eol + 1;
    }
    return buf;
}

static void queue_response(conn_t *c, int status, const char *body) {
    const char *reason = status == 200   ? "OK"
                         : status == 400 ? "Bad Request"
                         : status == 401 ? "Unauthorized"
                         : status == 404 ? "Not Found"
                                         : "Internal Server Error";
    char head[256];
    int hl =
        snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
                 status, reason, strlen(body), c->close_after ? "Connection: close\r\n" : "");
    size_t need = c->outlen + (size_t)hl + strlen(body);
    char *no = realloc(c->out, need + 1);
    if (!no) return;
    c->out = no;
    memcpy(c->out + c->outlen, head, (size_t)hl);
    memcpy(c->out + c->outlen + hl, body, strlen(body));
    c->outlen = need;
}

static void set_mode(const char *kv) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", kv);
    char *save = NULL;
    for (char *t = strtok_r(buf, "&\r\n ", &save); t; t = strtok_r(NULL, "&\r\n ", &save)) {
        if (!strncmp(t, "mode=", 5)) {
            for (int i = 0; i < 4; i++)
                if (!strcmp(t + 5, mode_names[i])) S.mode = (mode_t_)i;
        } else if (!strncmp(t, "fail=", 5)) {
            S.fail = atol(t + 5);
        } else if (!strncmp(t, "delay_ms=", 9)) {
            S.delay_ms = atol(t + 9);
        }
    }
}

/* Handle one complete request (head + body); returns 0, or -1 to close. */
static void handle(conn_t *c, const char *req, size_t hlen, const char *body, size_t blen) {
    char method[16] = "", path[256] = "";
    sscanf(req, "%15s %255s", method, path);
    char v[512];
    if (!strcasecmp(header(req, hlen, "Connection", v, sizeof v), "close")) c->close_after = 1;
    if (!strcmp(path, "/_stats")) {
        char out[512];
        snprintf(out, sizeof out,
                 "{\"requests\":%ld,\"ok\":%ld,\"failed\":%ld,\"bad\":%ld,\"bad_signature\":%ld,\"hung\":%ld,"
                 "\"duplicates\":%ld,\"mode\":\"%s\",\"fail\":%ld,\"delay_ms\":%ld}",
                 S.requests, S.ok, S.failed, S.bad, S.bad_sig, S.hung, S.dups, mode_names[S.mode], S.fail, S.delay_ms);
        queue_response(c, 200, out);
        return;
    }
    if (!strncmp(path, "/_control", 9)) {
        const char *q = strchr(path, '?');
        if (q) set_mode(q + 1);
        if (blen) {
            char b[256];
            snprintf(b, sizeof b, "%.*s", (int)(blen < 255 ? blen : 255), body);
            set_mode(b);
        }
        fprintf(stderr, "testmerchant: mode=%s fail=%ld delay_ms=%ld\n", mode_names[S.mode], S.fail, S.delay_ms);
        queue_response(c, 200, "{\"ok\":true}");
        return;
    }
    if (strcmp(method, "POST")) {
        queue_response(c, 404, "{\"error\":\"POST a delivery\"}");
        return;
    }
    S.requests++;
    char idem[200], sig[120], merchant[80], attempt[16], event[160], order[100];
    header(req, hlen, "Idempotency-Key", idem, sizeof idem);
    header(req, hlen, OF_SIGN_HEADER, sig, sizeof sig);
    header(req, hlen, "X-OF-Merchant", merchant, sizeof merchant);
    header(req, hlen, "X-OF-Attempt", attempt, sizeof attempt);
    header(req, hlen, "X-OF-Event-Id", event, sizeof event);
    header(req, hlen, "X-OF-Order", order, sizeof order);
    const char *secret = NULL;
    for (int i = 0; i < S.nmerchants; i++)
        if (!strcmp(S.merchants[i].no, merchant)) secret = S.merchants[i].secret;
    int sig_ok = secret && of_sign_verify(secret, body, blen, sig);
    int dup = *idem && sig_ok ? seen_before(idem) : 0;
    int status;
    const char *answer;
    if (!sig_ok) {
        status = 401;
        answer = "{\"error\":\"bad signature\"}";
        S.bad_sig++;
    } else if (S.fail > 0) {
        S.fail--;
        status = 500;
        answer = "{\"error\":\"merchant down\"}";
    } else if (S.mode == MODE_500) {
        status = 500;
        answer = "{\"error\":\"merchant down\"}";
    } else if (S.mode == MODE_400) {
        status = 400;
        answer = "{\"error\":\"bad request: unknown goods\"}";
    } else if (S.mode == MODE_HANG) {
        status = 0;
        answer = "";
    } else {
        status = 200;
        answer = dup ? "{\"ok\":true,\"duplicate\":true}" : "{\"ok\":true}";
    }
    if (dup) S.dups++;
    if (status == 200) S.ok++;
    if (status == 500) S.failed++;
    if (status == 400) S.bad++;
    if (S.log) {
        fprintf(S.log, "t_ms=%lld order=%s idem=%s attempt=%s merchant=%s sig=%s dup=%d answer=%d event=%s\n",
                (long long)now_ms(), *order ? order : "-", *idem ? idem : "-", *attempt ? attempt : "-",
                *merchant ? merchant : "-", sig_ok ? "ok" : "bad", dup, status, *event ? event : "-");
        fflush(S.log);
    }
    if (!status) {
        S.hung++;
        c->hang = 1;
        return;
    }
    if (S.delay_ms > 0) {
        c->respond_at = now_ms() + S.delay_ms;
        c->pending_status = status;
        snprintf(c->pending, sizeof c->pending, "%s", answer);
        return;
    }
    queue_response(c, status, answer);
}

/* Parse what arrived; handle complete requests while no response is pending. */
static void process(conn_t *c) {
    while (!c->hang && !c->respond_at) {
        char *end = c->inlen >= 4 ? memmem(c->in, c->inlen, "\r\n\r\n", 4) : NULL;
        if (!end) return;
        size_t hlen = (size_t)(end - c->in) + 4;
        char v[32];
        long clen = atol(header(c->in, hlen, "Content-Length", v, sizeof v));
        if (clen < 0 || clen > MAX_REQ) {
            c->close_after = 1;
            queue_response(c, 400, "{\"error\":\"bad length\"}");
            c->inlen = 0;
            return;
        }
        if (c->inlen < hlen + (size_t)clen) return;
        c->in[hlen - 1] = '\0';
        handle(c, c->in, hlen, c->in + hlen, (size_t)clen);
        size_t used = hlen + (size_t)clen;
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
    }
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: of-testmerchant [--port N] [--port-file PATH] [--log PATH] [--merchant NO=ENVNAME]...\n"
            "                       [--mode ok|500|400|hang] [--fail N] [--delay-ms N]\n"
            "\n"
            "A merchant delivery endpoint for tests, `make run` and bench/. Listens on 127.0.0.1:N (0 = any free\n"
            "port, written to --port-file). Every POST is a delivery: its X-OF-Signature must be the HMAC-SHA256 of\n"
            "the body under the secret of its X-OF-Merchant (the value of environment variable ENVNAME; a bad or\n"
            "missing signature is answered 401). Then it answers as the mode says: ok (200), 500, 400, or hang (never\n"
            "answers); --fail N answers 500 to the next N deliveries first; --delay-ms answers that much later.\n"
            "Change it while running: POST /_control with mode=..&fail=..&delay_ms=.. ; GET /_stats for counts.\n"
            "--log appends one line per delivery: t_ms order idem attempt merchant sig dup answer event.\n");
}

int main(int argc, char **argv) {
    int port = 0;
    const char *port_file = NULL, *log_path = NULL;
    static const struct option opts[] = {{"port", required_argument, 0, 'p'},
                                         {"port-file", required_argument, 0, 'f'},
                                         {"log", required_argument, 0, 'l'},
                                         {"merchant", required_argument, 0, 'm'},
                                         {"mode", required_argument, 0, 'M'},
                                         {"fail", required_argument, 0, 'F'},
                                         {"delay-ms", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    char kv[64];
    while ((c = getopt_long(argc, argv, "p:f:l:m:M:F:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            port = atoi(optarg);
            break;
        case 'f':
            port_file = optarg;
            break;
        case 'l':
            log_path = optarg;
            break;
        case 'm': {
            const char *eq = strchr(optarg, '=');
            if (!eq || S.nmerchants == MAX_MERCHANTS) {
                fprintf(stderr, "of-testmerchant: --merchant NO=ENVNAME\n");
                return 2;
            }
            const char *secret = getenv(eq + 1);
            if (!secret || !*secret) {
                fprintf(stderr, "of-testmerchant: environment variable %s (secret of %.*s) is not set\n", eq + 1,
                        (int)(eq - optarg), optarg);
                return 2;
            }
            snprintf(S.merchants[S.nmerchants].no, sizeof S.merchants[0].no, "%.*s", (int)(eq - optarg), optarg);
            S.merchants[S.nmerchants++].secret = secret;
            break;
        }
        case 'M':
            snprintf(kv, sizeof kv, "mode=%s", optarg);
            set_mode(kv);
            break;
        case 'F':
            S.fail = atol(optarg);
            break;
        case 'd':
            S.delay_ms = atol(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (log_path && !(S.log = fopen(log_path, "a"))) {
        fprintf(stderr, "of-testmerchant: cannot open %s: %s\n", log_path, strerror(errno));
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 1024)) {
        fprintf(stderr, "of-testmerchant: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }
    socklen_t al = sizeof addr;
    getsockname(ls, (struct sockaddr *)&addr, &al);
    port = ntohs(addr.sin_port);
    if (port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) || rename(tmp, port_file)) {
            fprintf(stderr, "of-testmerchant: cannot write %s\n", port_file);
            return 1;
        }
    }
    fprintf(stderr, "testmerchant: listening on 127.0.0.1:%d mode=%s fail=%ld delay_ms=%ld merchants=%d\n", port,
            mode_names[S.mode], S.fail, S.delay_ms, S.nmerchants);

    conn_t **conns = NULL;
    int nconns = 0, cap = 0;
    struct pollfd *pfd = NULL;
    while (!stop_flag) {
        if (cap < nconns + 1) {
            int nc = cap ? cap * 2 : 64;
            conn_t **ncs = realloc(conns, sizeof *ncs * (size_t)nc);
            struct pollfd *np = ncs ? realloc(pfd, sizeof *np * (size_t)(nc + 1)) : NULL;
            if (ncs) conns = ncs;
            if (np) pfd = np;
            if (!ncs || !np) break;
            cap = nc;
        }
        int64_t now = now_ms(), wake = now + 200;
        pfd[0] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (int i = 0; i < nconns; i++) {
            conn_t *k = conns[i];
            if (k->respond_at && k->respond_at <= now) {
                queue_response(k, k->pending_status, k->pending);
                k->respond_at = 0;
                process(k);
            }
            if (k->respond_at && k->respond_at < wake) wake = k->respond_at;
            pfd[i + 1] = (struct pollfd){.fd = k->fd, .events = POLLIN | (k->outlen > k->outoff ? POLLOUT : 0)};
        }
        int rc = poll(pfd, (nfds_t)nconns + 1, (int)(wake - now));
        if (rc < 0) {
            if (errno == EINTR) continue;
            break;
        }
        int npolled = nconns;
        if (pfd[0].revents & POLLIN) {
            for (;;) {
                int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) break;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                conn_t *k = calloc(1, sizeof *k);
                if (!k || nconns >= cap) {
                    free(k);
                    close(fd);
                    break;
                }
                k->fd = fd;
                conns[nconns++] = k;
            }
        }
        for (int i = 0; i < npolled; i++) {
            conn_t *k = conns[i];
            int drop = 0;
            short re = pfd[i + 1].revents;
            if (re & (POLLIN | POLLHUP | POLLERR)) {
                if (k->incap - k->inlen < 65536) {
                    size_t nc = k->incap ? k->incap * 2 : 131072;
                    char *ni = nc <= 2 * MAX_REQ ? realloc(k->in, nc) : NULL;
                    if (!ni)
                        drop = 1;
                    else {
                        k->in = ni;
                        k->incap = nc;
                    }
                }
                ssize_t n = drop ? -1 : read(k->fd, k->in + k->inlen, k->incap - k->inlen - 1);
                if (n <= 0 && !(n < 0 && errno == EAGAIN))
                    drop = 1;
                else if (n > 0) {
                    k->inlen += (size_t)n;
                    process(k);
                }
            }
            if (!drop && k->outlen > k->outoff) {
                ssize_t n = write(k->fd, k->out + k->outoff, k->outlen - k->outoff);
                if (n < 0 && errno != EAGAIN) drop = 1;
                if (n > 0) k->outoff += (size_t)n;
                if (k->outoff == k->outlen) {
                    k->outoff = k->outlen = 0;
                    if (k->close_after) drop = 1;
                }
            }
            k->dead = drop;
        }
        int j = 0;
        for (int i = 0; i < nconns; i++) {
            conn_t *k = conns[i];
            if (!k->dead) {
                conns[j++] = k;
                continue;
            }
            close(k->fd);
            free(k->in);
            free(k->out);
            free(k);
        }
        nconns = j;
    }
    for (int i = 0; i < nconns; i++) {
        close(conns[i]->fd);
        free(conns[i]->in);
        free(conns[i]->out);
        free(conns[i]);
    }
    free(conns);
    free(pfd);
    free(S.seen);
    close(ls);
    if (S.log) fclose(S.log);
    fprintf(stderr, "testmerchant: stopped requests=%ld ok=%ld failed=%ld bad=%ld bad_signature=%ld hung=%ld\n",
            S.requests, S.ok, S.failed, S.bad, S.bad_sig, S.hung);
    return 0;
}
