/* roboadvisor: the client's objectives applied to an account's target (engine_objective.h). The
 * target's securities are looked up on the shelf's estimates; the optimisation itself is the
 * core's (src/core/objective.c). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bl.h>
#include <roboadvisor/engine_objective.h>

#include <string.h>

ra_status ra_objective_shelf_load(ra_store *s, const char *firm, ra_date date,
                                  ra_objective_shelf *o, ra_err *err)
{
    memset(o, 0, sizeof *o);
    ra_err e = {0};
    ra_status rc = ra_models_shelf_load(s, firm, 0, date, 0, &o->sh, &e);
    if (rc == RA_OK)
        o->have = 1;
    else if (rc != RA_EINFEASIBLE) { /* too few closes is no error: no estimate */
        if (err)
            *err = e;
        return rc;
    }
    return RA_OK;
}

void ra_objective_shelf_free(ra_objective_shelf *o)
{
    if (o && o->have)
        ra_models_shelf_free(&o->sh);
    if (o)
        memset(o, 0, sizeof *o);
}

int ra_objective_of_mandate(const ra_mandate *m, ra_client_objective *o)
{
    ra_client_objective x = {m->risk_aversion, m->te_penalty, m->turnover_penalty, m->cvar_limit};
    if (o)
        *o = x;
    return ra_client_objective_active(&x);
}

ra_status ra_objective_apply(const ra_objective_shelf *o, const ra_mandate *m, size_t n,
                             const char *const *tickers, double *w, const double *h,
                             ra_client_effect *eff, int *applied, ra_err *err)
{
    *applied = 0;
    ra_client_objective obj;
    if (!ra_objective_of_mandate(m, &obj) || !o || !o->have)
        return RA_OK;
    const ra_models_shelf *sh = &o->sh;
    /* the target's held securities (weight > 0), each on the shelf */
    size_t k = 0, *at = ra_malloc((n ? n : 1) * sizeof *at), *ix = ra_malloc((n ? n : 1) * sizeof *ix);
    double *cov = NULL, *scen = NULL, *t = NULL, *x = NULL, *hh = NULL;
    ra_status rc = RA_OK;
    if (!at || !ix) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the client target");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0.0))
            continue;
        size_t j = 0;
        while (j < sh->n && strcmp(sh->ticker[j], tickers[i]) != 0)
            j++;
        if (j == sh->n)
            goto done; /* no estimate for one of its securities: the model's target */
        at[k] = i;
        ix[k++] = j;
    }
    if (!k)
        goto done;
    size_t T = sh->n_obs;
    cov = ra_malloc(k * k * sizeof *cov);
    scen = ra_malloc((T ? T : 1) * k * sizeof *scen);
    t = ra_malloc(k * sizeof *t);
    x = ra_malloc(k * sizeof *x);
    hh = h ? ra_malloc(k * sizeof *hh) : NULL;
    if (!cov || !scen || !t || !x || (h && !hh)) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the client target");
        goto done;
    }
    for (size_t a = 0; a < k; a++) {
        t[a] = w[at[a]];
        if (hh)
            hh[a] = h[at[a]];
        for (size_t b = 0; b < k; b++)
            cov[a * k + b] = sh->cov[ix[a] * sh->n + ix[b]];
        for (size_t r = 0; r < T; r++)
            scen[r * k + a] = sh->ret[r * sh->n + ix[a]];
    }
    rc = ra_client_target(k, t, cov, hh, scen, T, RA_BL_MARKET_SHARPE_DEFAULT, &obj, x, eff, err);
    if (rc == RA_OK) {
        for (size_t a = 0; a < k; a++)
            w[at[a]] = x[a];
        *applied = 1;
    }
done:
    RA_FREE_ALL(at, ix, cov, scen, t, x, hh);
    return rc;
}
