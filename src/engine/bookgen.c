/* roboadvisor: the seeded demo-book generator (include/roboadvisor/bookgen.h,
 * docs/methodology.md).
 *
 * Design: clients and accounts come from one random stream; each account's history from its own
 * stream seeded by (seed, account index), so an account does not change when another one does.
 * Every decision about money is integer arithmetic (basis points, minor units, micro-shares via
 * money.h); the only randomness is splitmix64 (rng.h). Each generated transaction is applied to a ledger
 * at once: the history is valid by construction (no overdraft, no overselling), and a transaction
 * that does not apply is a bug reported as RA_EINTERNAL. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bookgen.h>
#include <roboadvisor/market_io.h>
#include <roboadvisor/rng.h>
#include <roboadvisor/rules.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINOR_DIGITS 2                     /* the demo firm's currency is USD */
#define QTY_PER_VALUE INT64_C(10000000000) /* micro-shares * ra_price / 1e10 = cents */
#define MIN_TRADE_MINOR 2000               /* no trade below 20.00 USD */
#define CASH_BUFFER_BP 50                  /* keep 0.5 % of the account in cash */
#define BP 10000

/* ---- random numbers: splitmix64 streams of rng.h, one per purpose ------------------------------
 * The generator draws from ra_rng_splitmix64 (Steele, Lea, Flood 2014), not from xoshiro256**
 * (ra_rng_stream): the demo book is defined by these streams, and changing the generator would
 * change every figure of the demo (issue 11 asks for the same figures). Draws below n reject the
 * top 2^64 mod n outputs (as ra_rng_below does), so they are exactly uniform; for the n used here
 * (at most a few thousand) a rejection has probability below 2^-52 per draw, so the demo book is
 * unchanged (checked: generate-book gives the same tables as before). */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r) { return ra_rng_splitmix64(&r->s); }

static rng rng_stream(uint64_t seed, uint64_t purpose, uint64_t index)
{
    rng r = {seed ^ (purpose * UINT64_C(0xD1B54A32D192ED03))};
    r.s ^= rng_next(&r) + index * UINT64_C(0x8CB92BA72F3D8DD7);
    (void)rng_next(&r);
    return r;
}

/* Uniform in 0..n-1 (n > 0) without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n, x;
    do
        x = rng_next(r);
    while (x > limit);
    return x % n;
}
static int rng_pct(rng *r, int pct) { return (int)rng_below(r, 100) < pct; }
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}
/* Log-uniform integer in [lo, hi] in steps of 1 %, rounded down to a multiple of unit. */
static int64_t rng_logu(rng *r, int64_t lo, int64_t hi, int64_t unit)
{
    int steps = 0;
    for (int64_t v = lo; v < hi; v += v / 100 + 1)
        steps++;
    int64_t v = lo;
    for (int k = (int)rng_below(r, (uint64_t)steps + 1); k > 0; k--)
        v += v / 100 + 1;
    if (v > hi)
        v = hi;
    v -= v % unit;
    return v < unit ? unit : v;
}

/* ---- fictitious personal data --------------------------------------------------------------- */

static const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Paul", "Ashley", "Steven", "Emily", "Andrew", "Donna", "Kenneth", "Michelle", "Joshua",
    "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Laura"};
static const char *const last_names[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall"};
static const char *const streets[] = {"Maple", "Oak", "Cedar", "Pine", "Elm", "Washington",
                                      "Lake", "Hill", "Park", "Main", "Sunset", "River",
                                      "Highland", "Meadow", "Forest", "Church"};
static const char *const street_kinds[] = {"Street", "Avenue", "Road", "Lane", "Drive", "Court"};
static const struct {
    const char *city, *state;
    int zip;
} cities[] = {{"Springfield", "IL", 62701}, {"Madison", "WI", 53703},  {"Portland", "OR", 97201},
              {"Austin", "TX", 78701},      {"Raleigh", "NC", 27601},  {"Boulder", "CO", 80302},
              {"Columbus", "OH", 43215},    {"Richmond", "VA", 23219}, {"Tucson", "AZ", 85701},
              {"Burlington", "VT", 5401},   {"Albany", "NY", 12207},   {"Savannah", "GA", 31401},
              {"Omaha", "NE", 68102},       {"Boise", "ID", 83702},    {"Naples", "FL", 34102},
              {"Pasadena", "CA", 91101}};

#define PICK(r, arr) (arr[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---- model portfolios ------------------------------------------------------------------------ */

typedef struct sleeve_def {
    const char *asset_class;
    const char *preferred[3]; /* tickers tried first, NULL-terminated */
} sleeve_def;

enum { SL_CASH, SL_USB, SL_TIPS, SL_INTB, SL_USEQ, SL_INTEQ, SL_EMEQ, SL_RE, SL_CMDTY, N_SLEEVES };
static const sleeve_def sleeve_defs[N_SLEEVES] = {
    {"cash", {"BIL", "SHY", NULL}},          {"us_bonds", {"BND", "AGG", "IEF"}},
    {"inflation_bonds", {"TIP", NULL, NULL}}, {"intl_bonds", {"BNDX", "BWX", NULL}},
    {"us_equity", {"VTI", "SPY", "IWD"}},     {"intl_equity", {"VEU", "EFA", "VGK"}},
    {"em_equity", {"EEM", NULL, NULL}},       {"real_estate", {"VNQ", "IYR", "RWO"}},
    {"commodities", {"GLD", "DBC", NULL}}};

/* Weights in basis points of each sleeve for the models MODEL-R1 .. MODEL-R5 (equity 20, 35, 50,
 * 70 and 90 %): docs/methodology.md#models. */
static const int model_bp[5][N_SLEEVES] = {
    {2000, 4000, 1500, 500, 1500, 500, 0, 0, 0},
    {1000, 3500, 1000, 1000, 2500, 1000, 0, 0, 0},
    {500, 3000, 500, 500, 3000, 1500, 500, 500, 0},
    {0, 2000, 0, 500, 4000, 2000, 800, 700, 0},
    {0, 500, 0, 0, 5000, 2500, 1200, 500, 300}};

/* ---- the generator's working state ----------------------------------------------------------- */

typedef struct div_event {
    uint32_t security;
    ra_price amount;
} div_event;

typedef struct gen {
    const ra_bookgen_settings *s;
    const ra_bookgen_market *m;
    ra_bookgen_book *b;
    size_t i0, i1;       /* window: market date indices, inclusive */
    ra_price *filled;    /* n_dates * n_sec: last known close (0 before the first) */
    uint8_t *month_start;/* n_dates: first trading day of a month within the window */
    size_t *div_first;   /* n_dates + 1 offsets into divs */
    div_event *divs;
    size_t cap_txns;
    /* the account being simulated */
    ra_ledger led;
    ra_micro *qty;       /* n_sec: quantity held */
    size_t acct;
    size_t seq;          /* transactions of the account so far */
    uint32_t sl_sec[N_SLEEVES];
    int sl_bp[N_SLEEVES];
    int n_sl;
    int whole_shares, reinvest;
    ra_relief relief;
    ra_err *err;
} gen;

static ra_price close_at(const gen *g, size_t d, uint32_t sec)
{
    return g->m->close[d * g->m->n_securities + sec];
}

static ra_status grow_txns(gen *g)
{
    ra_bookgen_book *b = g->b;
    if (b->n_txns < g->cap_txns)
        return RA_OK;
    size_t cap = g->cap_txns ? 2 * g->cap_txns : 4096, c1 = g->cap_txns, c2 = g->cap_txns;
    if (ra_grow((void **)&b->txns, &c1, cap, sizeof *b->txns))
        return ra_err_set(g->err, RA_ENOMEM, NULL, "could not allocate %zu transactions", cap);
    if (ra_grow((void **)&b->txn_ext_id, &c2, cap, sizeof *b->txn_ext_id))
        return ra_err_set(g->err, RA_ENOMEM, NULL, "could not allocate %zu transaction ids", cap);
    g->cap_txns = cap;
    return RA_OK;
}

/* Applies t to the account's ledger and appends it to the book. */
static ra_status emit(gen *g, ra_txn *t)
{
    ra_bookgen_book *b = g->b;
    ra_status rc = grow_txns(g);
    if (rc != RA_OK)
        return rc;
    t->id = (uint64_t)b->n_txns + 1;
    ra_err e = {0};
    if (ra_ledger_apply(&g->led, t, NULL, &e) != RA_OK)
        return ra_err_set(g->err, RA_EINTERNAL, e.where,
                          "generated transaction of account %s does not apply: %s",
                          b->accounts[g->acct].code, e.msg);
    ra_txn *dst = &b->txns[b->n_txns];
    *dst = *t; /* generated transactions name no lots: no picks, no lots in */
    dst->picks = NULL;
    dst->n_picks = 0;
    dst->lots_in = NULL;
    dst->n_lots_in = 0;
    memset(b->txn_ext_id[b->n_txns], 0, RA_BOOKGEN_EXT_ID_MAX);
    snprintf(b->txn_ext_id[b->n_txns], RA_BOOKGEN_EXT_ID_MAX, "%.26s-%06lu",
             b->accounts[g->acct].code, (unsigned long)++g->seq);
    b->n_txns++;
    b->n_by_kind[t->kind]++;
    switch (t->kind) {
    case RA_TXN_BUY: g->qty[t->security] += t->qty_micro; break;
    case RA_TXN_SELL: g->qty[t->security] -= t->qty_micro; break;
    case RA_TXN_REINVEST:
        g->qty[t->security] += t->qty_micro;
        b->dividends_minor += t->amount_minor;
        break;
    case RA_TXN_DIVIDEND: b->dividends_minor += t->amount_minor; break;
    case RA_TXN_DEPOSIT: b->deposits_minor += t->amount_minor; break;
    case RA_TXN_WITHDRAWAL: b->withdrawals_minor += t->amount_minor; break;
    case RA_TXN_FEE: b->fees_minor += t->amount_minor; break;
    default: break;
    }
    return RA_OK;
}

static ra_status emit_cash(gen *g, ra_txn_kind kind, size_t d, uint32_t sec, ra_minor amount)
{
    ra_txn t = {0};
    t.kind = kind;
    t.date = g->m->dates[d];
    t.security = sec;
    t.amount_minor = amount;
    return emit(g, &t);
}

static ra_status emit_trade(gen *g, ra_txn_kind kind, size_t d, uint32_t sec, ra_micro qty,
                            ra_minor amount)
{
    ra_txn t = {0};
    t.kind = kind;
    t.date = g->m->dates[d];
    t.security = sec;
    t.qty_micro = qty;
    t.price = close_at(g, d, sec);
    t.amount_minor = amount;
    t.relief = g->relief;
    return emit(g, &t);
}

static ra_minor value_of(ra_micro qty, ra_price price)
{
    ra_minor v = 0;
    if (qty <= 0 || price <= 0 || ra_money_value(qty, price, MINOR_DIGITS, &v, NULL) != RA_OK)
        return 0;
    return v;
}

/* a * b / c rounded down, a, b >= 0, c > 0, exact in 128 bits; 0 if it does not fit (never for
 * the amounts of a demo book). */
static int64_t floor_muldiv(int64_t a, int64_t b, int64_t c)
{
    if (a <= 0 || b <= 0 || c <= 0)
        return 0;
    __int128 q = (__int128)a * b / c;
    return q > INT64_MAX ? 0 : (int64_t)q;
}

/* Largest quantity (whole shares if the account holds whole shares) worth at most budget. */
static ra_micro qty_for(const gen *g, ra_minor budget, ra_price price)
{
    if (budget <= 0 || price <= 0)
        return 0;
    ra_micro q = floor_muldiv(budget, QTY_PER_VALUE, price);
    ra_micro step = g->whole_shares ? RA_MICRO_PER_SHARE : 1;
    q -= q % step;
    while (q > 0 && value_of(q, price) > budget)
        q -= step;
    return q;
}

/* Values of the sleeves and the whole account (holdings at the last known close + cash). */
static ra_minor account_value(const gen *g, size_t d, ra_minor *sleeve_value)
{
    ra_minor total = g->led.cash_minor;
    for (uint32_t sec = 0; sec < g->m->n_securities; sec++)
        total += value_of(g->qty[sec], g->filled[d * g->m->n_securities + sec]);
    if (sleeve_value)
        for (int k = 0; k < g->n_sl; k++)
            sleeve_value[k] =
                value_of(g->qty[g->sl_sec[k]], g->filled[d * g->m->n_securities + g->sl_sec[k]]);
    return total;
}

static int sleeve_bp_sum(const gen *g)
{
    int sum = 0;
    for (int k = 0; k < g->n_sl; k++)
        sum += g->sl_bp[k];
    return sum;
}

/* Buys towards the model with the cash above the buffer: each sleeve gets a share of the cash in
 * proportion to how far it is below its target. */
static ra_status invest(gen *g, size_t d)
{
    ra_minor val[N_SLEEVES], target[N_SLEEVES], shortfall[N_SLEEVES], total_short = 0;
    ra_minor total = account_value(g, d, val);
    int wsum = sleeve_bp_sum(g);
    ra_minor investable = g->led.cash_minor - total * CASH_BUFFER_BP / BP;
    if (investable < MIN_TRADE_MINOR || wsum <= 0)
        return RA_OK;
    for (int k = 0; k < g->n_sl; k++) {
        target[k] = floor_muldiv(total, g->sl_bp[k], wsum);
        shortfall[k] = target[k] > val[k] ? target[k] - val[k] : 0;
        if (close_at(g, d, g->sl_sec[k]) <= 0)
            shortfall[k] = 0; /* not traded today */
        total_short += shortfall[k];
    }
    for (int k = 0; k < g->n_sl; k++) {
        ra_minor alloc = total_short > 0 ? floor_muldiv(investable, shortfall[k], total_short)
                                         : floor_muldiv(investable, g->sl_bp[k], wsum);
        if (close_at(g, d, g->sl_sec[k]) <= 0 || alloc < MIN_TRADE_MINOR)
            continue;
        if (alloc > g->led.cash_minor)
            alloc = g->led.cash_minor;
        ra_price p = close_at(g, d, g->sl_sec[k]);
        ra_micro q = qty_for(g, alloc, p);
        if (q <= 0)
            continue;
        ra_status rc = emit_trade(g, RA_TXN_BUY, d, g->sl_sec[k], q, 0);
        if (rc != RA_OK)
            return rc;
    }
    return RA_OK;
}

/* Sells about `want` worth of security sec (rounded up to the account's quantity step, at most
 * what is held). */
static ra_status sell_worth(gen *g, size_t d, uint32_t sec, ra_minor want)
{
    ra_price p = close_at(g, d, sec);
    if (want <= 0 || p <= 0 || g->qty[sec] <= 0)
        return RA_OK;
    ra_micro step = g->whole_shares ? RA_MICRO_PER_SHARE : 1;
    ra_micro q = floor_muldiv(want, QTY_PER_VALUE, p) + step;
    q -= q % step;
    if (q > g->qty[sec] || (g->whole_shares && g->qty[sec] - q < step))
        q = g->qty[sec]; /* all of it (and never leave a fraction in a whole-share account) */
    if (q <= 0 || value_of(q, p) <= 0)
        return RA_OK;
    return emit_trade(g, RA_TXN_SELL, d, sec, q, 0);
}

/* Raises cash to at least `need` by selling sleeves in proportion to their values. */
static ra_status raise_cash(gen *g, size_t d, ra_minor need)
{
    ra_minor short_by = need - g->led.cash_minor;
    if (short_by <= 0)
        return RA_OK;
    ra_minor val[N_SLEEVES], held = 0;
    (void)account_value(g, d, val);
    for (int k = 0; k < g->n_sl; k++)
        if (close_at(g, d, g->sl_sec[k]) > 0)
            held += val[k];
    if (held <= 0)
        return RA_OK;
    for (int k = 0; k < g->n_sl; k++) {
        if (close_at(g, d, g->sl_sec[k]) <= 0 || val[k] <= 0)
            continue;
        ra_minor part = floor_muldiv(short_by, val[k], held) + 1;
        ra_status rc = sell_worth(g, d, g->sl_sec[k], part);
        if (rc != RA_OK)
            return rc;
    }
    return RA_OK;
}

/* Sells what is above target by more than the drift band, then buys back to the model. */
static ra_status rebalance(gen *g, size_t d, int band_bp)
{
    ra_minor val[N_SLEEVES];
    ra_minor total = account_value(g, d, val);
    int wsum = sleeve_bp_sum(g);
    if (total <= 0 || wsum <= 0)
        return RA_OK;
    int drifted = 0;
    for (int k = 0; k < g->n_sl; k++) {
        /* |val/total - w/wsum| > band  <=>  |val*wsum - w*total| * BP > band * total * wsum */
        __int128 dev = (__int128)val[k] * wsum - (__int128)g->sl_bp[k] * total;
        if (dev < 0)
            dev = -dev;
        if (dev * BP > (__int128)band_bp * total * wsum)
            drifted = 1;
    }
    if (!drifted)
        return RA_OK;
    for (int k = 0; k < g->n_sl; k++) {
        ra_minor target = floor_muldiv(total, g->sl_bp[k], wsum);
        if (val[k] - target >= MIN_TRADE_MINOR) {
            ra_status rc = sell_worth(g, d, g->sl_sec[k], val[k] - target);
            if (rc != RA_OK)
                return rc;
        }
    }
    return invest(g, d);
}

static int restricted(const char *restrictions, const ra_security *sec)
{
    if (!restrictions[0])
        return 0;
    char buf[RA_NAME_MAX];
    snprintf(buf, sizeof buf, "%s", restrictions);
    for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok;
         tok = strtok_r(NULL, ";", &save))
        if (strcmp(tok, sec->ticker) == 0 || strcmp(tok, sec->asset_class) == 0)
            return 1;
    return 0;
}

/* Chooses the security of each sleeve of the account's model: a preferred ticker (the account's
 * variant first) priced on the opening day and not restricted, else the first such security of
 * the asset class on the shelf; a sleeve without one is left out and the others scale up. */
static void choose_sleeves(gen *g, const ra_account *a, size_t d_open, int risk, int variant)
{
    const ra_bookgen_market *m = g->m;
    g->n_sl = 0;
    for (int k = 0; k < N_SLEEVES; k++) {
        if (model_bp[risk - 1][k] == 0)
            continue;
        const sleeve_def *sd = &sleeve_defs[k];
        int64_t found = -1;
        int n_pref = 0;
        while (n_pref < 3 && sd->preferred[n_pref])
            n_pref++;
        for (int t = 0; t < n_pref && found < 0; t++) {
            const char *want = sd->preferred[(t + variant) % n_pref];
            for (uint32_t sec = 0; sec < m->n_securities; sec++)
                if (strcmp(m->securities[sec].ticker, want) == 0 &&
                    strcmp(m->securities[sec].asset_class, sd->asset_class) == 0 &&
                    close_at(g, d_open, sec) > 0 &&
                    !restricted(a->mandate.restrictions, &m->securities[sec])) {
                    found = sec;
                    break;
                }
        }
        for (uint32_t sec = 0; sec < m->n_securities && found < 0; sec++)
            if (strcmp(m->securities[sec].asset_class, sd->asset_class) == 0 &&
                close_at(g, d_open, sec) > 0 &&
                !restricted(a->mandate.restrictions, &m->securities[sec]))
                found = sec;
        if (found < 0)
            continue;
        g->sl_sec[g->n_sl] = (uint32_t)found;
        g->sl_bp[g->n_sl] = model_bp[risk - 1][k];
        g->n_sl++;
    }
}

/* ---- one account's history ------------------------------------------------------------------- */

typedef struct acct_plan {
    size_t d_open;
    int risk;
    int variant;
    ra_minor initial, monthly;
    int rebalance_month;
    int band_bp;
} acct_plan;

static ra_status simulate_account(gen *g, size_t a, const acct_plan *p)
{
    const ra_bookgen_market *m = g->m;
    ra_bookgen_book *b = g->b;
    rng r = rng_stream(g->s->seed, 3, a);
    ra_status rc = ra_ledger_init(&g->led, NULL, NULL, g->err);
    if (rc != RA_OK)
        return rc;
    memset(g->qty, 0, m->n_securities * sizeof *g->qty);
    g->acct = a;
    g->seq = 0;
    b->txn_first[a] = b->n_txns;
    choose_sleeves(g, &b->accounts[a], p->d_open, p->risk, p->variant);

    ra_date fee_from = m->dates[p->d_open];
    for (size_t d = p->d_open; d <= g->i1 && rc == RA_OK; d++) {
        int y, mo, dd;
        ra_date_to_ymd(m->dates[d], &y, &mo, &dd);
        int opening = d == p->d_open;
        /* 1. dividends on the ex-date, on what was held the evening before */
        for (size_t e = g->div_first[d]; e < g->div_first[d + 1] && rc == RA_OK; e++) {
            const div_event *ev = &g->divs[e];
            ra_minor amount = value_of(g->qty[ev->security], ev->amount);
            if (amount <= 0)
                continue;
            ra_price px = close_at(g, d, ev->security);
            ra_micro q = g->reinvest ? qty_for(g, amount, px) : 0;
            rc = q > 0 ? emit_trade(g, RA_TXN_REINVEST, d, ev->security, q, amount)
                       : emit_cash(g, RA_TXN_DIVIDEND, d, ev->security, amount);
        }
        if (rc != RA_OK)
            break;
        int month_start = g->month_start[d] && !opening;
        /* 2. the advisory fee, quarterly in arrears on the value of the day */
        if (month_start && (mo - 1) % 3 == 0 && g->s->fee_bp_per_year > 0) {
            /* value * rate * days since the last fee (or the opening) / 365, rounded down */
            ra_minor fee = floor_muldiv(account_value(g, d, NULL),
                                        (int64_t)g->s->fee_bp_per_year * (m->dates[d] - fee_from),
                                        365 * BP);
            fee_from = m->dates[d];
            if (fee > 0 && fee > g->led.cash_minor)
                rc = raise_cash(g, d, fee);
            if (fee > g->led.cash_minor)
                fee = g->led.cash_minor;
            if (rc == RA_OK && fee > 0)
                rc = emit_cash(g, RA_TXN_FEE, d, 0, fee);
        }
        /* 3. the yearly rebalancing check */
        if (rc == RA_OK && month_start && mo == p->rebalance_month)
            rc = rebalance(g, d, p->band_bp);
        /* 4. an occasional withdrawal: 5-25 % of the account, about one in eight years */
        if (rc == RA_OK && month_start && rng_pct(&r, 1)) {
            ra_minor total = account_value(g, d, NULL);
            ra_minor want = total * rng_range(&r, 5, 25) / 100;
            want -= want % 10000; /* whole hundreds of dollars */
            if (want >= 10000) {
                rc = raise_cash(g, d, want);
                if (want > g->led.cash_minor)
                    want = g->led.cash_minor;
                if (rc == RA_OK && want > 0)
                    rc = emit_cash(g, RA_TXN_WITHDRAWAL, d, 0, want);
            }
        }
        /* 5. the opening deposit or the monthly contribution, invested the same day */
        if (rc == RA_OK && (opening || (month_start && p->monthly > 0))) {
            rc = emit_cash(g, RA_TXN_DEPOSIT, d, 0, opening ? p->initial : p->monthly);
            if (rc == RA_OK)
                rc = invest(g, d);
        }
    }
    if (rc == RA_OK) {
        b->cash_minor += g->led.cash_minor;
        b->value_minor += account_value(g, g->i1, NULL);
    }
    ra_ledger_free(&g->led);
    return rc;
}

/* ---- clients and accounts -------------------------------------------------------------------- */

static void make_person(rng *r, char *name, char *email, size_t size, const char *last,
                        unsigned tag, const char *domain)
{
    const char *first = PICK(r, first_names);
    snprintf(name, size, "%s %s", first, last);
    char lf[64], ll[64];
    size_t i;
    for (i = 0; first[i] && i + 1 < sizeof lf; i++)
        lf[i] = (char)(first[i] | 0x20);
    lf[i] = 0;
    for (i = 0; last[i] && i + 1 < sizeof ll; i++)
        ll[i] = (char)(last[i] | 0x20);
    ll[i] = 0;
    snprintf(email, size, "%s.%s%u@%s", lf, ll, tag, domain);
}

/* Risk level of a client from age: younger clients lean to growth. */
static int risk_for_age(rng *r, int age)
{
    int base = age < 35 ? 4 : age < 50 ? 4 : age < 62 ? 3 : age < 72 ? 2 : 1;
    int risk = base + (int)rng_range(r, -1, 1);
    return risk < 1 ? 1 : risk > 5 ? 5 : risk;
}

static ra_status check_inputs(const ra_bookgen_settings *s, const ra_bookgen_market *m,
                              ra_err *err)
{
    if (!s || !m)
        return ra_err_set(err, RA_EINVAL, NULL, "book generation needs settings and a market");
    if (s->n_clients < 1 || s->n_clients > RA_BOOKGEN_MAX_CLIENTS)
        return ra_err_set(err, RA_EINVAL, NULL, "number of clients must be 1..%d, got %zu",
                          RA_BOOKGEN_MAX_CLIENTS, s->n_clients);
    if (s->fee_bp_per_year < 0 || s->fee_bp_per_year > 300)
        return ra_err_set(err, RA_EINVAL, NULL, "advisory fee must be 0..300 bp a year, got %d",
                          s->fee_bp_per_year);
    if (m->n_securities < 1 || m->n_securities > UINT32_MAX || !m->securities)
        return ra_err_set(err, RA_EINVAL, NULL, "the shelf has no securities");
    if (m->n_dates < 2 || !m->dates || !m->close)
        return ra_err_set(err, RA_EINVAL, NULL, "the market needs at least 2 dates, got %zu",
                          m->n_dates);
    for (size_t i = 1; i < m->n_dates; i++)
        if (m->dates[i] <= m->dates[i - 1]) {
            char buf[11];
            return ra_err_set(err, RA_EINVAL, NULL, "market dates are not increasing at %s",
                              ra_date_format(m->dates[i], buf));
        }
    for (size_t i = 0; i < m->n_securities; i++) {
        if (m->securities[i].lot_size != 1)
            return ra_err_set(err, RA_EINVAL, m->securities[i].ticker,
                              "the generator trades lot size 1 only, got %lld",
                              (long long)m->securities[i].lot_size);
        for (size_t d = 0; d < m->n_dates; d++)
            if (m->close[d * m->n_securities + i] < 0)
                return ra_err_set(err, RA_EINVAL, m->securities[i].ticker,
                                  "negative close at row %zu", d);
    }
    if (m->n_dividends && !m->dividends)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu dividends but no array", m->n_dividends);
    return RA_OK;
}

static ra_status prepare_market(gen *g)
{
    const ra_bookgen_market *m = g->m;
    const ra_bookgen_settings *s = g->s;
    size_t n = m->n_securities, nd = m->n_dates;
    ra_date start = s->start, end = s->end;
    if (start == 0 && end == 0) {
        end = m->dates[nd - 1];
        ra_date last_div = INT32_MIN;
        for (size_t i = 0; i < m->n_dividends; i++)
            if (m->dividends[i].ex_date > last_div)
                last_div = m->dividends[i].ex_date;
        if (m->n_dividends && last_div < end && last_div >= m->dates[0])
            end = last_div; /* a history with real dividends all the way */
        int y, mo, d;
        ra_date_to_ymd(end, &y, &mo, &d);
        if (mo == 2 && d == 29)
            d = 28;
        start = ra_date_from_ymd(y - RA_BOOKGEN_DEFAULT_YEARS, mo, d) + 1;
    }
    char b1[11], b2[11];
    if (start > end)
        return ra_err_set(g->err, RA_EINVAL, NULL, "window starts %s after it ends %s",
                          ra_date_format(start, b1), ra_date_format(end, b2));
    g->i0 = ra_date_lower_bound(m->dates, nd, start);
    size_t after = ra_date_lower_bound(m->dates, nd, end + 1);
    if (after < g->i0 + 2)
        return ra_err_set(g->err, RA_EINVAL, NULL,
                          "window %s to %s holds fewer than 2 market dates",
                          ra_date_format(start, b1), ra_date_format(end, b2));
    g->i1 = after - 1;

    g->filled = ra_malloc(nd * n * sizeof *g->filled);
    g->month_start = ra_calloc(nd, 1);
    g->div_first = ra_calloc(nd + 1, sizeof *g->div_first);
    g->divs = ra_malloc((m->n_dividends ? m->n_dividends : 1) * sizeof *g->divs);
    g->qty = ra_calloc(n, sizeof *g->qty);
    if (!g->filled || !g->month_start || !g->div_first || !g->divs || !g->qty)
        return ra_err_set(g->err, RA_ENOMEM, NULL, "could not allocate the market tables");
    for (size_t d = 0; d < nd; d++)
        for (size_t j = 0; j < n; j++) {
            ra_price p = m->close[d * n + j];
            g->filled[d * n + j] = p > 0 ? p : d > 0 ? g->filled[(d - 1) * n + j] : 0;
        }
    for (size_t d = g->i0; d <= g->i1; d++) {
        int y0, m0, d0, y1, m1, d1;
        ra_date_to_ymd(m->dates[d], &y1, &m1, &d1);
        if (d == g->i0) {
            g->month_start[d] = 1;
            continue;
        }
        ra_date_to_ymd(m->dates[d - 1], &y0, &m0, &d0);
        g->month_start[d] = m0 != m1;
    }
    /* Each dividend goes to the first market date on or after its ex-date; counting sort by date
     * index, stable in shelf order for equal dates (the input order does not matter). */
    size_t *cnt = g->div_first;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            size_t run = 0;
            for (size_t d = 0; d <= nd; d++) {
                size_t c = cnt[d];
                cnt[d] = run;
                run += c;
            }
        }
        for (uint32_t sec = 0; sec < n; sec++)
            for (size_t i = 0; i < m->n_dividends; i++) {
                const ra_dividend *dv = &m->dividends[i];
                if (dv->amount <= 0 || strcmp(dv->ticker, m->securities[sec].ticker) != 0)
                    continue;
                size_t d = ra_date_lower_bound(m->dates, nd, dv->ex_date);
                if (d < g->i0 || d > g->i1)
                    continue;
                if (pass == 0) {
                    cnt[d]++;
                } else {
                    div_event *ev = &g->divs[cnt[d]++];
                    ev->security = sec;
                    ev->amount = dv->amount;
                }
            }
    }
    /* after the second pass cnt[d] is the end of date d = the start of d + 1: shift back */
    for (size_t d = nd; d > 0; d--)
        cnt[d] = cnt[d - 1];
    cnt[0] = 0;
    return RA_OK;
}

void ra_bookgen_settings_default(ra_bookgen_settings *s)
{
    memset(s, 0, sizeof *s);
    s->seed = RA_BOOKGEN_DEFAULT_SEED;
    s->n_clients = RA_BOOKGEN_DEFAULT_CLIENTS;
    s->fee_bp_per_year = RA_BOOKGEN_DEFAULT_FEE_BP;
}

void ra_bookgen_destroy(ra_bookgen_book *b)
{
    if (!b)
        return;
    RA_FREE_ALL(b->advisors, b->securities, b->clients, b->accounts, b->txns, b->txn_first,
                b->txn_ext_id, b);
}

static ra_status make_parties(gen *g, acct_plan **plans_out)
{
    const ra_bookgen_settings *s = g->s;
    const ra_bookgen_market *m = g->m;
    ra_bookgen_book *b = g->b;
    rng r = rng_stream(s->seed, 1, 0);
    size_t nc = s->n_clients;
    b->n_advisors = nc / 60 + 3;
    b->advisors = ra_calloc(b->n_advisors, sizeof *b->advisors);
    b->clients = ra_calloc(nc, sizeof *b->clients);
    b->accounts = ra_calloc(3 * nc, sizeof *b->accounts);
    acct_plan *plans = ra_calloc(3 * nc, sizeof *plans);
    *plans_out = plans;
    if (!b->advisors || !b->clients || !b->accounts || !plans)
        return ra_err_set(g->err, RA_ENOMEM, NULL, "could not allocate %zu clients", nc);
    for (size_t i = 0; i < b->n_advisors; i++) {
        ra_advisor *a = &b->advisors[i];
        snprintf(a->code, sizeof a->code, "ADV%03zu", i + 1);
        make_person(&r, a->name, a->email, sizeof a->name, PICK(&r, last_names), (unsigned)(i + 1),
                    "demo-wealth.example");
    }
    int y0, m0, d0;
    ra_date_to_ymd(m->dates[g->i0], &y0, &m0, &d0);
    size_t span = g->i1 - g->i0; /* trading days in the window, minus one */
    size_t open_span = span * 3 / 5 + 1;
    size_t household = 0, na = 0;
    const ra_client *partner = NULL;
    int partner_risk = 3;
    for (size_t i = 0; i < nc; i++) {
        ra_client *c = &b->clients[i];
        snprintf(c->code, sizeof c->code, "C%06zu", i + 1);
        int joins = partner && rng_pct(&r, 35);
        const char *last;
        if (joins) {
            snprintf(c->household, sizeof c->household, "%s", partner->household);
            snprintf(c->advisor, sizeof c->advisor, "%s", partner->advisor);
            snprintf(c->address, sizeof c->address, "%s", partner->address);
            last = strchr(partner->name, ' ') + 1;
            c->birth_year = partner->birth_year + (int)rng_range(&r, -4, 4);
            partner = NULL; /* households of at most two */
        } else {
            household++;
            snprintf(c->household, sizeof c->household, "H%06zu", household);
            snprintf(c->advisor, sizeof c->advisor, "%s",
                     b->advisors[rng_below(&r, b->n_advisors)].code);
            last = PICK(&r, last_names);
            int city = (int)rng_below(&r, sizeof cities / sizeof cities[0]);
            snprintf(c->address, sizeof c->address, "%d %s %s, %s, %s %05d",
                     (int)rng_range(&r, 1, 9999), PICK(&r, streets), PICK(&r, street_kinds),
                     cities[city].city, cities[city].state, cities[city].zip);
            c->birth_year = (int)rng_range(&r, 1938, 1998);
            partner = c;
        }
        make_person(&r, c->name, c->email, sizeof c->name, last, (unsigned)(i + 1),
                    "example.com");
        /* Area number 000 is never issued (SSA): these can never be real taxpayer ids. */
        snprintf(c->tax_id, sizeof c->tax_id, "000-%02d-%04d", (int)rng_range(&r, 10, 99),
                 (int)((i + 1) % 10000));
        int risk = joins && rng_pct(&r, 70) ? partner_risk : risk_for_age(&r, y0 - c->birth_year);
        partner_risk = risk;

        int n_acc = rng_pct(&r, 45) ? 1 : rng_pct(&r, 64) ? 2 : 3;
        int first_type = rng_pct(&r, 55) ? 0 : rng_pct(&r, 78) ? 1 : 2;
        int rot = rng_pct(&r, 50) ? 1 : 2;
        size_t d_first = g->i0 + rng_below(&r, open_span);
        for (int k = 0; k < n_acc; k++) {
            ra_account *a = &b->accounts[na];
            acct_plan *p = &plans[na];
            snprintf(a->code, sizeof a->code, "A%06zu-%d", i + 1, k + 1);
            snprintf(a->client, sizeof a->client, "%s", c->code);
            a->type = (ra_account_type)((first_type + k * rot) % 3);
            snprintf(a->currency, sizeof a->currency, "USD");
            size_t d_open = k == 0 ? d_first : d_first + rng_below(&r, 250);
            if (d_open + 20 > g->i1)
                d_open = d_first;
            p->d_open = d_open;
            a->opened = m->dates[d_open];
            p->risk = risk;
            p->variant = (int)rng_below(&r, 2);
            ra_mandate *md = &a->mandate;
            ra_rule_mandate_default(md);
            ra_rule_mandate_for_type(md, (int)a->type);
            snprintf(md->model, sizeof md->model, "MODEL-R%d", risk);
            md->discretionary = rng_pct(&r, 85);
            int band = (int)rng_below(&r, 20);
            p->band_bp = band < 12 ? 500 : band < 17 ? 300 : 1000;
            md->drift_band = p->band_bp / (double)BP;
            md->tlh_enabled = a->type == RA_ACCOUNT_TAXABLE && rng_pct(&r, 60);
            int ll = (int)rng_below(&r, 20);
            md->loss_limit = ll < 17 ? 0.10 : ll < 19 ? 0.15 : 0.05;
            int rs = (int)rng_below(&r, 100);
            snprintf(md->restrictions, sizeof md->restrictions, "%s",
                     rs < 6 ? "EEM" : rs < 10 ? "real_estate" : rs < 12 ? "EEM;GLD" : "");
            if (a->type == RA_ACCOUNT_TAX_FREE)
                p->initial = rng_logu(&r, 100000, 10000000, 10000);
            else
                p->initial = rng_logu(&r, 500000, 75000000, 10000);
            p->monthly = rng_pct(&r, 60) ? rng_logu(&r, 10000, 250000, 2500) : 0;
            p->rebalance_month = (int)rng_range(&r, 1, 12);
            na++;
        }
    }
    b->n_clients = nc;
    b->n_households = household;
    b->n_accounts = na;
    return RA_OK;
}

ra_status ra_bookgen_create(const ra_bookgen_settings *s, const ra_bookgen_market *m,
                            ra_bookgen_book **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "book generation needs an output");
    *out = NULL;
    ra_status rc = check_inputs(s, m, err);
    if (rc != RA_OK)
        return rc;
    gen g;
    memset(&g, 0, sizeof g);
    g.s = s;
    g.m = m;
    g.err = err;
    acct_plan *plans = NULL;
    g.b = ra_calloc(1, sizeof *g.b);
    if (!g.b) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the book");
        goto out;
    }
    ra_bookgen_book *b = g.b;
    snprintf(b->firm.code, sizeof b->firm.code, "DEMO");
    snprintf(b->firm.name, sizeof b->firm.name, "Demo Wealth Advisors");
    snprintf(b->firm.currency, sizeof b->firm.currency, "USD");
    b->firm.minor_digits = MINOR_DIGITS;
    b->n_securities = m->n_securities;
    b->securities = ra_malloc(m->n_securities * sizeof *b->securities);
    if (!b->securities) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the shelf");
        goto out;
    }
    memcpy(b->securities, m->securities, m->n_securities * sizeof *b->securities);
    if ((rc = prepare_market(&g)) != RA_OK || (rc = make_parties(&g, &plans)) != RA_OK)
        goto out;
    b->txn_first = ra_calloc(b->n_accounts + 1, sizeof *b->txn_first);
    if (!b->txn_first) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu accounts", b->n_accounts);
        goto out;
    }
    for (size_t a = 0; a < b->n_accounts && rc == RA_OK; a++) {
        rng r = rng_stream(s->seed, 2, a);
        g.whole_shares = rng_pct(&r, 40);
        g.reinvest = rng_pct(&r, 50);
        g.relief = b->accounts[a].mandate.tlh_enabled ? RA_RELIEF_HIFO : RA_RELIEF_FIFO;
        /* the mandate says what the history did: dividends reinvested, whole shares or
         * fractions, no trade below MIN_TRADE_MINOR, the relief method (a harvesting account: HIFO, or the tax-aware order,
         * HIFO within its classes); and a few accounts buy only. Stream 3 varies them without
         * moving any other draw. */
        ra_mandate *md = &b->accounts[a].mandate;
        rng r3 = rng_stream(s->seed, 3, a);
        md->reinvest_dividends = g.reinvest;
        md->fractional = !g.whole_shares;
        md->min_trade_minor = MIN_TRADE_MINOR; /* the history's smallest trade */
        md->relief = g.relief == RA_RELIEF_HIFO && rng_pct(&r3, 50) ? RA_RELIEF_TAX_AWARE
                                                                    : g.relief;
        md->buy_only = rng_pct(&r3, 8);
        rc = simulate_account(&g, a, &plans[a]);
    }
    if (rc != RA_OK)
        goto out;
    b->txn_first[b->n_accounts] = b->n_txns;
    b->value_date = m->dates[g.i1];
    b->first_date = INT32_MAX;
    b->last_date = INT32_MIN;
    for (size_t i = 0; i < b->n_txns; i++) {
        if (b->txns[i].date < b->first_date)
            b->first_date = b->txns[i].date;
        if (b->txns[i].date > b->last_date)
            b->last_date = b->txns[i].date;
    }
out:
    RA_FREE_ALL(g.filled, g.month_start, g.div_first, g.divs, g.qty, plans);
    if (rc != RA_OK) {
        ra_bookgen_destroy(g.b);
        return rc;
    }
    *out = g.b;
    return RA_OK;
}

/* ---- helpers that turn the shared data files into inputs -------------------------------------- */

static int contains(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Tax-loss-harvesting substitutes on the AssetAllocation shelf: funds tracking similar but not
 * identical indices (shared/data/README.md, "Tax-loss-harvesting pairs"). */
static const struct {
    const char *ticker, *group;
} tlh_groups[] = {{"SPY", "us_large"},   {"VTI", "us_large"},     {"IWD", "us_value"},
                  {"VLUE", "us_value"},  {"IWM", "us_small"},     {"IWN", "us_small"},
                  {"EFA", "intl_dev"},   {"VEU", "intl_dev"},     {"BND", "us_agg"},
                  {"AGG", "us_agg"},     {"VNQ", "us_reit"},      {"IYR", "us_reit"},
                  {"BNDX", "intl_bond"}, {"BWX", "intl_bond"},    {"DBC", "broad_cmdty"},
                  {"GSG", "broad_cmdty"}, {"RWX", "intl_reit"},   {"RWO", "intl_reit"}};

/* The generator's reading of a description: asset class, risk level and TLH group from the
 * focus, type and name (docs/methodology.md#demo-book-generator). */
static ra_status classify(const ra_market_etf *e, const char *source, ra_security *sec,
                          ra_err *err)
{
    const char *name = e->name;
    memset(sec, 0, sizeof *sec);
    snprintf(sec->ticker, sizeof sec->ticker, "%s", e->ticker);
    snprintf(sec->name, sizeof sec->name, "%s", e->name);
    int us = strcmp(e->focus, "United States of America") == 0;
    int em = contains(e->focus, "Emerging");
    const char *ac;
    int risk;
    if (strcmp(e->type, "Bond") == 0) {
        if (contains(name, "T-Bill") || contains(name, "1-3 Month"))
            ac = "cash", risk = 1;
        else if (contains(name, "TIPS"))
            ac = "inflation_bonds", risk = 2;
        else if (us)
            ac = "us_bonds",
            risk = contains(name, "1-3 Year")     ? 1
                   : contains(name, "High Yield") ? 3
                   : contains(name, "20+")        ? 3
                                                  : 2;
        else
            ac = "intl_bonds", risk = em ? 3 : 2;
    } else if (strcmp(e->type, "Equity") == 0) {
        int small = contains(name, "2000") || contains(name, "Small");
        if (contains(name, "Real Estate"))
            ac = "real_estate", risk = contains(name, "Mortgage") ? 5 : 4;
        else if (em)
            ac = "em_equity", risk = 5;
        else if (us)
            ac = "us_equity", risk = small ? 5 : 4;
        else
            ac = "intl_equity", risk = small ? 5 : 4;
    } else if (strcmp(e->type, "Commodity") == 0) {
        ac = "commodities", risk = 5;
    } else {
        char where[128];
        snprintf(where, sizeof where, "%.80s:%u:4 (Fund Type)", source ? source : "input",
                 (unsigned)e->line);
        return ra_err_set(err, RA_EPARSE, where,
                          "fund type must be Equity, Bond or Commodity, got \"%.40s\"", e->type);
    }
    snprintf(sec->asset_class, sizeof sec->asset_class, "%s", ac);
    sec->risk_level = risk;
    sec->expense_ratio = 0.0;
    sec->lot_size = 1;
    snprintf(sec->exchange, sizeof sec->exchange, "US");
    snprintf(sec->currency, sizeof sec->currency, "USD");
    for (size_t i = 0; i < sizeof tlh_groups / sizeof tlh_groups[0]; i++)
        if (strcmp(tlh_groups[i].ticker, sec->ticker) == 0)
            snprintf(sec->tlh_group, sizeof sec->tlh_group, "%s", tlh_groups[i].group);
    sec->on_shelf = 1;
    sec->incomplete = 0;
    return RA_OK;
}

ra_status ra_bookgen_shelf_parse(const char *data, size_t size, const char *source,
                                 ra_security **out, size_t *n, ra_err *err)
{
    if (!out || !n || (!data && size))
        return ra_err_set(err, RA_EINVAL, NULL, "shelf parsing needs data and outputs");
    *out = NULL;
    *n = 0;
    ra_market_etf *etf = NULL;
    size_t m = 0;
    ra_status rc = ra_market_etfs_parse(data, size, source, &etf, &m, err);
    if (rc != RA_OK)
        return rc;
    ra_security *sec = ra_calloc(m ? m : 1, sizeof *sec);
    if (!sec)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu securities", m);
    for (size_t i = 0; rc == RA_OK && i < m; i++)
        rc = classify(&etf[i], source, &sec[i], err);
    ra_free(etf);
    if (rc != RA_OK) {
        ra_free(sec);
        return rc;
    }
    *out = sec;
    *n = m;
    return RA_OK;
}

ra_status ra_bookgen_dividends_parse(const char *data, size_t size, const char *source,
                                     ra_dividend **out, size_t *n, ra_err *err)
{
    return ra_market_dividends_parse(data, size, source, out, n, err);
}

ra_status ra_bookgen_splits_parse(const char *data, size_t size, const char *source,
                                  ra_split **out, size_t *n, ra_err *err)
{
    return ra_market_splits_parse(data, size, source, out, n, err);
}

ra_status ra_bookgen_dividends_adjust(ra_dividend *divs, size_t n, const ra_split *splits,
                                      size_t n_splits, ra_err *err)
{
    if ((n && !divs) || (n_splits && !splits))
        return ra_err_set(err, RA_EINVAL, NULL, "dividend adjustment needs its arrays");
    for (size_t i = 0; i < n; i++) {
        /* the product of later ratios, as one fraction, so that the rounding happens once */
        int64_t num = 1, den = 1;
        for (size_t j = 0; j < n_splits; j++) {
            if (strcmp(splits[j].ticker, divs[i].ticker) != 0 || splits[j].date <= divs[i].ex_date)
                continue;
            if (splits[j].ratio.num <= 0 || splits[j].ratio.den <= 0)
                return ra_err_set(err, RA_EINVAL, splits[j].ticker, "split ratio %lld/%lld",
                                  (long long)splits[j].ratio.num, (long long)splits[j].ratio.den);
            if (num > INT32_MAX || den > INT32_MAX)
                return ra_err_set(err, RA_EINVAL, splits[j].ticker,
                                  "too many splits to combine exactly");
            num *= splits[j].ratio.num;
            den *= splits[j].ratio.den;
        }
        if (num == 1 && den == 1)
            continue;
        int64_t v = 0;
        ra_status rc = ra_money_muldiv(divs[i].amount, den, num, &v, err);
        if (rc != RA_OK)
            return rc;
        divs[i].amount = v;
    }
    return RA_OK;
}

ra_status ra_bookgen_close_from_series(const ra_series *prices, const ra_security *shelf,
                                       size_t n, ra_price **close, ra_err *err)
{
    if (!prices || !close || (n && !shelf))
        return ra_err_set(err, RA_EINVAL, NULL, "close matrix needs a series and a shelf");
    *close = NULL;
    size_t *col = ra_malloc((n ? n : 1) * sizeof *col);
    if (!col)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu columns", n);
    for (size_t j = 0; j < n; j++) {
        size_t c = prices->n_cols;
        for (size_t k = 0; k < prices->n_cols; k++)
            if (strcmp(prices->names[k], shelf[j].ticker) == 0) {
                c = k;
                break;
            }
        if (c == prices->n_cols) {
            ra_free(col);
            return ra_err_set(err, RA_ENOTFOUND, prices->source, "no price column for %s",
                              shelf[j].ticker);
        }
        col[j] = c;
    }
    size_t cells = prices->n_rows * n;
    ra_price *m = ra_malloc((cells > 0 ? cells : 1) * sizeof *m);
    if (!m) {
        ra_free(col);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu prices",
                          prices->n_rows * n);
    }
    for (size_t i = 0; i < prices->n_rows; i++)
        for (size_t j = 0; j < n; j++) {
            double v = prices->values[i * prices->n_cols + col[j]];
            m[i * n + j] = isfinite(v) && v > 0 && v < 9e12 ? (ra_price)llround(v * 1e6) : 0;
        }
    ra_free(col);
    *close = m;
    return RA_OK;
}
