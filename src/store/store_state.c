/* roboadvisor store: the audited state of the business tables (docs/methodology.md#state-images).
 *
 * Every audited table is read in groups of rows (an account's lots, a security's prices, a
 * model version's weights, ...). The image of a group is a keyed BLAKE2b (the firm's audit key)
 * of its rows in a fixed order, each column in a canonical form. Every audit record carries, in
 * its state column, the images of the groups its write left behind ("table US group US image
 * RS" lines, US = 0x1f, RS = newline), inside the keyed hash of the record. Verification keeps
 * the last image of every group from the log and compares it with the image of the group as it
 * is now: a differing image, a group without one, and a group that is gone are all named. */
#include "store/store_int.h"

#include <roboadvisor/hashtab.h>

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state_spec {
    const char *table;  /* in messages and state lines */
    int min_version;    /* the migration that creates it */
    const char *grp;    /* SQL expression of the group key */
    const char *cols;   /* the columns of a row */
    const char *types;  /* a letter per column: i int, d double (NULL allowed), t text, b blob */
    const char *from;   /* tables and joins; f is the firm */
    const char *order;  /* the rows' order inside a group */
} state_spec;

#define ACCT_JOIN "JOIN accounts a ON a.id = x.account_id JOIN firms f ON f.id = a.firm_id"
#define BLOCK_JOIN(T) T " x JOIN blocks b ON b.id = x.block_id JOIN firms f ON f.id = b.firm_id"
#define MODEL_GRP "m.code || '@' || CAST(m.version AS TEXT)"

static const state_spec g_specs[RS_STATE_TABLES] = {
    {"firms", 1, "f.code", "f.name, f.currency, f.minor_digits, f.key_check", "ttit", "firms f",
     "f.code"},
    {"advisors", 1, "x.code", "x.name_enc, x.email_enc", "bb",
     "advisors x JOIN firms f ON f.id = x.firm_id", "x.id"},
    {"households", 1, "x.code", "x.code", "t", "households x JOIN firms f ON f.id = x.firm_id",
     "x.id"},
    {"clients", 1, "x.code",
     "h.code, COALESCE(v.code, ''), x.birth_year, x.name_enc, x.email_enc, x.tax_id_enc, "
     "x.address_enc",
     "ttibbbb",
     "clients x JOIN firms f ON f.id = x.firm_id JOIN households h ON h.id = x.household_id "
     "LEFT JOIN advisors v ON v.id = x.advisor_id",
     "x.id"},
    {"accounts", 1, "a.code",
     "c.code, a.type, a.currency, a.minor_digits, a.opened, a.model, a.discretionary, "
     "a.drift_band, a.tlh_enabled, a.loss_limit, a.restrictions, a.cash_minor, a.next_lot_id, "
     "a.n_txns, a.cash_in_minor, a.cash_out_minor, a.basis_in_minor, a.basis_sold_minor, "
     "a.basis_out_minor, a.proceeds_minor, a.gain_short_minor, a.gain_long_minor",
     "titiitididtiiiiiiiiiii",
     "accounts a JOIN firms f ON f.id = a.firm_id JOIN clients c ON c.id = a.client_id", "a.id"},
    {"lots", 1, "a.code", "x.lot_id, s.ticker, x.acquired, x.qty_micro, x.basis_minor", "itiii",
     "lots x " ACCT_JOIN " JOIN securities s ON s.id = x.security_id", "x.lot_id"},
    {"txns", 1, "a.code",
     "x.seq, x.external_id, x.kind, x.day, COALESCE(s.ticker, ''), x.qty_micro, x.price, "
     "x.amount_minor, x.fees_minor, x.relief, x.split_num, x.split_den, x.detail",
     "itiitiiiiiiit", "txns x " ACCT_JOIN " LEFT JOIN securities s ON s.id = x.security_id",
     "x.seq"},
    {"securities", 1, "s.ticker",
     "s.name, s.asset_class, s.risk_level, s.expense_ratio, s.lot_size, s.exchange, s.currency, "
     "s.tlh_group, s.on_shelf, s.incomplete",
     "ttiditttii", "securities s JOIN firms f ON f.id = s.firm_id", "s.id"},
    {"prices", 1, "s.ticker", "x.day, x.price", "ii",
     "prices x JOIN securities s ON s.id = x.security_id JOIN firms f ON f.id = s.firm_id",
     "x.day"},
    {"dividends", 1, "s.ticker", "x.day, x.amount", "ii",
     "dividends x JOIN securities s ON s.id = x.security_id JOIN firms f ON f.id = s.firm_id",
     "x.day"},
    {"splits", 1, "s.ticker", "x.day, x.num, x.den", "iii",
     "splits x JOIN securities s ON s.id = x.security_id JOIN firms f ON f.id = s.firm_id",
     "x.day"},
    {"models", 2, MODEL_GRP,
     "m.level, m.target_level, m.built, m.method, m.day_from, m.day_to, m.expected_return, "
     "m.volatility, m.equity_share, m.created_at",
     "iiitiidddi", "models m JOIN firms f ON f.id = m.firm_id", "m.id"},
    {"model_weights", 2, MODEL_GRP, "s.ticker, x.weight", "td",
     "model_weights x JOIN models m ON m.id = x.model_id JOIN firms f ON f.id = m.firm_id "
     "JOIN securities s ON s.id = x.security_id",
     "s.ticker"},
    {"model_settings", 2, "f.code", "x.shelf_only", "i",
     "model_settings x JOIN firms f ON f.id = x.firm_id", "f.code"},
    {"model_assignments", 2, "a.code",
     "m.code, m.version, x.client_level, x.overridden, x.justification, x.user_name, x.at",
     "tiiitti", "model_assignments x " ACCT_JOIN " JOIN models m ON m.id = x.model_id", "a.id"},
    {"questionnaires", 3, "x.code || '/' || CAST(x.version AS TEXT)", "x.doc, x.created_at",
     "ti", "questionnaires x JOIN firms f ON f.id = x.firm_id", "x.id"},
    {"answered_questionnaires", 3, "c.code || '/' || CAST(x.id AS TEXT)",
     "q.code, q.version, x.answers, x.taken, x.created_at", "titii",
     "answered_questionnaires x JOIN clients c ON c.id = x.client_id JOIN firms f ON "
     "f.id = c.firm_id JOIN questionnaires q ON q.id = x.questionnaire_id",
     "x.id"},
    {"profiles", 3, "c.code || '/' || CAST(x.id AS TEXT)",
     "x.answers_id, x.tolerance_score, x.capacity_score, x.tolerance_level, x.capacity_level, "
     "x.cap, x.cap_question, x.cap_option, x.level, x.lang, x.flags, x.taken, x.expires, "
     "x.created_at",
     "iddiiittittiii",
     "profiles x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = c.firm_id", "x.id"},
    {"agents", 3, "a.code", "x.version, x.name, x.params, x.reason, x.user_name, x.created_at",
     "itttti", "agents x " ACCT_JOIN, "x.version"},
    {"suitability_overrides", 3, "a.code",
     "x.product, x.product_level, x.client_level, x.justification, x.on_date, x.user_name, "
     "x.created_at",
     "tiititi", "suitability_overrides x " ACCT_JOIN, "x.id"},
    {"proposals", 6, "x.code",
     "a.code, x.day, x.status, x.discretionary, x.engine_version, x.config_hash, x.value_minor, "
     "x.drift_before, x.drift_after, x.max_dev_before, x.max_dev_after, x.held_back, "
     "x.supersedes, x.decided_by, x.decided_reason",
     "titittiddddittt",
     "proposals x JOIN accounts a ON a.id = x.account_id JOIN firms f ON f.id = x.firm_id",
     "x.id"},
    {"proposal_trades", 6, "p.code",
     "x.n, s.ticker, x.side, x.qty_micro, x.price, x.price_day, x.value_minor, x.reasons, "
     "x.gain_short_minor, x.gain_long_minor, x.risk_level, x.lots, x.status",
     "itiiiiiiiiitt",
     "proposal_trades x JOIN proposals p ON p.id = x.proposal_id JOIN firms f ON f.id = "
     "p.firm_id JOIN securities s ON s.id = x.security_id",
     "x.n"},
    {"orders", 6, "p.code",
     "x.code, a.code, x.trade_n, x.day, s.ticker, x.side, x.qty_micro, x.limit_price, "
     "x.filled_micro, x.status",
     "ttiitiiiit",
     "orders x JOIN proposals p ON p.id = x.proposal_id JOIN accounts a ON a.id = x.account_id "
     "JOIN firms f ON f.id = p.firm_id JOIN securities s ON s.id = x.security_id",
     "x.trade_n"},
    {"firm_settings", 8, "f.code", "x.wash_window_days, x.user_name, x.updated_at", "iti",
     "firm_settings x JOIN firms f ON f.id = x.firm_id", "f.code"},
    {"instructions", 8, "a.code",
     "x.n, x.code, x.kind, x.amount_minor, x.due, x.source, x.note, x.user_name, x.created_at, "
     "x.cancelled_by, x.cancelled_reason",
     "ittiitttitt", "instructions x " ACCT_JOIN, "x.n"},
    {"mandates", 7, "a.code",
     "x.version, x.model, x.discretionary, x.drift_band, x.band_rel, x.to_band_edge, x.buy_only, "
     "x.tlh, x.loss_limit, x.restrictions, x.relief, x.cash_reserve, x.min_trade_minor, "
     "x.reinvest_dividends, x.fractional, x.gain_budget_minor, x.client_confirm, x.risk_level, "
     "x.objective, x.agent_name, x.effective, x.user_name, x.reason, x.created_at",
     "itiddiiidtidiiiiiiittti", "mandates x " ACCT_JOIN, "x.version"},
    /* fees (0010_fees.sql); the mandate's fee_schedule as a table of its own: only the versions
     * that name one, so that the mandates images of earlier records stay valid */
    {"fee_schedules", 10, "x.code",
     "x.version, x.effective, x.tiers, x.min_annual_minor, x.monthly_minor, x.services, "
     "x.period_months, x.perf_rate_ppm, x.perf_months, x.perf_hurdle_ppm, x.perf_benchmark, "
     "x.user_name, x.reason, x.created_at",
     "iitiitiiiittti", "fee_schedules x JOIN firms f ON f.id = x.firm_id", "x.version"},
    {"fee_settings", 10, "f.code", "x.default_schedule, x.user_name, x.updated_at", "tti",
     "fee_settings x JOIN firms f ON f.id = x.firm_id", "f.code"},
    {"fee_bills", 10, "a.code",
     "x.period_end, x.period_start, x.schedule, x.schedule_version, x.days, x.value_sum_minor, "
     "x.asset_fee_minor, x.subscription_minor, x.service_minor, x.perf_start, x.perf_end, "
     "x.perf_value_start_minor, x.perf_value_end_minor, x.perf_flows_minor, x.perf_hurdle_ppm, "
     "x.perf_profit_minor, x.perf_hurdle_minor, x.carried_loss_minor, x.perf_fee_minor, "
     "x.carried_loss_after_minor, x.total_minor, x.txn_day, x.paid_minor, x.shortfall_minor, "
     "x.instruction, x.user_name, x.created_at",
     "iitiiiiiiiiiiiiiiiiiiiiitti", "fee_bills x " ACCT_JOIN, "x.period_end"},
    {"mandate_fee_schedules", 10, "a.code", "x.version, x.fee_schedule", "it",
     "(SELECT account_id, version, fee_schedule FROM mandates WHERE fee_schedule <> '') x "
     ACCT_JOIN, "x.version"},
    {"suspensions", 11, "a.code",
     "x.day, x.kind, x.loss_limit, x.entrusted_minor, x.value_minor, x.loss_minor, "
     "x.orders_cancelled, x.reauthorised_by, x.reauthorised_note, x.reauthorised_at, x.base_day, "
     "x.base_minor",
     "itdiiiittiii", "suspensions x " ACCT_JOIN, "x.day"},
    {"notifications", 11, "a.code",
     "x.code, x.day, x.recipient, x.recipient_code, x.kind, x.message, x.due_at, x.created_at",
     "tittttii", "notifications x " ACCT_JOIN, "x.code"},
    {"risk_settings", 11, "f.code", "x.close_minute, x.zone, x.user_name, x.updated_at", "itti",
     "risk_settings x JOIN firms f ON f.id = x.firm_id", "f.code"},
    /* the firm rules (0016): every version of the firm's, and a fund's shares outstanding */
    {"firm_rules", 16, "f.code",
     "x.version, x.max_weight, x.exempt, x.max_firm_share, x.min_hold_days, x.max_turnover, "
     "x.user_name, x.created_at",
     "idtdidti", "firm_rules x JOIN firms f ON f.id = x.firm_id", "x.version"},
    /* their anti-crowding settings (0020): imaged apart, and only the versions that differ from
     * the defaults, so that the rules' images of books older than the columns stay as they were */
    {"firm_crowding", 20, "f.code", "x.version, x.max_identical, x.crowd_te_budget", "iid",
     "firm_rules x JOIN firms f ON f.id = x.firm_id AND (x.max_identical <> 3 OR "
     "x.crowd_te_budget <> 0.005)", "x.version"},
    {"fund_shares", 16, "c.ticker", "x.day, x.shares_micro", "ii",
     "fund_shares x JOIN securities c ON c.id = x.security_id JOIN firms f ON f.id = c.firm_id",
     "x.day"},
    /* the mandates' rules (0011): imaged apart from the mandates, and only the versions that
     * have some, so that the mandates' images of books older than the column stay as they were */
    {"mandate_rules", 11, "a.code", "x.version, x.rules", "it",
     "mandates x JOIN accounts a ON a.id = x.account_id AND x.rules <> '' JOIN firms f ON f.id = "
     "a.firm_id",
     "x.version"},
    /* the mandates' client objectives (0025): imaged apart, only the versions that set one */
    {"mandate_objectives", 25, "a.code",
     "x.version, x.risk_aversion, x.te_penalty, x.turnover_penalty, x.cvar_limit", "idddd",
     "mandates x JOIN accounts a ON a.id = x.account_id AND (x.risk_aversion <> 0 OR "
     "x.te_penalty <> 0 OR x.turnover_penalty <> 0 OR x.cvar_limit <> 0) JOIN firms f ON f.id = "
     "a.firm_id",
     "x.version"},
    {"risk_rules", 11, "x.code", "x.cond, x.action, x.note, x.user_name, x.updated_at", "tttti",
     "risk_rules x JOIN firms f ON f.id = x.firm_id", "x.code"},
    {"rule_firings", 11, "a.code", "x.day, x.rule, x.cond, x.action, x.observed, x.subject",
     "itttdt", "rule_firings x " ACCT_JOIN, "x.day, x.rule"},
    /* the intraday monitor's firings (0014): their snapshot's minute, price and value, imaged
     * apart so that the images of the close's firings stay as they were */
    {"rule_firings_intraday", 14, "a.code", "x.day, x.rule, x.at_minute, x.price, x.value_minor",
     "itiii",
     "rule_firings x JOIN accounts a ON a.id = x.account_id AND x.at_minute >= 0 JOIN firms f ON "
     "f.id = a.firm_id",
     "x.day, x.rule"},
    {"risk_events", 11, "f.code",
     "COALESCE(a.code, ''), x.name, x.day, x.note, x.user_name, x.created_at", "ttitti",
     "risk_events x JOIN firms f ON f.id = x.firm_id LEFT JOIN accounts a ON a.id = x.account_id",
     "x.id"},
    {"blocks", 12, "x.code",
     "x.day, s.ticker, x.side, x.step_micro, x.qty_micro, x.filled_micro, x.status, x.user_name, "
     "x.created_at",
     "itiiiitti",
     "blocks x JOIN firms f ON f.id = x.firm_id JOIN securities s ON s.id = x.security_id",
     "x.id"},
    {"block_members", 12, "b.code", "x.n, x.order_code, x.qty_micro", "iti",
     BLOCK_JOIN("block_members"), "x.n"},
    {"block_fills", 12, "b.code", "x.n, x.exec_id, x.day, x.qty_micro, x.price, x.seed", "itiiit",
     BLOCK_JOIN("block_fills"), "x.n"},
    {"block_allocs", 12, "b.code", "x.fill_n, x.member_n, x.open_micro, x.qty_micro, x.tie_rank",
     "iiiii", BLOCK_JOIN("block_allocs"), "x.fill_n, x.member_n"},
    {"client_tiers", 17, "c.code",
     "x.day_from, x.tier, x.source, x.rule, x.data, x.user_name, x.note, x.created_at",
     "iittttti",
     "client_tiers x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = c.firm_id",
     "x.id"},
    {"tier_rules", 17, "x.code", "x.metric, x.threshold, x.tier, x.note, x.user_name, x.updated_at",
     "tditti", "tier_rules x JOIN firms f ON f.id = x.firm_id", "x.code"},
    {"behaviour_settings", 17, "f.code",
     "x.window_days, x.max_instructions, x.drawdown_sell, x.concentration, x.tolerance1, "
     "x.tolerance2, x.tolerance3, x.tolerance4, x.tolerance5, x.user_name, x.updated_at",
     "iidddddddti", "behaviour_settings x JOIN firms f ON f.id = x.firm_id", "f.code"},
    {"fill_execs", 12, "x.cl_ord_id", "x.exec_id, x.day, x.qty_micro, x.price, x.created_at",
     "tiiii", "fill_execs x JOIN firms f ON f.id = x.firm_id", "x.exec_id"},
    /* issue 14 (0018): the firm's model inputs, and a two-stage model's classes */
    {"model_inputs", 18, "x.kind", "x.version, x.body, x.user_name, x.reason, x.created_at",
     "ittti", "model_inputs x JOIN firms f ON f.id = x.firm_id", "x.version"},
    {"model_classes", 18, MODEL_GRP,
     "x.position, x.asset_class, x.market_weight, x.pi, x.mu, x.weight, x.weight_sd, x.fund, "
     "x.expense_ratio, x.tracking_error",
     "itdddddtdd",
     "model_classes x JOIN models m ON m.id = x.model_id JOIN firms f ON f.id = m.firm_id",
     "x.position"},
    /* issue 14 (0027): a security's daily traded value and the firm's minimum, only where set */
    {"security_liquidity", 27, "s.ticker", "s.adv", "i",
     "securities s JOIN firms f ON f.id = s.firm_id AND s.adv IS NOT NULL", "s.id"},
    {"model_liquidity", 27, "f.code", "x.min_adv", "i",
     "model_settings x JOIN firms f ON f.id = x.firm_id AND x.min_adv <> 0", "f.code"},
    /* issue 14 (0027): a two-stage model's objective and CVaR */
    {"model_objectives", 27, MODEL_GRP,
     "x.objective, x.cvar_beta, x.cvar, x.value_at_risk, x.cvar_limit, x.mv_return, x.mv_cvar, "
     "x.notes",
     "tdddddd" "t",
     "model_objectives x JOIN models m ON m.id = x.model_id JOIN firms f ON f.id = m.firm_id",
     "x.model_id"},
    /* issue 15 (0019): the HTTP API's keys (never the secret: its salted hash) */
    {"api_keys", 19, "x.code",
     "x.role, x.user_name, x.salt, x.hash, x.created_by, x.created_at, x.expires_at, "
     "x.revoked_at, x.revoked_by",
     "tttttiiit", "api_keys x JOIN firms f ON f.id = x.firm_id", "x.id"},
    /* issue 15 (0021): the clients' wrapped data keys (imaged with the client), the comments */
    {"client_keys", 21, "c.code", "x.wrapped, x.created_at, x.erased_at, x.erased_by", "biit",
     "client_keys x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = c.firm_id",
     "x.client_id"},
    {"proposal_comments", 21, "p.code", "x.n, x.author, x.body_enc, x.created_at", "itbi",
     "proposal_comments x JOIN proposals p ON p.id = x.proposal_id JOIN firms f ON f.id = "
     "p.firm_id",
     "x.n"},
    {"client_consents", 21, "c.code", "x.n, x.kind, x.version, x.accepted_on, x.user_name, "
     "x.created_at", "ittiti",
     "client_consents x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = c.firm_id",
     "x.n"},
    /* issue 15 (0026): a client's saved goal plans, one group per plan (never edited) */
    {"client_plans", 26, "x.code",
     "c.code, x.account, x.currency, x.minor_digits, x.goal_minor, x.initial_minor, "
     "x.monthly_minor, x.years, x.method, x.source, x.model, x.model_version, x.risk_level, "
     "x.mu, x.sigma, x.data_from, x.data_to, x.as_of, x.paths, x.seed, x.probability, x.n_hits, "
     "x.mean_minor, x.pct, x.label_enc, x.user_name, x.created_at",
     "tttiiiiitttiiddiiiiidiitbti",
     "client_plans x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = x.firm_id",
     "x.id"},
    /* 0028: the firm's cash rate and the one a plan added to its model's excess return, imaged
     * apart and only where set, so that the images of earlier settings and plans stay as they
     * were */
    {"model_cash_rate", 28, "f.code", "x.cash_rate", "d",
     "model_settings x JOIN firms f ON f.id = x.firm_id AND x.cash_rate IS NOT NULL", "f.code"},
    {"client_plan_cash", 28, "x.code", "x.cash_rate", "d",
     "client_plans x JOIN firms f ON f.id = x.firm_id AND x.cash_rate IS NOT NULL", "x.id"},
};

int rs_state_spec(const char *table)
{
    for (int i = 0; i < RS_STATE_TABLES; i++)
        if (strcmp(g_specs[i].table, table) == 0)
            return i;
    return -1;
}

void rs_state_free(ra_store *s)
{
    for (int i = 0; i < RS_STATE_TABLES; i++)
        for (int v = 0; v < 3; v++) {
            ra_free(s->state_sql[i][v]);
            s->state_sql[i][v] = NULL;
        }
}

/* The statement of a spec: variant 0 every group of a firm, 1 one group, 2 the groups of the
 * bulk opening's round (ra_open). Built once per store: the statement cache keys on the text's
 * address. */
static ra_db_stmt *spec_stmt(ra_store *s, int k, int variant, ra_err *err)
{
    const state_spec *p = &g_specs[k];
    if (!s->state_sql[k][variant]) {
        char cond[256] = "";
        if (variant == 1)
            snprintf(cond, sizeof cond, " AND %s = ?", p->grp);
        else if (variant == 2)
            snprintf(cond, sizeof cond, " AND %s IN (SELECT code FROM ra_open)", p->grp);
        size_t cap = strlen(p->grp) + strlen(p->cols) + strlen(p->from) + strlen(cond) +
                     strlen(p->order) + 64;
        char *sql = ra_malloc(cap);
        if (!sql) {
            (void)sq_nomem(err, "a statement");
            return NULL;
        }
        snprintf(sql, cap, "SELECT %s, %s FROM %s WHERE f.code = ?%s ORDER BY 1, %s", p->grp,
                 p->cols, p->from, cond, p->order);
        s->state_sql[k][variant] = sql;
    }
    return sq_prep(s, s->state_sql[k][variant], err);
}

static void canon(crypto_generichash_state *h, const void *p, size_t n)
{
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, len, 4);
    crypto_generichash_update(h, p, n);
}

/* A row's canonical bytes gathered before they go into the hash: the same bytes as canon()
 * column by column (so the same image), in one update a row instead of two a column. */
typedef struct row_buf {
    crypto_generichash_state *h;
    size_t n;
    uint8_t b[1024];
} row_buf;

static void row_flush(row_buf *r)
{
    if (r->n)
        crypto_generichash_update(r->h, r->b, r->n);
    r->n = 0;
}

static void row_canon(row_buf *r, const void *p, size_t n)
{
    if (r->n + 4 + n > sizeof r->b) {
        row_flush(r);
        if (4 + n > sizeof r->b) {
            canon(r->h, p, n);
            return;
        }
    }
    uint8_t *o = r->b + r->n;
    o[0] = (uint8_t)(n >> 24), o[1] = (uint8_t)(n >> 16), o[2] = (uint8_t)(n >> 8);
    o[3] = (uint8_t)n;
    memcpy(o + 4, p, n);
    r->n += 4 + n;
}

/* One row into a group's hash: every column by its type, after the group key (column 0). */
static void hash_row(ra_store *s, ra_db_stmt *st, const char *types,
                     crypto_generichash_state *h)
{
    char num[40];
    row_buf rb;
    rb.h = h;
    rb.n = 0;
    for (int c = 0; types[c]; c++) {
        int col = c + 1;
        switch (types[c]) {
        case 'i':
            row_canon(&rb, num, rs_i64_text(s->ops->col_int64(st, col), num));
            break;
        case 'd':
            if (s->ops->col_is_null(st, col))
                snprintf(num, sizeof num, "null");
            else
                snprintf(num, sizeof num, "%.17g", s->ops->col_double(st, col));
            row_canon(&rb, num, strlen(num));
            break;
        case 'b': {
            size_t n = 0;
            const void *p = s->ops->col_blob(st, col, &n);
            row_canon(&rb, p ? p : "", p ? n : 0);
            break;
        }
        default: {
            const char *t = s->ops->col_text(st, col);
            row_canon(&rb, t, strlen(t));
        }
        }
    }
    row_flush(&rb);
}

static void image_begin(crypto_generichash_state *h, const uint8_t *key, const char *table)
{
    crypto_generichash_init(h, key, RA_STORE_KEY_BYTES, 32);
    canon(h, table, strlen(table));
}

static void image_end(crypto_generichash_state *h, char out[65])
{
    uint8_t d[32];
    crypto_generichash_final(h, d, sizeof d);
    rs_hex(d, sizeof d, out);
}

/* Streams the rows of a prepared spec statement, calling fn once per group with its image. */
typedef ra_status (*group_fn)(void *ctx, int k, const char *grp, const char *image, ra_err *err);

static ra_status each_group(ra_store *s, int k, const uint8_t *key, ra_db_stmt *st, group_fn fn,
                            void *ctx, ra_err *err)
{
    crypto_generichash_state h;
    char grp[2 * RA_CODE_MAX + 32] = "", image[65];
    int open = 0, r;
    ra_status rc = RA_OK;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW) {
        const char *g = s->ops->col_text(st, 0);
        if (!open || strcmp(g, grp) != 0) {
            if (open) {
                image_end(&h, image);
                rc = fn(ctx, k, grp, image, err);
            }
            sq_copy(grp, sizeof grp, g);
            image_begin(&h, key, g_specs[k].table);
            open = 1;
        }
        hash_row(s, st, g_specs[k].types, &h);
    }
    if (rc == RA_OK && r < 0)
        rc = sq_err(err);
    if (rc == RA_OK && open) {
        image_end(&h, image);
        rc = fn(ctx, k, grp, image, err);
    }
    s->ops->reset(st);
    return rc;
}

void rs_state_empty_image(const uint8_t *key, int k, char out[65])
{
    crypto_generichash_state h;
    image_begin(&h, key, g_specs[k].table);
    image_end(&h, out);
}

typedef struct one_ctx {
    char *out;
} one_ctx;

static ra_status one_fn(void *ctx, int k, const char *grp, const char *image, ra_err *err)
{
    (void)k, (void)grp, (void)err;
    memcpy(((one_ctx *)ctx)->out, image, 65);
    return RA_OK;
}

ra_status rs_state_image(ra_store *s, const char *firm, const uint8_t *key, int k,
                         const char *grp, char out[65], ra_err *err)
{
    rs_state_empty_image(key, k, out);
    if (s->schema_version < g_specs[k].min_version)
        return RA_OK;
    ra_db_stmt *st = spec_stmt(s, k, 1, err);
    if (!st || sq_bind(s, st, err, "tt", firm, grp) != RA_OK)
        return sq_err(err);
    one_ctx c = {out};
    return each_group(s, k, key, st, one_fn, &c, err);
}

/* --- the groups a write leaves behind ----------------------------------------------------- */

/* The tables an audited entity's record images, the group being its entity id. The writers of
 * store_models.c and store_profiles.c need not know: their records are imaged from this table. */
static const struct {
    const char *entity;
    const char *tables[RS_ENTITY_TABLES];
} g_entity_tables[] = {
    {"firm", {"firms"}},
    {"advisor", {"advisors"}},
    {"household", {"households"}},
    {"client", {"clients", "client_keys"}},
    {"account",
     {"accounts", "model_assignments", "mandates", "mandate_fee_schedules", "mandate_rules",
      "mandate_objectives"}},
    {"mandate",
     {"accounts", "mandates", "mandate_fee_schedules", "mandate_rules", "mandate_objectives"}},
    {"lots", {"accounts", "lots", "txns"}},
    {"security", {"securities", "security_liquidity"}},
    {"model", {"models", "model_weights", "model_classes", "model_objectives"}},
    {"model_settings", {"model_settings", "model_liquidity", "model_cash_rate"}},
    {"questionnaire", {"questionnaires"}},
    {"answers", {"answered_questionnaires"}},
    {"profile", {"profiles"}},
    {"agent", {"agents"}},
    {"override", {"suitability_overrides"}},
    {"proposal", {"proposals", "proposal_trades", "orders"}},
    {"instruction", {"instructions"}},
    {"firm_settings", {"firm_settings"}},
    {"fee_schedule", {"fee_schedules"}},
    {"fee_settings", {"fee_settings"}},
    {"fee_bill", {"fee_bills"}},
    {"risk", {"suspensions", "notifications", "rule_firings", "rule_firings_intraday"}},
    {"risk_rule", {"risk_rules"}},
    {"risk_event", {"risk_events"}},
    {"risk_settings", {"risk_settings"}},
    {"firm_rules", {"firm_rules", "firm_crowding"}},
    {"fund_shares", {"fund_shares"}},
    {"block", {"blocks", "block_members", "block_fills", "block_allocs"}},
    {"fill_exec", {"fill_execs"}},
    {"model_inputs", {"model_inputs"}},
    {"tier", {"client_tiers"}},
    {"tier_rule", {"tier_rules"}},
    {"behaviour_settings", {"behaviour_settings"}},
    {"api_key", {"api_keys"}},
    {"proposal_comment", {"proposal_comments"}},
    {"consent", {"client_consents"}},
    {"plan", {"client_plans", "client_plan_cash"}},
};

size_t rs_state_groups(const char *entity, const char *entity_id, rs_group *out)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof g_entity_tables / sizeof g_entity_tables[0]; i++)
        if (strcmp(g_entity_tables[i].entity, entity) == 0)
            for (int t = 0; t < RS_ENTITY_TABLES && g_entity_tables[i].tables[t]; t++) {
                out[n].spec = rs_state_spec(g_entity_tables[i].tables[t]);
                out[n].grp = entity_id;
                n++;
            }
    return n;
}

char *rs_state_text(ra_store *s, const char *firm, const uint8_t *key, const rs_group *g,
                    size_t n, ra_err *err)
{
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < n; i++)
        cap += strlen(g_specs[g[i].spec].table) + strlen(g[i].grp) + 68;
    char *t = ra_malloc(cap);
    if (!t) {
        (void)sq_nomem(err, "an audit record");
        return NULL;
    }
    t[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char image[65];
        if (rs_state_image(s, firm, key, g[i].spec, g[i].grp, image, err) != RA_OK) {
            ra_free(t);
            return NULL;
        }
        len += (size_t)snprintf(t + len, cap - len, "%s\x1f%s\x1f%s\n", g_specs[g[i].spec].table,
                                g[i].grp, image);
    }
    return t;
}

typedef struct all_ctx {
    char *t;
    size_t len, cap, n;
    int failed;
} all_ctx;

static ra_status all_fn(void *ctx, int k, const char *grp, const char *image, ra_err *err)
{
    all_ctx *c = ctx;
    size_t need = strlen(g_specs[k].table) + strlen(grp) + 68;
    if (c->len + need > c->cap) {
        size_t nc = (c->len + need) * 2;
        char *g = ra_realloc(c->t, nc);
        if (!g)
            return sq_nomem(err, "the audited state");
        c->t = g;
        c->cap = nc;
    }
    c->len += (size_t)snprintf(c->t + c->len, c->cap - c->len, "%s\x1f%s\x1f%s\n",
                               g_specs[k].table, grp, image);
    c->n++;
    return RA_OK;
}

char *rs_state_all(ra_store *s, const char *firm, const uint8_t *key, size_t *n, ra_err *err)
{
    all_ctx c = {ra_malloc(1), 0, 1, 0, 0};
    ra_status rc = c.t ? RA_OK : sq_nomem(err, "the audited state");
    if (c.t)
        c.t[0] = 0;
    for (int k = 0; k < RS_STATE_TABLES && rc == RA_OK; k++) {
        if (s->schema_version < g_specs[k].min_version)
            continue;
        ra_db_stmt *st = spec_stmt(s, k, 0, err);
        rc = st && sq_bind(s, st, err, "t", firm) == RA_OK
                 ? each_group(s, k, key, st, all_fn, &c, err)
                 : sq_err(err);
    }
    if (rc != RA_OK) {
        ra_free(c.t);
        return NULL;
    }
    *n = c.n;
    return c.t;
}

char *rs_state_table(ra_store *s, const char *firm, const uint8_t *key, const char *table,
                     size_t *n, ra_err *err)
{
    int k = rs_state_spec(table);
    all_ctx c = {ra_malloc(1), 0, 1, 0, 0};
    ra_status rc = c.t ? RA_OK : sq_nomem(err, "the audited state");
    if (c.t)
        c.t[0] = 0;
    if (rc == RA_OK && k >= 0 && s->schema_version >= g_specs[k].min_version) {
        ra_db_stmt *st = spec_stmt(s, k, 0, err);
        rc = st && sq_bind(s, st, err, "t", firm) == RA_OK
                 ? each_group(s, k, key, st, all_fn, &c, err)
                 : sq_err(err);
    }
    if (rc != RA_OK) {
        ra_free(c.t);
        return NULL;
    }
    *n = c.n;
    return c.t;
}

/* --- the bulk opening's round ----------------------------------------------------------------- */

typedef struct round_ctx {
    char **state; /* per account of the round, appended to */
    size_t *cap;
    const char *const *codes; /* the round's codes, sorted, with their indices */
    const size_t *index;
    size_t m;
} round_ctx;

static ra_status round_fn(void *ctx, int k, const char *grp, const char *image, ra_err *err)
{
    round_ctx *c = ctx;
    size_t lo = 0, hi = c->m;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(c->codes[mid], grp) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == c->m || strcmp(c->codes[lo], grp) != 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "account %s is not in the round", grp);
    size_t i = c->index[lo];
    char line[2 * RA_CODE_MAX + 128];
    int n = snprintf(line, sizeof line, "%s\x1f%s\x1f%s\n", g_specs[k].table, grp, image);
    size_t have = c->state[i] ? strlen(c->state[i]) : 0;
    if (have + (size_t)n + 1 > c->cap[i]) {
        size_t nc = (have + (size_t)n + 1) * 2;
        char *g = ra_realloc(c->state[i], nc);
        if (!g)
            return sq_nomem(err, "an audit record");
        if (!c->state[i])
            g[0] = 0;
        c->state[i] = g;
        c->cap[i] = nc;
    }
    memcpy(c->state[i] + have, line, (size_t)n + 1);
    return RA_OK;
}

ra_status rs_state_round(ra_store *s, const char *firm, const uint8_t *key,
                         const char *const *codes, const size_t *index, size_t m, char **state,
                         size_t *cap, ra_err *err)
{
    static const char *const tables[] = {"accounts", "lots", "txns", "mandates",
                                         "mandate_fee_schedules", "mandate_rules",
                                         "mandate_objectives"};
    round_ctx c = {state, cap, codes, index, m};
    ra_status rc = RA_OK;
    size_t n_tables = s->schema_version >= RS_SCHEMA_OBJECTIVES ? 7
                      : s->schema_version >= 11   ? 6
                      : s->schema_version >= 10 ? 5
                      : s->schema_version >= 7  ? 4
                                                : 3;
    for (size_t t = 0; t < n_tables && rc == RA_OK; t++) {
        int k = rs_state_spec(tables[t]);
        ra_db_stmt *st = spec_stmt(s, k, 2, err);
        rc = st && sq_bind(s, st, err, "t", firm) == RA_OK
                 ? each_group(s, k, key, st, round_fn, &c, err)
                 : sq_err(err);
    }
    return rc;
}

/* --- verification ----------------------------------------------------------------------------- */

/* The last image of every group in the log: an open-addressing map from "firm US table US group"
 * to the image and the record's seq. */
typedef struct img_slot {
    char *key;
    char image[65];
    int64_t seq;
    int seen;
} img_slot;

struct rs_state_map {
    img_slot *slots;
    size_t cap, n;
};

static const char *img_key(const void *slot) { return ((const img_slot *)slot)->key; }

static img_slot *map_find(rs_state_map *m, const char *key, int insert)
{
    if (insert && (m->n + 1) * 2 > m->cap &&
        ra_hashtab_grow((void **)&m->slots, &m->cap, sizeof *m->slots, 1024, img_key))
        return NULL;
    if (!m->cap)
        return NULL;
    size_t j = ra_hash_str(key) & (m->cap - 1);
    while (m->slots[j].key) {
        if (strcmp(m->slots[j].key, key) == 0)
            return &m->slots[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!insert)
        return NULL;
    m->slots[j].key = ra_strdup(key);
    if (!m->slots[j].key)
        return NULL;
    m->n++;
    return &m->slots[j];
}

rs_state_map *rs_state_map_create(void) { return ra_calloc(1, sizeof(rs_state_map)); }

void rs_state_map_destroy(rs_state_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        ra_free(m->slots[i].key);
    ra_free(m->slots);
    ra_free(m);
}

ra_status rs_state_map_add(rs_state_map *m, const char *firm, const char *state, int64_t seq,
                           ra_err *err)
{
    for (const char *p = state; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *last = memchr(p, '\x1f', n) ? NULL : p;
        /* the image is the last field: 64 hex digits */
        if (n < 66 || p[n - 65] != '\x1f' || last)
            return ra_err_set(err, RA_ECONFLICT, NULL, "audit record %lld: its state is damaged",
                              (long long)seq);
        char key[3 * RA_CODE_MAX + 64];
        int kn = snprintf(key, sizeof key, "%s\x1f%.*s", firm, (int)(n - 65), p);
        if (kn < 0 || (size_t)kn >= sizeof key)
            return ra_err_set(err, RA_ECONFLICT, NULL, "audit record %lld: its state is damaged",
                              (long long)seq);
        img_slot *sl = map_find(m, key, 1);
        if (!sl)
            return sq_nomem(err, "the audited state");
        memcpy(sl->image, p + n - 64, 64);
        sl->image[64] = 0;
        sl->seq = seq;
        p += n + (nl ? 1 : 0);
    }
    return RA_OK;
}

typedef struct cmp_ctx {
    rs_state_map *m;
    const char *firm;
} cmp_ctx;

enum { NO_RECORD, DIFFERS, GONE, NO_TABLE };

static ra_status differs(int k, const char *firm, const char *grp, int what, int64_t seq,
                         ra_err *err)
{
    long long q = (long long)seq;
    ra_status rc =
        what == NO_RECORD ? ra_err_set(err, RA_ECONFLICT, NULL, "no audit record holds this row")
        : what == DIFFERS ? ra_err_set(err, RA_ECONFLICT, NULL, "differs from its state in the "
                                       "audit log (audit record %lld)", q)
        : what == GONE    ? ra_err_set(err, RA_ECONFLICT, NULL, "is gone, but the audit log says "
                                       "it exists (audit record %lld)", q)
                          : ra_err_set(err, RA_ECONFLICT, NULL, "audit record %lld names a table "
                                       "that is not audited", q);
    if (err)
        snprintf(err->where, sizeof err->where, "table %s, %.40s (firm %.32s)", g_specs[k].table,
                 grp, firm);
    return rc;
}

static ra_status cmp_fn(void *ctx, int k, const char *grp, const char *image, ra_err *err)
{
    cmp_ctx *c = ctx;
    char key[3 * RA_CODE_MAX + 64];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", c->firm, g_specs[k].table, grp);
    img_slot *sl = map_find(c->m, key, 0);
    if (!sl)
        return differs(k, c->firm, grp, NO_RECORD, 0, err);
    sl->seen = 1;
    if (strcmp(sl->image, image) != 0)
        return differs(k, c->firm, grp, DIFFERS, sl->seq, err);
    return RA_OK;
}

/* A firm's groups against the map; the firm's key may be NULL (no record of it: any row found
 * then has no audit record). */
static ra_status verify_firm(ra_store *s, rs_state_map *m, const char *firm, const uint8_t *key,
                             ra_err *err)
{
    cmp_ctx c = {m, firm};
    static const uint8_t zero[RA_STORE_KEY_BYTES];
    ra_status rc = RA_OK;
    for (int k = 0; k < RS_STATE_TABLES && rc == RA_OK; k++) {
        if (s->schema_version < g_specs[k].min_version)
            continue;
        ra_db_stmt *st = spec_stmt(s, k, 0, err);
        rc = st && sq_bind(s, st, err, "t", firm) == RA_OK
                 ? each_group(s, k, key ? key : zero, st, cmp_fn, &c, err)
                 : sq_err(err);
    }
    /* groups the log has and the tables no longer do */
    char prefix[RA_CODE_MAX + 2];
    int pn = snprintf(prefix, sizeof prefix, "%s\x1f", firm);
    for (size_t i = 0; i < m->cap && rc == RA_OK; i++) {
        img_slot *sl = &m->slots[i];
        if (!sl->key || sl->seen || strncmp(sl->key, prefix, (size_t)pn) != 0)
            continue;
        const char *tbl = sl->key + pn, *us = strchr(tbl, '\x1f');
        if (!us)
            continue;
        char table[64];
        snprintf(table, sizeof table, "%.*s", (int)(us - tbl), tbl);
        int k = rs_state_spec(table);
        if (k < 0) {
            rc = differs(0, firm, us + 1, NO_TABLE, sl->seq, err);
            break;
        }
        char empty[65];
        rs_state_empty_image(key ? key : zero, k, empty);
        sl->seen = 1;
        if (strcmp(sl->image, empty) != 0)
            rc = differs(k, firm, us + 1, GONE, sl->seq, err);
    }
    return rc;
}

ra_status rs_state_verify(ra_store *s, rs_state_map *m, const char *const *firms,
                          const uint8_t *const *keys, size_t n_firms, ra_err *err)
{
    ra_status rc = RA_OK;
    for (size_t i = 0; i < n_firms && rc == RA_OK; i++)
        rc = verify_firm(s, m, firms[i], keys[i], err);
    return rc;
}
