# Golden numbers for tests/unit/test_est.c, computed in R 4.2 without any of our C code.
# Run from the repository root:  Rscript tests/golden/est/est_golden.R [../shared/data]
# Writes tests/golden/est/*.csv: each matrix one row per line, no header, 17 significant digits.
# See tests/golden/est/README.md for what each file is.
args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "../shared/data"
out_dir <- "tests/golden/est"
ppy <- 252

rd <- function(f) {
  d <- read.csv(file.path(data_dir, f), check.names = FALSE)
  x <- as.matrix(d[, -1])
  dimnames(x) <- NULL
  x
}
wr <- function(m, name) {
  m <- as.matrix(m)
  lines <- apply(m, 1, function(r) paste(sprintf("%.17g", r), collapse = ","))
  writeLines(lines, file.path(out_dir, paste0(name, ".csv")))
}

# Cross products with R's sum(), which accumulates in long double: a reference more accurate than
# (and independent of) the BLAS our C code calls. Same meaning as t(a) %*% b.
xprod <- function(a, b) {
  m <- matrix(0, ncol(a), ncol(b))
  for (i in seq_len(ncol(a))) for (j in seq_len(ncol(b))) m[i, j] <- sum(a[, i] * b[, j])
  m
}

# RiskMetrics EWMA: w_t proportional to lambda^(T-1-t), newest heaviest, normalised to sum 1;
# deviations from the EWMA mean; no small-sample correction.
ewma <- function(x, lambda) {
  n <- nrow(x)
  w <- lambda^((n - 1):0)
  w <- w / sum(w)
  m <- colSums(x * w)
  d <- sweep(x, 2, m)
  list(mean = m, cov = xprod(d * sqrt(w), d * sqrt(w)))
}

# Ledoit & Wolf (2004) "Honey, I shrunk the sample covariance matrix", J. Portfolio Management;
# line-by-line transcription of the authors' covCor.m (shrink estimated), with xprod for x'*y.
cov_cor <- function(x) {
  t <- nrow(x); n <- ncol(x)
  meanx <- colMeans(x)
  x <- sweep(x, 2, meanx)
  sample <- (1 / t) * xprod(x, x)
  var <- diag(sample)
  sqrtvar <- sqrt(var)
  rBar <- (sum(sample / outer(sqrtvar, sqrtvar)) - n) / (n * (n - 1))
  prior <- rBar * outer(sqrtvar, sqrtvar)
  diag(prior) <- var
  y <- x^2
  phiMat <- xprod(y, y) / t - sample^2
  phi <- sum(phiMat)
  term1 <- xprod(x^3, x) / t
  help <- xprod(x, x) / t
  helpDiag <- diag(help)
  term2 <- matrix(helpDiag, n, n) * sample
  term3 <- help * matrix(var, n, n)
  term4 <- matrix(var, n, n) * sample
  thetaMat <- term1 - term2 - term3 + term4
  diag(thetaMat) <- 0
  rho <- sum(diag(phiMat)) + rBar * sum(outer(1 / sqrtvar, sqrtvar) * thetaMat)
  gamma <- norm(sample - prior, "F")^2
  # Cross-check against the paper's definitions (Appendix B), written element by element:
  # pi_ij = (1/T) sum_t ((y_ti y_tj) - s_ij)^2, theta_ii,ij = (1/T) sum_t (y_ti^2 - s_ii)(y_ti y_tj - s_ij).
  pi_p <- 0; rho_p <- 0
  for (i in 1:n) for (j in 1:n) {
    pij <- mean((x[, i] * x[, j] - sample[i, j])^2)
    pi_p <- pi_p + pij
    if (i == j) rho_p <- rho_p + pij else {
      th_iij <- mean((x[, i]^2 - sample[i, i]) * (x[, i] * x[, j] - sample[i, j]))
      th_jij <- mean((x[, j]^2 - sample[j, j]) * (x[, i] * x[, j] - sample[i, j]))
      rho_p <- rho_p + rBar / 2 * (sqrt(var[j] / var[i]) * th_iij + sqrt(var[i] / var[j]) * th_jij)
    }
  }
  stopifnot(abs(pi_p - phi) <= 1e-10 * abs(phi), abs(rho_p - rho) <= 1e-10 * abs(phi))
  kappa <- (phi - rho) / gamma
  shrinkage <- max(0, min(1, kappa / t))
  list(sigma = shrinkage * prior + (1 - shrinkage) * sample, shrinkage = shrinkage,
       prior = prior, sample = sample)
}

emit <- function(x, tag, p = ppy, lambda = 0.94) {
  wr(matrix(colMeans(x) * p, 1), paste0(tag, "_mean"))
  wr(cov(x) * p, paste0(tag, "_cov"))
  e <- ewma(x, lambda)
  wr(matrix(e$mean * p, 1), paste0(tag, "_ewma_mean"))
  wr(e$cov * p, paste0(tag, "_ewma_cov"))
  lw <- cov_cor(x)
  wr(lw$sigma * p, paste0(tag, "_lw_cov"))
  wr(matrix(lw$shrinkage, 1), paste0(tag, "_lw_delta"))
}

lpp <- rd("lpp2005_returns.csv")          # 377 x 9 daily returns
emit(lpp, "lpp2005")
swx <- rd("swx_logreturns.csv")           # 1916 x 6 daily log returns
emit(swx, "swx")
small <- rd("smallcap_monthly_returns.csv") # 60 x 22 monthly returns
emit(small, "smallcap", p = 12, lambda = 0.97)

dj <- rd("dowjones30_prices.csv")         # 2529 x 30 prices
n <- nrow(dj)
dj_simple <- dj[-1, ] / dj[-n, ] - 1      # the header's formulas, literally
dj_log <- log(dj[-1, ] / dj[-n, ])
wr(dj_simple[c(1:3, 1000, n - 1), ], "dj30_simple_rows")   # rows 0,1,2,999,2527 (0-based)
wr(dj_log[c(1:3, 1000, n - 1), ], "dj30_log_rows")
emit(dj_simple, "dj30_simple")
emit(dj_log, "dj30_log")
cat("golden numbers written to", out_dir, "\n")
