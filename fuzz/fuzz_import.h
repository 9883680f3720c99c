/* Shared body of the libFuzzer targets fuzz_import_<kind>.c (include/roboadvisor/import.h).
 * Aborts when a promise of the header does not hold: on error the output is NULL, the status is
 * RA_EPARSE and where/msg are terminated and non-empty; on success every record is well formed
 * (codes terminated and inside their arrays, quantities and prices in range, lines increasing,
 * transaction picks and lots inside the import's arrays). See fuzz/README.md. */
#ifndef RA_FUZZ_IMPORT_H
#define RA_FUZZ_IMPORT_H

#include <roboadvisor/import.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static int valid_date(ra_date d)
{
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    return ra_date_valid(y, m, dd);
}

static void check_import(const ra_import *im, ra_import_kind kind)
{
    CHECK(im->kind == kind && strcmp(im->source, "fuzz.csv") == 0);
    if (kind == RA_IMPORT_PRICES) {
        CHECK(im->n_dates >= 1 && im->n_tickers >= 1);
        size_t n = 0;
        for (size_t j = 0; j < im->n_tickers; j++) {
            CHECK(TERMINATED(im->tickers[j]) && im->tickers[j][0]);
            for (size_t k = 0; k < j; k++)
                CHECK(strcmp(im->tickers[j], im->tickers[k]) != 0);
        }
        for (size_t i = 0; i < im->n_dates; i++) {
            CHECK(valid_date(im->dates[i]) && (i == 0 || im->dates[i] > im->dates[i - 1]));
            CHECK(im->date_lines[i] >= 2 && (i == 0 || im->date_lines[i] > im->date_lines[i - 1]));
            for (size_t j = 0; j < im->n_tickers; j++) {
                ra_price p = im->price_micro[i * im->n_tickers + j];
                CHECK(p >= 0);
                n += p > 0;
            }
        }
        CHECK(n == im->n);
        return;
    }
    CHECK(im->n >= 1);
    for (size_t i = 0; i < im->n; i++)
        CHECK(im->lines[i] >= 2 && (i == 0 || im->lines[i] > im->lines[i - 1]));
    for (size_t i = 0; i < im->n; i++) {
        switch (kind) {
        case RA_IMPORT_SECURITIES: {
            const ra_security *s = &im->securities[i];
            CHECK(TERMINATED(s->ticker) && s->ticker[0] && TERMINATED(s->name) && s->name[0]);
            CHECK(s->risk_level >= 1 && s->risk_level <= 5 && s->lot_size >= 1);
            CHECK(s->expense_ratio >= 0.0 && s->expense_ratio <= 0.05 && strlen(s->currency) == 3);
            CHECK(s->on_shelf == 0 || s->on_shelf == 1);
            break;
        }
        case RA_IMPORT_CLIENTS: {
            const ra_client *c = &im->clients[i];
            CHECK(TERMINATED(c->code) && c->code[0] && c->household[0] && c->name[0]);
            CHECK(TERMINATED(c->email) && TERMINATED(c->address) && TERMINATED(c->tax_id));
            CHECK(c->birth_year == 0 || (c->birth_year >= 1900 && c->birth_year <= 2100));
            break;
        }
        case RA_IMPORT_ACCOUNTS: {
            const ra_account *a = &im->accounts[i];
            CHECK(a->code[0] && a->client[0] && valid_date(a->opened));
            CHECK(a->type >= RA_ACCOUNT_TAXABLE && a->type <= RA_ACCOUNT_TAX_FREE);
            CHECK(a->mandate.drift_band > 0.0 && a->mandate.drift_band <= 1.0);
            CHECK(a->mandate.loss_limit > 0.0 && a->mandate.loss_limit <= 0.15);
            CHECK(TERMINATED(a->mandate.restrictions));
            break;
        }
        case RA_IMPORT_TRANSACTIONS: {
            const ra_import_txn *x = &im->txns[i];
            const ra_txn *t = &x->txn;
            CHECK(x->account[0] && x->txn_id[0] && valid_date(t->date));
            CHECK(t->kind >= RA_TXN_DEPOSIT && t->kind <= RA_TXN_SPLIT);
            CHECK(t->qty_micro >= 0 && t->price >= 0 && t->amount_minor >= 0 && t->fees_minor >= 0);
            if (t->n_picks)
                CHECK(t->picks >= im->picks && t->picks + t->n_picks <= im->picks + im->n_picks);
            if (t->n_lots_in)
                CHECK(t->lots_in >= im->lots && t->lots_in + t->n_lots_in <= im->lots + im->n_lots);
            for (size_t k = 0; k < t->n_picks; k++)
                CHECK(t->picks[k].lot_id > 0 && t->picks[k].qty_micro > 0);
            for (size_t k = 0; k < t->n_lots_in; k++)
                CHECK(t->lots_in[k].qty_micro > 0 && t->lots_in[k].basis_minor >= 0);
            if (t->kind == RA_TXN_SPLIT)
                CHECK(t->split.num > 0 && t->split.den > 0 && t->split.num != t->split.den);
            break;
        }
        case RA_IMPORT_DIVIDENDS:
            CHECK(im->dividends[i].ticker[0] && im->dividends[i].amount > 0);
            CHECK(valid_date(im->dividends[i].ex_date));
            break;
        case RA_IMPORT_SPLITS:
            CHECK(im->splits[i].ticker[0] && im->splits[i].ratio.num > 0);
            CHECK(im->splits[i].ratio.den > 0 && im->splits[i].ratio.num != im->splits[i].ratio.den);
            break;
        default:
            CHECK(im->positions[i].account[0] && TERMINATED(im->positions[i].ticker));
            CHECK(im->positions[i].ticker[0] || im->positions[i].qty_micro == 0);
            break;
        }
    }
}

static int fuzz_import(ra_import_kind kind, const uint8_t *data, size_t size)
{
    ra_err err;
    ra_import *im = (ra_import *)(uintptr_t)1;
    ra_status st = ra_import_parse(kind, (const char *)data, size, "fuzz.csv", NULL, &im, &err);
    if (st != RA_OK) {
        CHECK(im == NULL && st == RA_EPARSE && err.code == st);
        CHECK(TERMINATED(err.where) && TERMINATED(err.msg) && err.msg[0] != '\0');
        return 0;
    }
    check_import(im, kind);
    ra_import_destroy(im);
    return 0;
}

#endif
