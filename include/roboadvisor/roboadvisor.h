/* roboadvisor: the whole public API. */
#ifndef ROBOADVISOR_H
#define ROBOADVISOR_H

/* base */
#include "common.h"
#include "error.h"
#include "date.h"
#include "alloc.h"
#include "hashtab.h"
/* core: pure computation */
#include "rng.h"
#include "est.h"
#include "qp.h"
#include "opt.h"
#include "perf.h"
#include "money.h"
#include "ledger.h"
#include "book.h"
#include "prof.h"
#include "models.h"
#include "onboard.h"
#include "rules.h"
#include "screen.h"
#include "washsale.h"
#include "rebal.h"
#include "fees.h"
#include "blocks.h"
#include "exchange.h"
#include "market_rules.h"
#include "riskrules.h"
#include "plan.h"
/* io: outside formats */
#include "csv.h"
#include "import.h"
#include "prof_io.h"
#include "models_io.h"
#include "onboard_io.h"
#include "market_io.h"
#include "plan_io.h"
#include "fix.h"
#include "fills_io.h"
/* store */
#include "store.h"
#include "store_models.h"
#include "store_profiles.h"
#include "store_mandate.h"
#include "store_cycle.h"
#include "store_fees.h"
#include "engine_fees.h"
#include "store_risk.h"
#include "store_blocks.h"
/* engine */
#include "engine_onboard.h"
#include "engine_models.h"
#include "engine_book.h"
#include "engine_import.h"
#include "engine_fmt.h"
#include "engine_valuation.h"
#include "engine_gains.h"
#include "engine_cycle.h"
#include "engine_fills.h"
#include "engine_blocks.h"
#include "engine_backtest.h"
#include "bookgen.h"

#define RA_VERSION_MAJOR 0
#define RA_VERSION_MINOR 1
#define RA_VERSION_PATCH 0
#define RA_VERSION_STRING "0.1.0"

#endif
