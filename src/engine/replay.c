/* Replay of a recorded day of the cycle (include/roboadvisor/engine_cycle.h, `roboadvisor
 * replay`): the book is rewound to the start of the day inside a transaction, the day is run
 * again by the same engine, its proposals and orders are compared with the record, and the
 * transaction is rolled back. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>

#include <stdio.h>
#include <string.h>

static int discretionary_order(const ra_cycle_proposal *p, size_t np, const ra_cycle_order *o)
{
    for (size_t i = 0; i < np; i++)
        if (strcmp(p[i].id, o->proposal) == 0)
            return p[i].discretionary;
    return 0;
}

static void qty_text(ra_micro q, char b[RA_MONEY_FMT_SIZE]) { ra_money_format_qty(q, b, RA_MONEY_FMT_SIZE); }

/* The first difference between trade a (recorded) and b (recomputed) of proposal p, or 0. */
static int trade_diff(const ra_cycle_proposal *pa, const ra_cycle_trade *a,
                      const ra_cycle_proposal *pb, const ra_cycle_trade *b, char *out, size_t cap)
{
    char x[RA_MONEY_FMT_SIZE], y[RA_MONEY_FMT_SIZE];
    const char *what = NULL;
    if (strcmp(a->ticker, b->ticker) != 0 || a->side != b->side)
        what = "security or side";
    else if (a->qty_micro != b->qty_micro) {
        qty_text(a->qty_micro, x);
        qty_text(b->qty_micro, y);
        snprintf(out, cap, "proposal %s trade %d (%s): quantity %s recorded, %s recomputed",
                 pa->id, a->n, a->ticker, x, y);
        return 1;
    } else if (a->price != b->price || a->price_date != b->price_date)
        what = "price or its date";
    else if (a->reasons != b->reasons)
        what = "reasons";
    else if (a->gain_short_minor != b->gain_short_minor || a->gain_long_minor != b->gain_long_minor)
        what = "estimated gains";
    else if (a->risk_level != b->risk_level)
        what = "risk level";
    else if (a->n_picks != b->n_picks)
        what = "lots";
    for (size_t k = 0; !what && k < a->n_picks; k++)
        if (pa->picks[a->first_pick + k].lot_id != pb->picks[b->first_pick + k].lot_id ||
            pa->picks[a->first_pick + k].qty_micro != pb->picks[b->first_pick + k].qty_micro)
            what = "lots";
    if (what)
        snprintf(out, cap, "proposal %s trade %d (%s %s): %s differ", pa->id, a->n,
                 a->side > 0 ? "buy" : "sell", a->ticker, what);
    return what != NULL;
}

static int proposals_diff(const ra_cycle_proposal *a, size_t na, const ra_cycle_proposal *b,
                          size_t nb, char *out, size_t cap)
{
    for (size_t i = 0; i < na || i < nb; i++) {
        if (i >= na || i >= nb || strcmp(a[i].id, b[i].id) != 0) {
            snprintf(out, cap, "proposal %s %s", i < na ? a[i].id : b[i].id,
                     i < na && (i >= nb || strcmp(a[i].id, b[i].id) < 0)
                         ? "was recorded but is not recomputed"
                         : "is recomputed but was not recorded");
            return 1;
        }
        if (a[i].discretionary && strcmp(a[i].status, b[i].status) != 0) {
            snprintf(out, cap, "proposal %s: status %s recorded, %s recomputed", a[i].id,
                     a[i].status, b[i].status);
            return 1;
        }
        if (strcmp(a[i].config_hash, b[i].config_hash) != 0) {
            snprintf(out, cap, "proposal %s: made with another configuration or mandate (hash "
                     "%.12s recorded, %.12s now)", a[i].id, a[i].config_hash, b[i].config_hash);
            return 1;
        }
        if (a[i].n_trades != b[i].n_trades) {
            snprintf(out, cap, "proposal %s: %zu trades recorded, %zu recomputed", a[i].id,
                     a[i].n_trades, b[i].n_trades);
            return 1;
        }
        for (size_t k = 0; k < a[i].n_trades; k++)
            if (trade_diff(&a[i], &a[i].trades[k], &b[i], &b[i].trades[k], out, cap))
                return 1;
    }
    return 0;
}

/* The orders of the run (those of discretionary proposals) in a and b, compared in id order. */
static int orders_diff(const ra_cycle_order *a, size_t na, const ra_cycle_order *b, size_t nb,
                       const ra_cycle_proposal *p, size_t np, size_t *n_run, char *out,
                       size_t cap)
{
    size_t i = 0, j = 0;
    *n_run = 0;
    for (;;) {
        while (i < na && !discretionary_order(p, np, &a[i]))
            i++;
        while (j < nb && !discretionary_order(p, np, &b[j]))
            j++;
        if (i >= na && j >= nb)
            return 0;
        if (i >= na || j >= nb || strcmp(a[i].id, b[j].id) != 0) {
            snprintf(out, cap, "order %s %s", i < na ? a[i].id : b[j].id,
                     i < na ? "was recorded but is not recomputed"
                            : "is recomputed but was not recorded");
            return 1;
        }
        if (strcmp(a[i].ticker, b[j].ticker) != 0 || a[i].side != b[j].side ||
            a[i].qty_micro != b[j].qty_micro || a[i].filled_micro != b[j].filled_micro ||
            strcmp(a[i].status, b[j].status) != 0) {
            snprintf(out, cap, "order %s: security, side, quantity or fill differ", a[i].id);
            return 1;
        }
        (*n_run)++;
        i++;
        j++;
    }
}

ra_status ra_cycle_replay(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                          ra_cycle_replay_result *res, ra_err *err)
{
    memset(res, 0, sizeof *res);
    ra_cycle_filter f = {o->date, NULL, NULL};
    ra_cycle_proposal *rp = NULL, *np = NULL;
    ra_cycle_order *ro = NULL, *no = NULL;
    size_t nrp = 0, nnp = 0, nro = 0, nno = 0;
    ra_status rc = ra_store_proposals_list(s, actor->firm, &f, &rp, &nrp, err);
    /* re-evaluations after a rejection are decisions' consequences, not the run's */
    size_t kept = 0;
    for (size_t i = 0; rc == RA_OK && i < nrp; i++) {
        if (rp[i].supersedes[0]) {
            ra_cycle_proposal_clear(&rp[i]);
            continue;
        }
        rp[kept++] = rp[i];
    }
    if (rc == RA_OK)
        nrp = kept;
    if (rc == RA_OK)
        rc = ra_store_orders_list(s, actor->firm, &f, &ro, &nro, err);
    /* was the day run? its accounts' daily values say so */
    ra_cycle_book *b = NULL;
    if (rc == RA_OK)
        rc = ra_store_cycle_book_load(s, actor->firm, o->date, o->window_days, &b, err);
    size_t done = 0;
    for (size_t i = 0; b && i < b->n_acc; i++)
        done += b->acc[i].done;
    ra_cycle_book_destroy(b);
    if (rc == RA_OK && done == 0) {
        char db[11];
        ra_date_format(o->date, db);
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "the cycle has not run on %s: nothing to replay",
                        db);
    }
    for (size_t i = 0; rc == RA_OK && i < nro; i++)
        res->execute_close |= discretionary_order(rp, nrp, &ro[i]) &&
                              strcmp(ro[i].status, "filled") == 0;
    ra_cycle_options ro_opts = *o;
    ro_opts.execute_close = res->execute_close;
    ro_opts.progress = NULL;
    ra_cycle_stats st;
    memset(&st, 0, sizeof st);
    int began = 0;
    if (rc == RA_OK && (rc = ra_store_begin(s, err)) == RA_OK)
        began = 1;
    if (rc == RA_OK)
        rc = ra_store_cycle_rewind(s, actor, o->date, err);
    if (rc == RA_OK)
        rc = ra_cycle_run_day(s, actor, &ro_opts, &st, err);
    if (rc == RA_OK)
        rc = ra_store_proposals_list(s, actor->firm, &f, &np, &nnp, err);
    if (rc == RA_OK)
        rc = ra_store_orders_list(s, actor->firm, &f, &no, &nno, err);
    if (began) {
        ra_err keep = {0};
        (void)ra_store_rollback(s, &keep);
    }
    if (rc == RA_OK) {
        res->proposals = nrp;
        res->accounts = st.processed;
        size_t n_run = 0;
        res->identical =
            !proposals_diff(rp, nrp, np, nnp, res->difference, sizeof res->difference) &&
            !orders_diff(ro, nro, no, nno, rp, nrp, &n_run, res->difference,
                         sizeof res->difference);
        res->orders = n_run;
    }
    ra_cycle_proposals_free(rp, nrp);
    ra_cycle_proposals_free(np, nnp);
    ra_store_free(ro);
    ra_store_free(no);
    return rc;
}
