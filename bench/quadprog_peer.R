# Peer timing for bench/bench_qp.c: R's quadprog::solve.QP on the same minimum-variance problems.
#   Rscript bench/quadprog_peer.R <dir>
# <dir> holds cov_<n>.bin (n*n little-endian doubles, written by bench_qp). For each n prints
#   n <n> ms_min <x> ms_med <y> obj <0.5 w'Sw>
# and writes the weights to w_<n>.bin. Problem: min 0.5 w'Sw, sum w = 1, 0 <= w <= 1
# (meq = 1 equality, then n lower and n upper bounds as rows of t(Amat), as solve.QP needs).
suppressMessages(library(quadprog))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript quadprog_peer.R <dir>")
dir <- args[1]
files <- list.files(dir, pattern = "^cov_[0-9]+\\.bin$")
ns <- sort(as.integer(sub("^cov_([0-9]+)\\.bin$", "\\1", files)))
for (n in ns) {
  con <- file(file.path(dir, sprintf("cov_%d.bin", n)), "rb")
  S <- matrix(readBin(con, "double", n * n, size = 8, endian = "little"), n, n, byrow = TRUE)
  close(con)
  Amat <- cbind(rep(1, n), diag(n), -diag(n))
  bvec <- c(1, rep(0, n), rep(-1, n))
  dvec <- rep(0, n)
  # calls per batch so that a batch lasts at least 0.1 s, then 5 batches: min and median per call
  k <- 1
  repeat {
    el <- system.time(for (i in seq_len(k)) s <- solve.QP(S, dvec, Amat, bvec, meq = 1))[["elapsed"]]
    if (el >= 0.1 || k >= 4096) break
    k <- k * 4
  }
  per <- numeric(5)
  for (b in 1:5) {
    t0 <- proc.time()[["elapsed"]]
    for (i in seq_len(k)) s <- solve.QP(S, dvec, Amat, bvec, meq = 1)
    per[b] <- (proc.time()[["elapsed"]] - t0) / k * 1000
  }
  w <- s$solution
  con <- file(file.path(dir, sprintf("w_%d.bin", n)), "wb")
  writeBin(as.double(w), con, size = 8, endian = "little")
  close(con)
  cat(sprintf("n %d ms_min %.6f ms_med %.6f obj %.17g\n", n, min(per), median(per),
              0.5 * sum(w * (S %*% w))))
}
