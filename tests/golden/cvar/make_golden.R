# Golden numbers for tests/unit/test_cvar.c, computed independently of our C code: the
# Rockafellar-Uryasev (2000) CVaR LP in its PRIMAL form (one row per scenario; our C code solves
# the dual) with GLPK through Rglpk, and the min-variance-with-CVaR-limit QP on the full
# (w, zeta, u) formulation with quadprog (our C code uses cutting planes in w only).
# Run from the repository root:
#   Rscript tests/golden/cvar/make_golden.R
# It writes tests/golden/cvar/golden.txt: one record per line, "name count v1 v2 ...", %.17g.
suppressMessages(library(Rglpk))
suppressMessages(library(quadprog))
data_dir <- Sys.getenv("RA_DATA_DIR", "../shared/data")
out <- file("tests/golden/cvar/golden.txt", "w")
rec <- function(name, v) cat(name, length(v), sprintf("%.17g", as.numeric(v)), "\n", file = out)

# Dow Jones 30 closing prices, last 1261 rows -> 1260 daily simple returns p_t / p_{t-1} - 1.
px <- as.matrix(read.csv(file.path(data_dir, "dowjones30_prices.csv"))[, -1])
px <- px[(nrow(px) - 1260):nrow(px), ]
R <- px[-1, ] / px[-nrow(px), ] - 1
Tn <- nrow(R); n <- ncol(R)
mu <- colMeans(R) * 252
beta <- 0.95
hi <- rep(0.25, n)
grp <- 1:10; gmin <- 0.2; gmax <- 0.6

# Primal LP in (w, zeta, u): min zeta + sum(u) / ((1 - beta) T)
#   u_t + r_t'w + zeta >= 0; sum w = 1; gmin <= sum w[grp] <= gmax; [mu'w >= target];
#   [zeta + sum u k <= limit]; 0 <= w <= hi; zeta free; u >= 0.
cvar_lp <- function(obj_w, obj_cvar, target = NULL, limit = NULL) {
  k <- 1 / ((1 - beta) * Tn)
  nv <- n + 1 + Tn
  M <- cbind(R, 1, diag(Tn)); dir <- rep(">=", Tn); rhs <- rep(0, Tn)
  e <- c(rep(1, n), 0, rep(0, Tn)); M <- rbind(M, e); dir <- c(dir, "=="); rhs <- c(rhs, 1)
  g <- c(as.numeric(seq_len(n) %in% grp), 0, rep(0, Tn))
  M <- rbind(M, g, g); dir <- c(dir, ">=", "<="); rhs <- c(rhs, gmin, gmax)
  if (!is.null(target)) { M <- rbind(M, c(mu, 0, rep(0, Tn))); dir <- c(dir, ">="); rhs <- c(rhs, target) }
  if (!is.null(limit)) { M <- rbind(M, c(rep(0, n), 1, rep(k, Tn))); dir <- c(dir, "<="); rhs <- c(rhs, limit) }
  obj <- c(obj_w, obj_cvar * 1, obj_cvar * rep(k, Tn))
  bounds <- list(lower = list(ind = n + 1, val = -Inf),
                 upper = list(ind = seq_len(n), val = hi))
  s <- Rglpk_solve_LP(obj, M, dir, rhs, bounds = bounds, max = FALSE,
                      control = list(tm_limit = 0, canonicalize_status = TRUE))
  stopifnot(s$status == 0)
  list(w = s$solution[1:n], obj = s$optimum)
}
cvar_of <- function(w) {  # tail mean from the sorted losses (independent of the LP)
  L <- sort(-drop(R %*% w), decreasing = TRUE); a <- (1 - beta) * Tn; f <- floor(a + 1e-9)
  (sum(L[seq_len(f)]) + (a - f) * if (a - f > 1e-12) L[f + 1] else 0) / a
}

m0 <- cvar_lp(rep(0, n), 1)
rec("dj_min_w", m0$w); rec("dj_min_cvar", m0$obj); rec("dj_min_cvar_sorted", cvar_of(m0$w))
rmax <- Rglpk_solve_LP(-mu, rbind(rep(1, n), as.numeric(seq_len(n) %in% grp),
                                  as.numeric(seq_len(n) %in% grp)),
                       c("==", ">=", "<="), c(1, gmin, gmax),
                       bounds = list(upper = list(ind = seq_len(n), val = hi)))
r0 <- sum(mu * m0$w); r1 <- -rmax$optimum
target <- r0 + 0.5 * (r1 - r0)
mt <- cvar_lp(rep(0, n), 1, target = target)
rec("dj_target", target); rec("dj_target_w", mt$w); rec("dj_target_cvar", mt$obj)
limit <- 1.25 * m0$obj
mr <- cvar_lp(-mu, 0, limit = limit)
rec("dj_maxret_limit", limit); rec("dj_maxret_w", mr$w); rec("dj_maxret_ret", sum(mu * mr$w))
rec("dj_maxret_cvar", cvar_of(mr$w))

# Min variance with CVaR <= limit on LPP2005 (6 indices, 377 days), quadprog on (w, zeta, u)
# with a ridge of 1e-10 on zeta and u (quadprog needs a positive definite matrix): the ridge
# moves the weights by less than 1e-7 (checked by halving it), the tolerance the test uses.
lpp <- as.matrix(read.csv(file.path(data_dir, "lpp2005_returns.csv"))[, 2:7])
Tl <- nrow(lpp); nl <- ncol(lpp); S <- cov(lpp) * 252
lpp_cvar_min <- {
  k <- 1 / ((1 - beta) * Tl)
  M <- rbind(cbind(lpp, 1, diag(Tl)), c(rep(1, nl), 0, rep(0, Tl)))
  s <- Rglpk_solve_LP(c(rep(0, nl), 1, rep(k, Tl)), M, c(rep(">=", Tl), "=="), c(rep(0, Tl), 1),
                      bounds = list(lower = list(ind = nl + 1, val = -Inf)))
  s$optimum
}
mv_cvar <- function(limit, ridge) {
  k <- 1 / ((1 - beta) * Tl); nv <- nl + 1 + Tl
  D <- diag(ridge, nv); D[1:nl, 1:nl] <- 2 * S
  A <- cbind(c(rep(1, nl), 0, rep(0, Tl)),                   # budget (equality)
             t(cbind(lpp, 1, diag(Tl))),                     # u_t + r_t'w + zeta >= 0
             c(rep(0, nl), -1, rep(-k, Tl)),                 # -(zeta + k sum u) >= -limit
             rbind(diag(nl), matrix(0, 1 + Tl, nl)),         # w >= 0
             rbind(matrix(0, nl + 1, Tl), diag(Tl)))         # u >= 0
  b <- c(1, rep(0, Tl), -limit, rep(0, nl), rep(0, Tl))
  solve.QP(D, rep(0, nv), A, b, meq = 1)$solution[1:nl]
}
# the limit halfway between the lowest CVaR and the plain minimum-variance portfolio's CVaR, so
# that it binds
w_mv <- solve.QP(2 * S, rep(0, nl), cbind(rep(1, nl), diag(nl)), c(1, rep(0, nl)), meq = 1)$solution
cv_l <- function(w) { L <- sort(-drop(lpp %*% w), decreasing = TRUE); a <- (1 - beta) * Tl
  f <- floor(a + 1e-9); (sum(L[seq_len(f)]) + (a - f) * L[f + 1]) / a }
lim_l <- lpp_cvar_min + 0.5 * (cv_l(w_mv) - lpp_cvar_min)
w1 <- mv_cvar(lim_l, 1e-10); w2 <- mv_cvar(lim_l, 5e-11)
stopifnot(max(abs(w1 - w2)) < 1e-7)
rec("lpp_cvar_min", lpp_cvar_min); rec("lpp_mv_limit", lim_l); rec("lpp_mv_w", w1)
close(out)
