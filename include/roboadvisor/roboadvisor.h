/* roboadvisor: the whole public API. */
#ifndef ROBOADVISOR_H
#define ROBOADVISOR_H

#include "common.h"
#include "error.h"
#include "date.h"
#include "csv.h"
#include "est.h"
#include "qp.h"
#include "opt.h"
#include "perf.h"
#include "money.h"
#include "ledger.h"
#include "book.h"
#include "store.h"
#include "import.h"
#include "models.h"
#include "screen.h"
#include "onboard.h"
#include "prof.h"

#define RA_VERSION_MAJOR 0
#define RA_VERSION_MINOR 1
#define RA_VERSION_PATCH 0
#define RA_VERSION_STRING "0.1.0"

#endif
