# Golden numbers for tests/unit/test_bl.c, computed independently of our C code in base R:
# the Black-Litterman posterior in its precision ("textbook") form
#   mu = [(tau S)^-1 + P' Omega^-1 P]^-1 [(tau S)^-1 pi + P' Omega^-1 q]
# (our C code uses the update form pi + tau S P' (P tau S P' + Omega)^-1 (q - P pi)), and
# Idzorek's confidences by his own numerical procedure (uniroot on the tilt), not by the closed
# form the C code uses. Run from the repository root:
#   Rscript tests/golden/bl/make_golden.R
# It writes tests/golden/bl/golden.txt: one record per line, "name count v1 v2 ...", %.17g.
data_dir <- Sys.getenv("RA_DATA_DIR", "../shared/data")
out <- file("tests/golden/bl/golden.txt", "w")
rec <- function(name, v) cat(name, length(v), sprintf("%.17g", as.numeric(v)), "\n", file = out)

posterior <- function(S, pi, tau, P, q, omega) {
  Pm <- matrix(P, ncol = ncol(S))
  ti <- solve(tau * S)
  oi <- diag(1 / omega, nrow = length(omega))
  H <- ti + t(Pm) %*% oi %*% Pm
  mu <- solve(H, ti %*% pi + t(Pm) %*% oi %*% q)
  list(mu = drop(mu), post = S + solve(H))
}
weights <- function(C, mu, delta) drop(solve(delta * C, mu))

# --- He and Litterman (1999), "The Intuition Behind Black-Litterman Model Portfolios", Goldman
# Sachs: seven equity markets, Table 1 (weights, volatilities) and Table 2 (correlations).
w_hl <- c(0.016, 0.022, 0.052, 0.055, 0.116, 0.124, 0.615)
vol_hl <- c(0.160, 0.203, 0.248, 0.271, 0.210, 0.200, 0.187)
cor_hl <- matrix(c(
  1.000, 0.488, 0.478, 0.515, 0.439, 0.512, 0.491,
  0.488, 1.000, 0.664, 0.655, 0.310, 0.608, 0.779,
  0.478, 0.664, 1.000, 0.861, 0.355, 0.783, 0.668,
  0.515, 0.655, 0.861, 1.000, 0.354, 0.777, 0.653,
  0.439, 0.310, 0.355, 0.354, 1.000, 0.405, 0.306,
  0.512, 0.608, 0.783, 0.777, 0.405, 1.000, 0.652,
  0.491, 0.779, 0.668, 0.653, 0.306, 0.652, 1.000), 7, 7, byrow = TRUE)
S_hl <- diag(vol_hl) %*% cor_hl %*% diag(vol_hl)
delta <- 2.5; tau <- 0.05
pi_hl <- drop(delta * S_hl %*% w_hl)
rec("hl_pi", pi_hl)
# View 1 (Table 4): Germany outperforms France and the UK (market-cap weighted) by 5 %.
p1 <- c(0, 0, -0.295, 1, 0, -0.705, 0)
# View 2 (Table 5): Canada outperforms the US by 3 %.
p2 <- c(0, 1, 0, 0, 0, 0, -1)
for (case in list(list(name = "hl_t4", P = rbind(p1), q = 0.05),
                  list(name = "hl_t5", P = rbind(p1, p2), q = c(0.05, 0.03)))) {
  omega <- diag(case$P %*% (tau * S_hl) %*% t(case$P))
  r <- posterior(S_hl, pi_hl, tau, case$P, case$q, omega)
  rec(paste0(case$name, "_mu"), r$mu)
  rec(paste0(case$name, "_post"), t(r$post))
  rec(paste0(case$name, "_w"), weights(r$post, r$mu, delta))
}

# --- Idzorek (2004) confidences by Idzorek's procedure: for each view alone, the omega at which
# the unconstrained weights (delta Sigma)^-1 mu move by c times their 100 %-confidence move.
idz_omega <- function(S, pi, tau, p, q, c, delta, w_mkt) {
  d100 <- drop(solve(delta * S, pi + tau * S %*% p * drop(q - p %*% pi) /
                                 drop(p %*% (tau * S) %*% p))) - w_mkt
  tilt <- function(om) {
    m <- posterior(S, pi, tau, rbind(p), q, om)$mu
    sum((drop(solve(delta * S, m)) - w_mkt) * d100) / sum(d100 * d100)
  }
  # tilt(omega) falls from 1 (omega -> 0) to 0 (omega -> Inf); solve on log omega
  s0 <- drop(p %*% (tau * S) %*% p)
  exp(uniroot(function(l) tilt(exp(l)) - c, c(log(s0) - 15, log(s0) + 15), tol = 1e-14)$root)
}
conf <- c(0.25, 0.65)
om_idz <- c(idz_omega(S_hl, pi_hl, tau, p1, 0.05, conf[1], delta, w_hl),
            idz_omega(S_hl, pi_hl, tau, p2, 0.03, conf[2], delta, w_hl))
rec("hl_idz_conf", conf)
rec("hl_idz_omega", om_idz)
r <- posterior(S_hl, pi_hl, tau, rbind(p1, p2), c(0.05, 0.03), om_idz)
rec("hl_idz_mu", r$mu)

# --- Real data: the LPP 2005 indices (lpp2005_returns.csv; SBI, SPI, SII, LMI, MPI, ALT), sample
# covariance of the daily returns x 252; market weights 40/20/5/15/15/5 % (a Swiss pension-like
# mix, illustrative); delta from a market Sharpe ratio of 0.25; three views: SPI returns 6 %
# (absolute), MPI beats SPI by 1 %, ALT beats the bond pair SBI+LMI (50/50) by 2 %; omega given.
R <- read.csv(file.path(data_dir, "lpp2005_returns.csv"))[, c("SBI", "SPI", "SII", "LMI", "MPI", "ALT")]
S_l <- cov(as.matrix(R)) * 252
w_l <- c(0.40, 0.20, 0.05, 0.15, 0.15, 0.05)
sharpe <- 0.25
delta_l <- sharpe / sqrt(drop(t(w_l) %*% S_l %*% w_l))
pi_l <- drop(delta_l * S_l %*% w_l)
P_l <- rbind(c(0, 1, 0, 0, 0, 0), c(0, -1, 0, 0, 1, 0), c(-0.5, 0, 0, -0.5, 0, 1))
q_l <- c(0.06, 0.01, 0.02)
om_l <- c(0.0004, 0.0001, 0.00025)
r <- posterior(S_l, pi_l, 0.025, P_l, q_l, om_l)
rec("lpp_cov", t(S_l))
rec("lpp_delta", delta_l)
rec("lpp_pi", pi_l)
rec("lpp_mu", r$mu)
rec("lpp_post", t(r$post))
rec("lpp_w", weights(r$post, r$mu, delta_l))
close(out)
