/* Candidate-portfolio screening (include/roboadvisor/screen.h; docs/methodology.md#candidate-
 * portfolios). Subsets are drawn by a partial Fisher-Yates shuffle of ra_rng_stream(seed, 0) and
 * kept distinct with an open-addressing set of their 256-bit membership masks. */
#include "roboadvisor/screen.h"
#include "roboadvisor/opt.h"
#include "roboadvisor/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POOL 256          /* assets in the pool: a subset is a 256-bit mask */
#define MAX_REDRAWS 64        /* draws of an already-tried subset before giving up */
#define TOL_DISTINCT 1e-6     /* portfolios closer than this in L1 are the same (RA_MODELS_TOL_SAME) */

void ra_screen_settings_default(ra_screen_settings *s)
{
    s->k = 5;
    s->min_weight = 0.05;
    s->objective = RA_SCREEN_MIN_VARIANCE;
    s->rf = 0.0;
    s->min_return = -INFINITY;
    s->max_volatility = INFINITY;
    s->tries = 1000;
    s->seed = 1;
}

double ra_screen_level_max_volatility(int level)
{
    static const double cap[5] = {0.08, 0.12, 0.16, 0.22, INFINITY};
    return level >= 1 && level <= 5 ? cap[level - 1] : INFINITY;
}

typedef struct mask {
    uint64_t b[MAX_POOL / 64];
} mask;

static uint64_t mask_hash(const mask *m)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < MAX_POOL / 64; i++) {
        h ^= m->b[i];
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    return h;
}

/* Inserts m; returns 1 if new, 0 if present. */
static int set_insert(mask *tab, unsigned char *used, size_t cap, const mask *m)
{
    size_t i = (size_t)(mask_hash(m) & (cap - 1));
    while (used[i]) {
        if (memcmp(&tab[i], m, sizeof *m) == 0)
            return 0;
        i = (i + 1) & (cap - 1);
    }
    used[i] = 1;
    tab[i] = *m;
    return 1;
}

/* C(n, k), saturating at SIZE_MAX. */
static size_t n_choose_k(size_t n, size_t k)
{
    double c = 1.0;
    for (size_t i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
    return c >= 1e18 ? SIZE_MAX : (size_t)llround(c);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

ra_status ra_screen_run(size_t n, const double *mu, const double *cov,
                        const ra_screen_settings *s, size_t cap, size_t *out_idx, double *out_w,
                        double *out_ret, double *out_vol, ra_screen_stats *stats, ra_err *err)
{
    memset(stats, 0, sizeof *stats);
    if (n < 2 || n > MAX_POOL)
        return ra_err_set(err, RA_EINVAL, NULL, "the pool has %zu assets (2..%d)", n, MAX_POOL);
    if (s->k < 2 || s->k > n)
        return ra_err_set(err, RA_EINVAL, NULL, "cardinality %zu is not in 2..%zu", s->k, n);
    if (!(s->min_weight >= 0.0) || s->min_weight * (double)s->k > 1.0 + 1e-12)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "minimum weight %g times cardinality %zu is more than 1", s->min_weight,
                          s->k);
    if (cap > 0 && (!out_idx || !out_w || !out_ret || !out_vol))
        return ra_err_set(err, RA_EINVAL, NULL, "output arrays are missing");
    size_t k = s->k, total = n_choose_k(n, k);
    size_t tries = s->tries < total ? s->tries : total;
    size_t tcap = 16;
    while (tcap < 2 * tries + 2)
        tcap *= 2;
    size_t wsize = ra_opt_workspace_size(k, 0);
    mask *tab = malloc(tcap * sizeof *tab);
    unsigned char *used = calloc(tcap, 1);
    size_t *perm = malloc(n * sizeof *perm), *sub = malloc(k * sizeof *sub);
    double *c = malloc(k * k * sizeof *c), *m = malloc(k * sizeof *m), *lo = malloc(k * sizeof *lo),
           *hi = malloc(k * sizeof *hi), *w = malloc(k * sizeof *w);
    void *work = malloc(wsize);
    ra_status rc = RA_OK;
    if (!tab || !used || !perm || !sub || !c || !m || !lo || !hi || !w || !work) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the screen of %zu tries", tries);
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        lo[i] = s->min_weight;
        hi[i] = 1.0;
    }
    ra_rng rng = ra_rng_stream(s->seed, 0);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    while (stats->tried < tries) {
        mask mk;
        int fresh = 0;
        for (int r = 0; r < MAX_REDRAWS && !fresh; r++) {
            for (size_t i = 0; i < k; i++) {
                size_t j = i + (size_t)ra_rng_below(&rng, n - i);
                size_t t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            memcpy(sub, perm, k * sizeof *sub);
            qsort(sub, k, sizeof *sub, cmp_size);
            memset(&mk, 0, sizeof mk);
            for (size_t i = 0; i < k; i++)
                mk.b[sub[i] / 64] |= (uint64_t)1 << (sub[i] % 64);
            fresh = set_insert(tab, used, tcap, &mk);
        }
        if (!fresh)
            break; /* the space is (nearly) exhausted */
        stats->tried++;
        for (size_t i = 0; i < k; i++) {
            m[i] = mu[sub[i]];
            for (size_t j = 0; j < k; j++)
                c[i * k + j] = cov[sub[i] * n + sub[j]];
        }
        ra_opt_problem p = {.n = k, .mu = m, .cov = c, .lo = lo, .hi = hi, .rf = s->rf};
        ra_opt_result res = {.w = w};
        ra_err e2 = {0};
        ra_status st = ra_opt_solve(&p, s->objective == RA_SCREEN_MAX_SHARPE ? RA_OPT_MAX_SHARPE
                                                                             : RA_OPT_MIN_VARIANCE,
                                    work, wsize, &res, &e2);
        if (st == RA_ENOMEM) {
            rc = ra_err_set(err, RA_ENOMEM, NULL, "%s", e2.msg);
            goto out;
        }
        if (st != RA_OK)
            continue;
        stats->solved++;
        double ret = 0.0;
        for (size_t i = 0; i < k; i++)
            ret += m[i] * w[i];
        if (ret < s->min_return || res.volatility > s->max_volatility)
            continue;
        stats->qualified++;
        /* distinct subsets with every weight >= min_weight > 0 give distinct portfolios; with
         * min_weight 0 two subsets can give the same one: compare with those stored */
        int dup = 0;
        if (s->min_weight <= TOL_DISTINCT)
            for (size_t q = 0; q < stats->stored && !dup; q++) {
                double d = 0.0;
                for (size_t i = 0; i < k; i++) {
                    double other = 0.0;
                    for (size_t j = 0; j < k; j++)
                        if (out_idx[q * k + j] == sub[i])
                            other = out_w[q * k + j];
                    d += fabs(w[i] - other);
                }
                for (size_t j = 0; j < k; j++) {
                    int in = 0;
                    for (size_t i = 0; i < k; i++)
                        in |= out_idx[q * k + j] == sub[i];
                    if (!in)
                        d += fabs(out_w[q * k + j]);
                }
                dup = d < TOL_DISTINCT;
            }
        if (dup)
            continue;
        stats->distinct++;
        if (stats->stored < cap) {
            size_t q = stats->stored++;
            for (size_t i = 0; i < k; i++) {
                out_idx[q * k + i] = sub[i];
                out_w[q * k + i] = w[i];
            }
            out_ret[q] = ret;
            out_vol[q] = res.volatility;
        }
    }
out:
    free(tab);
    free(used);
    free(perm);
    free(sub);
    free(c);
    free(m);
    free(lo);
    free(hi);
    free(w);
    free(work);
    return rc;
}
