# Golden numbers for the class stage's CVaR objective (tests/unit/test_models_cvar.c,
# ra_models_cvar_solve). Run from the repository root:
#   Rscript tests/golden/cvar_classes/make_golden.R > tests/golden/cvar_classes/golden.txt \
#     2> tests/golden/cvar_classes/scenarios.txt
# R 4.2 with Rglpk (GLPK 5.0), both from Debian (r-base-core, r-cran-rglpk). The scenarios are a
# fixed table of 40 days x 5 classes with four decimals (printed here and pasted into the test as
# they are, so both sides read the same numbers); GLPK solves the PRIMAL Rockafellar-Uryasev LP
# in (w, zeta, u_t), where the C code solves the dual with its own simplex.
suppressMessages(library(Rglpk))
set.seed(14)
T <- 40; n <- 5
# us_equity (R4), em_equity (R5), us_bonds (R2), intl_bonds (R2), commodities (R4)
vol <- c(0.011, 0.016, 0.003, 0.004, 0.012); drift <- c(4e-4, 5e-4, 1e-4, 1.2e-4, 2e-4)
f <- rnorm(T)
R <- sapply(1:n, function(j) drift[j] + vol[j] * (c(0.8, 0.7, -0.2, -0.1, 0.3)[j] * f +
                                                 sqrt(1 - c(0.8, 0.7, -0.2, -0.1, 0.3)[j]^2) * rnorm(T)))
R <- round(R, 4)
mu <- c(0.045, 0.06, 0.012, 0.015, 0.03)
beta <- 0.9; k <- 1 / ((1 - beta) * T)
lo <- rep(0, n); hi <- c(1, 0.05, 1, 1, 1) # level R3: em_equity (R5) is riskier by two: 5 %
eq <- c(1, 1, 0, 0, 0); real <- c(0, 0, 0, 0, 1)
cvar_of <- function(w) { L <- sort(-(R %*% w), decreasing = TRUE); a <- (1 - beta) * T
  f <- floor(a + 1e-12); k * sum(L[seq_len(f)]) + (if (f < T) (1 - f * k) * L[f + 1] else 0) }
# variables: w (n), zeta (1, free), u (T)
lp <- function(target = NA, limit = NA, out_of = integer(0)) {
  hi[out_of] <- 0 # classes dropped below the minimum class weight
  nv <- n + 1 + T
  rows <- list(); dir <- c(); rhs <- c()
  add <- function(r, d, b) { rows[[length(rows) + 1]] <<- r; dir <<- c(dir, d); rhs <<- c(rhs, b) }
  for (t in 1:T) add(c(R[t, ], 1, replace(rep(0, T), t, 1)), ">=", 0) # u_t >= -r_t'w - zeta
  add(c(rep(1, n), 0, rep(0, T)), "==", 1)
  add(c(eq, 0, rep(0, T)), ">=", 0.41); add(c(eq, 0, rep(0, T)), "<=", 0.60)
  add(c(real, 0, rep(0, T)), "<=", 0.20)
  add(c(c(4, 5, 2, 2, 4), 0, rep(0, T)), "<=", 4) # the rating's average rule at R3: sum w level <= 4
  if (!is.na(target)) add(c(mu, 0, rep(0, T)), ">=", target)
  if (!is.na(limit)) add(c(rep(0, n), 1, rep(k, T)), "<=", limit)
  obj <- if (is.na(limit)) c(rep(0, n), 1, rep(k, T)) else c(mu, 0, rep(0, T))
  b <- list(lower = list(ind = 1:nv, val = c(lo, -Inf, rep(0, T))),
            upper = list(ind = 1:n, val = hi))
  s <- Rglpk_solve_LP(obj, do.call(rbind, rows), dir, rhs, bounds = b, max = !is.na(limit),
                      control = list(canonicalize_status = TRUE))
  stopifnot(s$status == 0)
  s$solution[1:n]
}
out <- function(name, v) cat(name, length(v), sprintf("%.17g", v), "\n")
# the scenarios (the rows of R) to standard error: pasted into the test as they are
for (t in 1:T) cat(sprintf("%.4f,", R[t, ]), "\n", file = stderr())
target <- 0.030
w1 <- lp(target = target)
stopifnot(all(w1 < 1e-9 | w1 >= 0.02)) # no class below the 2 % minimum: no drop round
out("min_target", target); out("min_w", w1); out("min_cvar", cvar_of(w1))
out("min_ret", sum(mu * w1))
limit <- 0.0065
w2 <- lp(limit = limit)
stopifnot(all(w2 < 1e-9 | w2 >= 0.02))
out("lim_limit", limit); out("lim_w", w2); out("lim_cvar", cvar_of(w2)); out("lim_ret", sum(mu * w2))
# the minimum class weight (2 %): at this limit GLPK holds one class below it; the rule drops the
# smallest such class and solves again (no mean-variance portfolio to keep here)
limit <- 0.0070
w3 <- lp(limit = limit)
small <- which(w3 > 1e-9 & w3 < 0.02)
stopifnot(length(small) == 1)
w3 <- lp(limit = limit, out_of = small)
stopifnot(all(w3 < 1e-9 | w3 >= 0.02))
out("drop_limit", limit); out("drop_class", small - 1); out("drop_w", w3); out("drop_cvar", cvar_of(w3))
