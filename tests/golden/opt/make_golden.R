# Golden numbers for tests/unit/test_opt.c, computed independently of our C code with quadprog's
# solve.QP (Goldfarb-Idnani), base R and uniroot. Run from the repository root:
#   Rscript tests/golden/opt/make_golden.R
# It writes tests/golden/opt/golden.txt: one record per line, "name count v1 v2 ...", %.17g.
# See README.md in this directory for what each record is.
suppressMessages(library(quadprog))
data_dir <- Sys.getenv("RA_DATA_DIR", "../shared/data")
out <- file("tests/golden/opt/golden.txt", "w")
rec <- function(name, v) {
  cat(name, length(v), sprintf("%.17g", as.numeric(v)), "\n", file = out)
}

# Minimum of w'Sw under A'w (= for the first meq columns, >= otherwise) b, solve.QP convention.
mv <- function(S, Amat, bvec, meq) {
  solve.QP(Dmat = 2 * S, dvec = rep(0, ncol(S)), Amat = Amat, bvec = bvec, meq = meq)$solution
}
# Constraint columns for budget, optional target return, bounds lo <= w <= hi, groups.
cons <- function(n, mu = NULL, target = NULL, lo = rep(0, n), hi = rep(1, n), groups = list()) {
  A <- matrix(1, n, 1); b <- 1; meq <- 1
  if (!is.null(target)) { A <- cbind(A, mu); b <- c(b, target); meq <- 2 }
  A <- cbind(A, diag(n), -diag(n)); b <- c(b, lo, -hi)
  for (g in groups) {
    e <- rep(0, n); e[g$members] <- 1
    A <- cbind(A, e, -e); b <- c(b, g$min, -g$max)
  }
  list(A = A, b = b, meq = meq)
}
# Greedy maximum return for bounds + budget (exact: fill the highest returns first).
max_ret_box <- function(mu, lo, hi) {
  w <- lo; left <- 1 - sum(lo)
  for (j in order(mu, decreasing = TRUE)) { d <- min(hi[j] - lo[j], left); w[j] <- w[j] + d; left <- left - d }
  w
}
# Max Sharpe by homogenisation (Cornuejols & Tutuncu 2007, 8.2) with bounds (lo >= 0) and groups.
max_sharpe <- function(S, mu, rf, lo, hi, groups = list()) {
  n <- length(mu); one <- rep(1, n)
  A <- matrix(mu - rf, n, 1); b <- 1
  A <- cbind(A, diag(n)); b <- c(b, rep(0, n))
  for (j in seq_len(n)) {
    if (lo[j] > 0) { e <- -lo[j] * one; e[j] <- e[j] + 1; A <- cbind(A, e); b <- c(b, 0) }
    if (hi[j] < 1) { e <- hi[j] * one; e[j] <- e[j] - 1; A <- cbind(A, e); b <- c(b, 0) }
  }
  for (g in groups) {
    if (g$min > 0) { e <- -g$min * one; e[g$members] <- e[g$members] + 1; A <- cbind(A, e); b <- c(b, 0) }
    if (g$max < 1) { e <- g$max * one; e[g$members] <- e[g$members] - 1; A <- cbind(A, e); b <- c(b, 0) }
  }
  y <- solve.QP(2 * S, rep(0, n), A, b, meq = 1)$solution
  y / sum(y)
}
vol <- function(S, w) sqrt(drop(t(w) %*% S %*% w))

## ---- LPP2005: 6 Swiss pension-fund asset indices, daily returns, annualised by 252 ----
lpp <- read.csv(file.path(data_dir, "lpp2005_returns.csv"))
R <- as.matrix(lpp[, c("SBI", "SPI", "SII", "LMI", "MPI", "ALT")])
mu <- colMeans(R) * 252; S <- cov(R) * 252; n <- ncol(R)
rec("lpp_mu", mu); rec("lpp_cov", t(S))
c0 <- cons(n); w_mv <- mv(S, c0$A, c0$b, c0$meq)
rec("lpp_minvar", w_mv)
# Groups: bonds {SBI, LMI} max 0.60; equity {SPI, MPI} min 0.20; every asset at most 0.50.
grp <- list(list(members = c(1, 4), min = 0, max = 0.6), list(members = c(2, 5), min = 0.2, max = 1))
hi5 <- rep(0.5, n)
cg <- cons(n, lo = rep(0, n), hi = hi5, groups = grp)
rec("lpp_minvar_groups", mv(S, cg$A, cg$b, cg$meq))
# Target return halfway between the min-variance return and the greedy maximum return.
r_mv <- sum(mu * w_mv); w_top <- max_ret_box(mu, rep(0, n), rep(1, n)); r_max <- sum(mu * w_top)
t_half <- 0.5 * (r_mv + r_max)
ct <- cons(n, mu, t_half); rec("lpp_target_return", c(t_half, mv(S, ct$A, ct$b, ct$meq)))
# Max Sharpe, rf = 0.01, long-only, and with the groups and bounds above.
rec("lpp_max_sharpe", c(0.01, max_sharpe(S, mu, 0.01, rep(0, n), rep(1, n))))
rec("lpp_max_sharpe_groups", c(0.01, max_sharpe(S, mu, 0.01, rep(0, n), hi5, grp)))
# Frontier, 5 points from r_mv to r_max (greedy maximum is exact for bounds + budget). The highest
# return is attained by one portfolio only (ALT, the single largest mu, at weight 1), so the last
# point is that portfolio; solve.QP cannot take the one-point feasible set mu'w = r_max.
stopifnot(sort(mu, decreasing = TRUE)[1] > sort(mu, decreasing = TRUE)[2])
fr <- NULL
for (i in 0:4) {
  r <- r_mv + (r_max - r_mv) * i / 4
  w <- if (i == 0) w_mv else if (i == 4) w_top else { cc <- cons(n, mu, r); mv(S, cc$A, cc$b, cc$meq) }
  fr <- c(fr, w)
}
rec("lpp_frontier5", c(r_mv, r_max, fr))
# Target volatility: the vol halfway between min-variance and max-return vols; uniroot on the
# frontier vol(r) - target, tol 1e-15 in r.
s_lo <- vol(S, w_mv); s_hi <- vol(S, w_top)
s_t <- 0.5 * (s_lo + s_hi)
f <- function(r) {
  if (r >= r_max) return(s_hi - s_t)
  cc <- cons(n, mu, r); vol(S, mv(S, cc$A, cc$b, cc$meq)) - s_t
}
rt <- uniroot(f, c(r_mv, r_max), tol = 1e-15)$root
ct <- cons(n, mu, rt); rec("lpp_target_vol", c(s_t, rt, mv(S, ct$A, ct$b, ct$meq)))
# Equal risk contribution by cyclical coordinate descent (Griveau-Billion, Richard & Roncalli
# 2013) on the same Spinu objective: a different algorithm from our Newton method.
erc <- function(S, iters = 10000) {
  n <- ncol(S); b <- rep(1 / n, n); y <- 1 / sqrt(diag(S))
  for (k in 1:iters) {
    for (j in 1:n) {
      a <- sum(S[j, -j] * y[-j])
      y[j] <- (-a + sqrt(a * a + 4 * S[j, j] * b[j])) / (2 * S[j, j])
    }
  }
  y / sum(y)
}
w_rp <- erc(S); rc <- w_rp * drop(S %*% w_rp)
stopifnot((max(rc) - min(rc)) / mean(rc) < 1e-12)
rec("lpp_risk_parity", w_rp)

## ---- Dow Jones 30: daily simple returns of closing prices, 1991-2000, annualised by 252 ----
dj <- read.csv(file.path(data_dir, "dowjones30_prices.csv"))
P <- as.matrix(dj[, -1]); Rd <- P[-1, ] / P[-nrow(P), ] - 1
mu <- colMeans(Rd) * 252; S <- cov(Rd) * 252; n <- ncol(Rd)
rec("dj_mu", mu); rec("dj_cov", t(S))
c0 <- cons(n); w_mv <- mv(S, c0$A, c0$b, c0$meq); rec("dj_minvar", w_mv)
hi10 <- rep(0.10, n)
c1 <- cons(n, hi = hi10); rec("dj_minvar_cap10", mv(S, c1$A, c1$b, c1$meq))
rec("dj_max_sharpe_cap10", c(0.05, max_sharpe(S, mu, 0.05, rep(0, n), hi10)))
w_top <- max_ret_box(mu, rep(0, n), hi10); r_max <- sum(mu * w_top)
t_dj <- 0.9 * r_max + 0.1 * sum(mu * mv(S, c1$A, c1$b, c1$meq))
ct <- cons(n, mu, t_dj, hi = hi10); rec("dj_target_return_cap10", c(t_dj, mv(S, ct$A, ct$b, ct$meq)))
w_rp <- erc(S, 3000); rc <- w_rp * drop(S %*% w_rp)
stopifnot((max(rc) - min(rc)) / mean(rc) < 1e-12)
rec("dj_risk_parity", w_rp)
close(out)
