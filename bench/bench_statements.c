/* Client statements in batch (issue 16): every account of a book's firm gets its statement for a
 * period built (ra_statement_build) and rendered as PDF (ra_statement_render) in one language,
 * by T threads each with its own connection to the book; then, in the same run, the plain peer: a
 * cairo document of the same shape (two A4 pages: a 30-row table of 8 columns, a 1,260-point line
 * chart and a pie chart) in the same font, without any book. Prints wall and CPU seconds, the
 * statements per second, peak memory, the average PDF size, and our CPU per document against the
 * peer's. bench/README.md#statements says how the book is made (bench/bench_statements.sh).
 *
 *   bench_statements --db FILE --key-file F --firm CODE --from D1 --to D2 [--lang en|zh-CN]
 *                    [--threads T] [--limit N] [--peer N] [--repeat R] [--out DIR]
 * --repeat R renders each statement R times (the gathering once): the rendering's own cost. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_book.h>
#include <roboadvisor/engine_statement.h>

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PI 3.14159265358979323846

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

typedef struct job {
    const char *db, *key_file, *firm, *out_dir;
    ra_date from, to;
    ra_stmt_lang lang;
    char (*codes)[RA_CODE_MAX];
    size_t n, tid, threads, repeat; /* repeat: renders of each statement (1; more to time them) */
    size_t done, bytes, failed;
    double build_cpu, render_cpu; /* this thread's CPU seconds in each part */
} job;

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    job *j = arg;
    ra_book_open_opts o = {0};
    o.url = j->db;
    o.firm = j->firm;
    o.key_file = j->key_file;
    o.need_firm = 1;
    ra_book *b = NULL;
    ra_err err = {0};
    if (ra_book_open(&o, &b, &err) != RA_OK) {
        fprintf(stderr, "bench_statements: %s: %s\n", err.where, err.msg);
        j->failed = j->n;
        return NULL;
    }
    for (size_t i = j->tid; i < j->n; i += j->threads) {
        ra_statement st;
        char *pdf = NULL;
        size_t len = 0;
        double t0 = thread_cpu_s();
        ra_status rc = ra_statement_build(b->store, b->firm.code, j->codes[i], j->from, j->to, &st,
                                          &err);
        double t1 = thread_cpu_s();
        for (size_t r = 0; rc == RA_OK && r < j->repeat; r++) {
            ra_free(pdf);
            pdf = NULL;
            rc = ra_statement_render(&st, RA_STMT_PDF, j->lang, &pdf, &len, &err);
        }
        j->build_cpu += t1 - t0;
        j->render_cpu += thread_cpu_s() - t1;
        ra_statement_clear(&st);
        if (rc != RA_OK) {
            if (!j->failed++)
                fprintf(stderr, "bench_statements: account %s: %s\n", j->codes[i], err.msg);
            continue;
        }
        if (j->out_dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%s.pdf", j->out_dir, j->codes[i],
                     j->lang == RA_STMT_ZH_CN ? "zh-CN" : "en");
            FILE *f = fopen(path, "wb");
            if (f) {
                fwrite(pdf, 1, len, f);
                fclose(f);
            }
        }
        j->done += j->repeat;
        j->bytes += len * j->repeat;
        ra_free(pdf);
    }
    ra_book_close(b);
    return NULL;
}

/* --- the peer: a plain cairo document of the same shape --------------------------------------- */

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int length)
{
    (void)data;
    *(size_t *)closure += length;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_font_face_t *face_of(const char *family)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)family);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, pat, &res);
    cairo_font_face_t *f = cairo_ft_font_face_create_for_pattern(m);
    FcPatternDestroy(m);
    FcPatternDestroy(pat);
    return f;
}

static size_t peer_document(cairo_font_face_t *face, int zh)
{
    size_t bytes = 0;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(sink, &bytes, 595.28, 841.89);
    cairo_t *cr = cairo_create(s);
    cairo_set_font_face(cr, face);
    const char *label = zh ? "期末市值" : "Closing value";
    for (int page = 0; page < 2; page++) {
        cairo_set_font_size(cr, 11);
        cairo_move_to(cr, 42, 32);
        cairo_show_text(cr, zh ? "客户对账单" : "Client statement");
        cairo_set_font_size(cr, 7.2);
        for (int r = 0; r < 30; r++)
            for (int c = 0; c < 8; c++) {
                char t[64];
                snprintf(t, sizeof t, "%d,%03d.%02d", 10 + r * c, (r * 37 + c) % 1000,
                         (r + c) % 100);
                cairo_move_to(cr, 42 + c * 64, 80 + r * 12);
                cairo_show_text(cr, c ? t : label);
            }
        if (page == 0) { /* a 1,260-point line chart */
            cairo_set_line_width(cr, 1.5);
            cairo_move_to(cr, 60, 700);
            for (int i = 1; i < 1260; i++)
                cairo_line_to(cr, 60 + i * 0.4, 700 - 60 * (1 + sin(i / 50.0)) - i * 0.02);
            cairo_stroke(cr);
        } else { /* a pie chart */
            double a = 0;
            for (int k = 0; k < 6; k++) {
                cairo_set_source_rgb(cr, k / 6.0, 0.4, 1 - k / 6.0);
                cairo_move_to(cr, 300, 620);
                cairo_arc(cr, 300, 620, 100, a, a + 2 * PI / 6);
                cairo_close_path(cr);
                cairo_fill(cr);
                a += 2 * PI / 6;
            }
            cairo_set_source_rgb(cr, 0, 0, 0);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return bytes;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_statements --db FILE --key-file F --firm CODE --from D1 --to D2 "
                    "[--lang en|zh-CN] [--threads T] [--limit N] [--peer N] [--out DIR]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *db = NULL, *key = NULL, *firm = NULL, *from = NULL, *to = NULL, *lang = "en",
               *out_dir = NULL;
    size_t threads = 2, limit = 0, peer_n = 200, repeat = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--db")) db = argv[i + 1];
        else if (!strcmp(argv[i], "--key-file")) key = argv[i + 1];
        else if (!strcmp(argv[i], "--firm")) firm = argv[i + 1];
        else if (!strcmp(argv[i], "--from")) from = argv[i + 1];
        else if (!strcmp(argv[i], "--to")) to = argv[i + 1];
        else if (!strcmp(argv[i], "--lang")) lang = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--limit")) limit = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--peer")) peer_n = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--repeat")) repeat = strtoul(argv[i + 1], NULL, 10);
        else usage();
    }
    if (!db || !firm || !from || !to || threads < 1 || threads > 64 || repeat < 1)
        usage();
    ra_err err = {0};
    ra_date d1, d2;
    ra_stmt_lang L;
    if (ra_date_parse(from, strlen(from), &d1, &err) != RA_OK ||
        ra_date_parse(to, strlen(to), &d2, &err) != RA_OK || ra_stmt_lang_parse(lang, &L, &err))
        usage();
    ra_book_open_opts o = {0};
    o.url = db;
    o.firm = firm;
    o.key_file = key;
    o.need_firm = 1;
    ra_book *b = NULL;
    char (*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    if (ra_book_open(&o, &b, &err) != RA_OK ||
        ra_store_account_list(b->store, b->firm.code, &codes, &n, &err) != RA_OK) {
        fprintf(stderr, "bench_statements: %s: %s\n", err.where, err.msg);
        return 1;
    }
    ra_book_close(b);
    if (limit && limit < n)
        n = limit;
    job jobs[64];
    pthread_t th[64];
    double w0 = now_s(), c0 = cpu_s();
    for (size_t t = 0; t < threads; t++) {
        jobs[t] = (job){db, key, firm, out_dir, d1, d2, L, codes, n, t, threads, repeat, 0, 0, 0, 0, 0};
        pthread_create(&th[t], NULL, worker, &jobs[t]);
    }
    size_t done = 0, bytes = 0, failed = 0;
    double build = 0, render = 0;
    for (size_t t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        build += jobs[t].build_cpu;
        render += jobs[t].render_cpu;
        done += jobs[t].done;
        bytes += jobs[t].bytes;
        failed += jobs[t].failed;
    }
    double wall = now_s() - w0, cpu = cpu_s() - c0;
    long rss = peak_rss_kib();
    /* the peer, one thread, in the same run and font */
    cairo_font_face_t *face = face_of(L == RA_STMT_ZH_CN ? "Noto Sans CJK SC" : "DejaVu Sans");
    double p0 = cpu_s();
    size_t pbytes = 0;
    for (size_t i = 0; i < peer_n; i++)
        pbytes += peer_document(face, L == RA_STMT_ZH_CN);
    double pcpu = cpu_s() - p0;
    cairo_font_face_destroy(face);
    double ours_ms = done ? cpu / (double)done * 1e3 : NAN, peer_ms = pcpu / (double)peer_n * 1e3;
    printf("statements %s: %zu accounts (%zu failed), %zu threads: %.2f s wall, %.2f s CPU, "
           "%.0f statements/s, %.2f ms CPU each, %.0f KiB PDF each, peak RSS %ld MiB\n",
           lang, done, failed, threads, wall, cpu, done / wall, ours_ms,
           done ? (double)bytes / (double)done / 1024 : 0.0, rss / 1024);
    printf("of which gathering from the book %.2f ms CPU each, rendering %.2f ms CPU each\n",
           done ? build / (double)done * (double)repeat * 1e3 : NAN, done ? render / (double)done * 1e3 : NAN);
    printf("peer (plain cairo, 2 pages, table, 1260-point line, pie, same font): %.2f ms CPU each, "
           "%.0f KiB each; ratio ours/peer %.1fx; %zu accounts extrapolated to 10,000 on %zu "
           "threads: %.1f s\n",
           peer_ms, pbytes / (double)peer_n / 1024, ours_ms / peer_ms, done, threads,
           done ? wall / (double)done * 10000 : NAN);
    free(codes);
    return failed ? 1 : 0;
}
