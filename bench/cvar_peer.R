# Peer for bench/bench_cvar.c, in the same run: GLPK (Rglpk) on the primal Rockafellar-Uryasev
# CVaR LP, and brute force over all supports with quadprog for the cardinality problem.
#   Rscript bench/cvar_peer.R <dir>
# Reads raw little-endian doubles written by bench_cvar into <dir>:
#   scen.bin (T*n row-major, T = 1260, n = 30), then min CVaR_0.95 s.t. sum w = 1, 0 <= w <= 1.
#   Prints  cvar ms_min <x> ms_med <y> obj <CVaR>  and writes cvar_w.bin (n).
#   card_cov.bin (20*20): min w'Sw s.t. sum w = 1, at most 5 assets, each held >= 0.02, by
#   solving every support of 1..5 assets with solve.QP. Prints
#   card ms <x> obj <variance> subsets <count>  and writes card_w.bin (20).
# Times are CPU milliseconds (user + system, proc.time), like the C side's.
suppressMessages(library(Rglpk))
suppressMessages(library(quadprog))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
rd <- function(name, count) {
  con <- file(file.path(dir, name), "rb"); on.exit(close(con))
  readBin(con, "double", count, size = 8, endian = "little")
}
wr <- function(name, x) {
  con <- file(file.path(dir, name), "wb"); on.exit(close(con))
  writeBin(as.double(x), con, size = 8, endian = "little")
}
cpu <- function() { p <- proc.time(); (p[["user.self"]] + p[["sys.self"]]) * 1000 }

Tn <- 1260; n <- 30; beta <- 0.95
R <- matrix(rd("scen.bin", Tn * n), Tn, n, byrow = TRUE)
k <- 1 / ((1 - beta) * Tn)
M <- rbind(cbind(R, 1, diag(Tn)), c(rep(1, n), 0, rep(0, Tn)))
obj <- c(rep(0, n), 1, rep(k, Tn))
dirs <- c(rep(">=", Tn), "=="); rhs <- c(rep(0, Tn), 1)
bounds <- list(lower = list(ind = n + 1, val = -Inf), upper = list(ind = seq_len(n), val = rep(1, n)))
times <- numeric(5)
for (i in 1:5) {
  t0 <- cpu()
  s <- Rglpk_solve_LP(obj, M, dirs, rhs, bounds = bounds)
  times[i] <- cpu() - t0
}
cat(sprintf("cvar ms_min %.6g ms_med %.6g obj %.17g\n", min(times), median(times), s$optimum))
wr("cvar_w.bin", s$solution[1:n])

nc <- 20; K <- 5; m <- 0.02
S <- matrix(rd("card_cov.bin", nc * nc), nc, nc, byrow = TRUE)
t0 <- cpu(); best <- Inf; wbest <- rep(0, nc); count <- 0
for (size in 1:K) {
  sets <- combn(nc, size)
  for (c in seq_len(ncol(sets))) {
    j <- sets[, c]; sz <- length(j)
    A <- cbind(rep(1, sz), diag(sz), -diag(sz)); b <- c(1, rep(m, sz), rep(-1, sz))
    r <- tryCatch(solve.QP(2 * S[j, j, drop = FALSE], rep(0, sz), A, b, meq = 1),
                  error = function(e) NULL)
    count <- count + 1
    if (!is.null(r) && r$value < best) { best <- r$value; wbest <- rep(0, nc); wbest[j] <- r$solution }
  }
}
cat(sprintf("card ms %.6g obj %.17g subsets %d\n", cpu() - t0, best, count))
wr("card_w.bin", wbest)
