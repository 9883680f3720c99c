# Golden numbers for tests/unit/test_qp.c, computed with R's quadprog::solve.QP (Goldfarb-Idnani,
# Turlach & Weingessel's Fortran), which shares no code with src/core/qp.c.
# Run from the repository root:  Rscript tests/golden/qp/quadprog_cases.R
# Writes tests/golden/qp/dj30_*.csv (see README.md).
suppressMessages(library(quadprog))
out <- "tests/golden/qp"
fmt <- function(v) formatC(v, digits = 17, format = "g")

# 1. The example of ?solve.QP: min -(0,5,0)'b + 1/2 b'b, A'b >= b0.
Dmat <- diag(3); dvec <- c(0, 5, 0)
Amat <- matrix(c(-4, -3, 0, 2, 1, 0, 0, -2, 1), 3, 3)
bvec <- c(-8, 2, 0)
s <- solve.QP(Dmat, dvec, Amat, bvec = bvec)
cat("quadprog example: solution", fmt(s$solution), "\n  value", fmt(s$value),
    "\n  lagrangian", fmt(s$Lagrangian), "\n")

# 2. Dow Jones 30 (shared/data/dowjones30_prices.csv): daily simple returns of all 30 stocks,
#    annualised sample covariance (cov * 252) and mean (mean * 252). Long-only, at most 10% each,
#    fully invested, expected return >= 0.20 (an inequality row).
px <- read.csv(file.path("..", "shared", "data", "dowjones30_prices.csv"))
if (!nrow(px)) stop("no data")
P <- as.matrix(px[, -1])
R <- P[-1, ] / P[-nrow(P), ] - 1
S <- cov(R) * 252
mu <- colMeans(R) * 252
n <- ncol(P)
target <- 0.20
Amat <- cbind(rep(1, n), mu, diag(n), -diag(n))
bvec <- c(1, target, rep(0, n), rep(-0.10, n))
s <- solve.QP(2 * S, rep(0, n), Amat, bvec, meq = 1)   # min w'Sw = 0.5 w'(2S)w
write.table(formatC(S, digits = 17, format = "g"), file.path(out, "dj30_cov.csv"),
            sep = ",", row.names = FALSE, col.names = FALSE, quote = FALSE)
writeLines(fmt(mu), file.path(out, "dj30_mu.csv"))
w <- s$solution
writeLines(c(fmt(w)), file.path(out, "dj30_w.csv"))
cat("dj30: objective w'Sw", fmt(sum(w * (S %*% w))), " (solve.QP value", fmt(s$value), ")\n")
cat("dj30: return", fmt(sum(mu * w)), " lagrangian budget", fmt(s$Lagrangian[1]),
    " return", fmt(s$Lagrangian[2]), "\n")
cat("dj30: weights > 1e-9:", sum(w > 1e-9), " at 0.10:", sum(abs(w - 0.1) < 1e-9), "\n")
