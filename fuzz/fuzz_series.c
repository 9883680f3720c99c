/* libFuzzer target for the wide-series reader (ra_csv_parse_series) and what runs on its result:
 * ra_series_select, ra_series_complete and ra_series_check_positive. Aborts when a promise of
 * include/roboadvisor/csv.h does not hold. Corpus: fuzz/corpus/series; see fuzz/README.md. */
#include <roboadvisor/csv.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_err(const ra_err *err, ra_status st)
{
    CHECK(err->code == st);
    CHECK(memchr(err->where, '\0', sizeof err->where) != NULL);
    CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL);
    CHECK(err->msg[0] != '\0');
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_series(const ra_series *s)
{
    CHECK(s->n_rows >= 2 && s->n_cols >= 1 && s->n_cols <= RA_CSV_MAX_COLS);
    CHECK(strcmp(s->source, "fuzz.csv") == 0);
    for (size_t t = 0; t < s->n_rows; t++) {
        CHECK(fuzz_date_valid(s->dates[t]));
        CHECK(s->lines[t] >= 2);
        if (t > 0) {
            CHECK(s->dates[t] > s->dates[t - 1]);
            CHECK(s->lines[t] > s->lines[t - 1]);
        }
    }
    for (size_t k = 0; k < s->n_rows * s->n_cols; k++)
        CHECK(isnan(s->values[k]) || isfinite(s->values[k]));
    const char **sorted = malloc(s->n_cols * sizeof *sorted);
    CHECK(sorted != NULL);
    for (size_t j = 0; j < s->n_cols; j++) {
        size_t n = strlen(s->names[j]);
        CHECK(n >= 1 && n <= RA_CSV_MAX_FIELD);
        CHECK(s->names[j][0] != ' ' && s->names[j][n - 1] != ' ');
        sorted[j] = s->names[j];
    }
    qsort(sorted, s->n_cols, sizeof *sorted, cmp_str);
    for (size_t j = 1; j < s->n_cols; j++)
        CHECK(strcmp(sorted[j - 1], sorted[j]) != 0);
    free(sorted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_series *s = (ra_series *)(uintptr_t)1;
    ra_status st = ra_csv_parse_series((const char *)data, size, "fuzz.csv", &s, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, s, &err);
        return 0;
    }
    check_series(s);
    for (size_t j = 0; j < s->n_cols; j++)
        CHECK(s->columns[j] == j + 2);

    /* select the columns in reverse order: values move with their names */
    size_t n = s->n_cols, rows = s->n_rows;
    char **names = malloc(n * sizeof *names);
    double *before = malloc(rows * n * sizeof *before);
    CHECK(names && before);
    for (size_t j = 0; j < n; j++)
        names[j] = s->names[n - 1 - j];
    memcpy(before, s->values, rows * n * sizeof *before);
    /* the pointers stay valid: select keeps the strings it keeps */
    st = ra_series_select(s, (const char *const *)names, n, &err);
    CHECK(st == RA_OK);
    check_series(s);
    for (size_t j = 0; j < n; j++) {
        CHECK(s->names[j] == names[j]);
        CHECK(s->columns[j] == n - j + 1);
        for (size_t t = 0; t < rows; t++) {
            double a = s->values[t * n + j], b = before[t * n + (n - 1 - j)];
            CHECK((isnan(a) && isnan(b)) || a == b);
        }
    }
    free(before);
    /* a name no column has: the fuzzer can name a column anything (once "\x01no such column"),
     * but not with more bytes than the longest name */
    size_t longest = 0;
    for (size_t j = 0; j < n; j++)
        if (strlen(s->names[j]) > longest)
            longest = strlen(s->names[j]);
    char *absent = malloc(longest + 2);
    CHECK(absent != NULL);
    memset(absent, 'x', longest + 1);
    absent[longest + 1] = '\0';
    const char *nope[] = {absent};
    CHECK(ra_series_select(s, nope, 1, &err) == RA_ENOTFOUND);
    check_err(&err, RA_ENOTFOUND);
    free(absent);
    if (n >= 1) {
        const char *twice[] = {names[0], names[0]};
        CHECK(ra_series_select(s, twice, 2, &err) == RA_EINVAL);
        check_err(&err, RA_EINVAL);
    }
    free(names);

    st = ra_series_check_positive(s, &err);
    if (st != RA_OK)
        check_err(&err, st);
    st = ra_series_check_returns(s, &err);
    if (st != RA_OK)
        check_err(&err, st);

    size_t dropped = 0;
    st = ra_series_complete(s, 0, &dropped, &err);
    if (st == RA_OK) {
        CHECK(dropped == 0);
    } else {
        check_err(&err, RA_EPARSE);
        st = ra_series_complete(s, 1, &dropped, &err);
        if (st == RA_OK) {
            check_series(s);
            CHECK(dropped >= 1 && s->n_rows + dropped == rows);
            for (size_t k = 0; k < s->n_rows * s->n_cols; k++)
                CHECK(!isnan(s->values[k]));
        } else {
            check_err(&err, RA_EPARSE);
            CHECK(s->n_rows == rows);
        }
    }
    ra_series_destroy(s);
    return 0;
}
