#!/usr/bin/env bash
# The layers run one way (../shared/DESIGN.md, docs/internals/layers.md): a file never includes a
# header of a layer above its own. Layers, lowest first:
#   base 0  <- core 1  <- io 2, store 2 (side by side: neither includes the other)  <- engine 3
#   <- cli 4, server 4
# A file's layer is its directory under src/; a public header's layer is given in the table
# below (every header in include/roboadvisor/ must be listed, so a new one must be placed).
# Also checks that roboadvisor.h includes every public header. Prints each offending include as
# FILE:LINE: and the rule; exits 1 if there is any, 2 on a usage error. Counts the includes it checked and fails if it checked none.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

declare -A public=(
  [common.h]=base [error.h]=base [date.h]=base [alloc.h]=base [hashtab.h]=base
  [rng.h]=core [est.h]=core [qp.h]=core [opt.h]=core [cvar.h]=core [card.h]=core [perf.h]=core [money.h]=core
  [ledger.h]=core [book.h]=core [prof.h]=core [models.h]=core [onboard.h]=core
  [screen.h]=core [plan.h]=core [rules.h]=core [washsale.h]=core [rebal.h]=core [fees.h]=core [blocks.h]=core [exchange.h]=core [market_rules.h]=core [riskrules.h]=core [behaviour.h]=core [firmrules.h]=core [bl.h]=core [resample.h]=core [objective.h]=core [bl_io.h]=io
  [csv.h]=io [import.h]=io [prof_io.h]=io [models_io.h]=io [onboard_io.h]=io [plan_io.h]=io
  [market_io.h]=io [fix.h]=io
  [store.h]=store [store_fees.h]=store [engine_fees.h]=engine [store_models.h]=store [store_profiles.h]=store [store_cycle.h]=store [store_mandate.h]=store [store_risk.h]=store [store_blocks.h]=store [store_tiers.h]=store [store_views.h]=store [store_api.h]=store [store_resources.h]=store [store_plans.h]=store [engine_plan.h]=engine [store_now.h]=store [store_backup.h]=store [store_firmrules.h]=store [store_monitor.h]=store [engine_monitor.h]=engine [snapshot.h]=io
  [engine_onboard.h]=engine [engine_import.h]=engine [engine_book.h]=engine
  [engine_models.h]=engine [engine_fmt.h]=engine [engine_valuation.h]=engine [engine_gains.h]=engine [engine_cycle.h]=engine [engine_backtest.h]=engine
  [bookgen.h]=engine
  [fills_io.h]=io [engine_fills.h]=engine [engine_blocks.h]=engine
  [diagnose.h]=core [holdings_io.h]=io [engine_diagnose.h]=engine [engine_objective.h]=engine
  [statement.h]=io [engine_statement.h]=engine
  [roboadvisor.h]=top
)
# Ranks of the layers (an associative array: the loops below fork nothing per include line).
declare -A ranks=([base]=0 [core]=1 [io]=2 [store]=2 [engine]=3 [cli]=4 [server]=4 [top]=4)
rank_of() { # LAYER -> $r
  r=${ranks[$1]:-}
  if [ -z "$r" ]; then echo "check-layers: no rank for layer '$1'" >&2; exit 2; fi
}

bad=0
checked=0
for h in include/roboadvisor/*.h; do
  name=${h##*/}
  if [ -z "${public[$name]:-}" ]; then
    echo "$h: public header not placed in a layer (add it to scripts/check-layers.sh)"
    bad=$((bad + 1))
  fi
  # roboadvisor.h includes the whole public API
  if [ "$name" != roboadvisor.h ] && ! grep -q "^#include \"$name\"" include/roboadvisor/roboadvisor.h; then
    echo "$h: not included by include/roboadvisor/roboadvisor.h (the whole public API)"
    bad=$((bad + 1))
  fi
done

include_re='^#include[[:space:]]*[<"]([^>"]*)[>"]'
check_file() {
  local f=$1 own=$2 ownrank n line inc lay r
  rank_of "$own"; ownrank=$r
  # the file's include lines with their numbers (one grep per file)
  while IFS=: read -r n line; do
    [[ $line =~ $include_re ]] || continue
    inc=${BASH_REMATCH[1]}
    # a bare "x.h" next to the file is of the file's own layer (or the public header's)
    if [[ $inc != */* ]]; then
      if [ -n "${public[$inc]:-}" ] && [[ $f == include/* ]]; then
        lay=${public[$inc]}
      else
        continue
      fi
    else
      case $inc in
        roboadvisor/*) lay=${public[${inc#roboadvisor/}]:-unknown} ;;
        base/*|core/*|io/*|store/*|engine/*|cli/*|server/*) lay=${inc%%/*} ;;
        *) lay= ;;
      esac
    fi
    [ -n "$lay" ] || continue
    checked=$((checked + 1))
    if [ "$lay" = unknown ]; then
      echo "$f:$n: includes $inc, a public header not placed in a layer"
      bad=$((bad + 1)); continue
    fi
    rank_of "$lay"
    if [ "$r" -gt "$ownrank" ] || { [ "$r" -eq "$ownrank" ] && [ "$lay" != "$own" ] && [ "$lay" != top ]; }; then
      echo "$f:$n: $own file includes $inc ($lay layer)"
      bad=$((bad + 1))
    fi
  done < <(grep -n '^#include' "$f" || true)
}

for f in src/*/*.[ch]; do
  layer=${f#src/}; layer=${layer%%/*}
  check_file "$f" "$layer"
done
for f in include/roboadvisor/*.h; do
  name=${f##*/}
  [ -n "${public[$name]:-}" ] || continue
  check_file "$f" "${public[$name]}"
done

if [ "$checked" -lt 50 ]; then
  echo "check-layers: only $checked includes checked (expected at least 50): is the tree here?"
  exit 1
fi
if [ "$bad" -gt 0 ]; then
  echo "check-layers: $bad include(s) against the layers ($checked checked)"
  exit 1
fi
echo "check-layers: ok, $checked includes checked"
