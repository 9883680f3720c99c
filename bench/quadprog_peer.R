# Peer for bench/bench_optimize.c: R's quadprog::solve.QP on the same problems, in the same run.
#   Rscript bench/quadprog_peer.R <dir>
# All files are raw little-endian doubles written by bench_optimize into <dir>.
#
# Minimum variance, for each cov_<n>.bin (n*n, row-major): min 0.5 w'Sw s.t. sum w = 1,
# 0 <= w <= 1 (meq = 1 equality, then n lower and n upper bounds as columns of Amat). Prints
#   n <n> ms_min <x> ms_med <y> obj <0.5 w'Sw>
# and writes the weights to w_<n>.bin.
#
# Frontier, if frontier_<n>_targets.bin (k target returns) and frontier_<n>_mu.bin (n expected
# returns) exist: the k QPs min w'Sw s.t. sum w = 1, mu'w = target_k, w >= 0 (meq = 2), each a
# plain solve.QP call (a failure's message goes to stderr). Prints
#   frontier n <n> k <k> ms_min <x> ms_med <y> failed <count>
# (ms per sweep of all k) and writes the variances w'Sw to frontier_<n>_var.bin (NaN where
# solve.QP failed) and the weights to frontier_<n>_w.bin (k*n, row-major).
#
# Timing: calls per batch grow by 4x until a batch lasts 0.1 s, then 5 batches; min and median
# of the per-call milliseconds over the batches.
suppressMessages(library(quadprog))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript quadprog_peer.R <dir>")
dir <- args[1]

read_raw <- function(name, count) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  x <- readBin(con, "double", count, size = 8, endian = "little")
  if (length(x) != count) stop(sprintf("%s: expected %d doubles, got %d", name, count, length(x)))
  x
}
write_raw <- function(name, x) {
  con <- file(file.path(dir, name), "wb")
  on.exit(close(con))
  writeBin(as.double(x), con, size = 8, endian = "little")
}
time_ms <- function(f) {
  k <- 1
  repeat {
    el <- system.time(for (i in seq_len(k)) f())[["elapsed"]]
    if (el >= 0.1 || k >= 4096) break
    k <- k * 4
  }
  per <- numeric(5)
  for (b in 1:5) {
    t0 <- proc.time()[["elapsed"]]
    for (i in seq_len(k)) f()
    per[b] <- (proc.time()[["elapsed"]] - t0) / k * 1000
  }
  c(min(per), median(per))
}
read_cov <- function(n) matrix(read_raw(sprintf("cov_%d.bin", n), n * n), n, n, byrow = TRUE)

files <- list.files(dir, pattern = "^cov_[0-9]+\\.bin$")
for (n in sort(as.integer(sub("^cov_([0-9]+)\\.bin$", "\\1", files)))) {
  S <- read_cov(n)
  Amat <- cbind(rep(1, n), diag(n), -diag(n))
  bvec <- c(1, rep(0, n), rep(-1, n))
  dvec <- rep(0, n)
  solve_once <- function() solve.QP(S, dvec, Amat, bvec, meq = 1)
  tm <- time_ms(solve_once)
  w <- solve_once()$solution
  write_raw(sprintf("w_%d.bin", n), w)
  cat(sprintf("n %d ms_min %.6f ms_med %.6f obj %.17g\n", n, tm[1], tm[2],
              0.5 * sum(w * (S %*% w))))
}

files <- list.files(dir, pattern = "^frontier_[0-9]+_targets\\.bin$")
for (n in as.integer(sub("^frontier_([0-9]+)_targets\\.bin$", "\\1", files))) {
  S <- read_cov(n)
  mu <- read_raw(sprintf("frontier_%d_mu.bin", n), n)
  info <- file.info(file.path(dir, sprintf("frontier_%d_targets.bin", n)))
  targets <- read_raw(sprintf("frontier_%d_targets.bin", n), info$size / 8)
  k <- length(targets)
  Amat <- cbind(rep(1, n), mu, diag(n))
  dvec <- rep(0, n)
  # one point: the weights, or solve.QP's error message
  point <- function(target)
    tryCatch(solve.QP(S, dvec, Amat, c(1, target, rep(0, n)), meq = 2)$solution,
             error = function(e) conditionMessage(e))
  sweep <- function() lapply(targets, point)
  tm <- time_ms(sweep)
  sol <- sweep()
  W <- matrix(NaN, k, n)
  v <- rep(NaN, k)
  for (i in seq_len(k)) {
    if (is.character(sol[[i]])) { # solve.QP's error message
      message(sprintf("solve.QP failed at frontier point %d (target %.17g, max(mu) %+.3g): %s", i,
                      targets[i], max(mu) - targets[i], sol[[i]]))
      next
    }
    W[i, ] <- sol[[i]]
    v[i] <- sum(sol[[i]] * (S %*% sol[[i]]))
  }
  write_raw(sprintf("frontier_%d_var.bin", n), v)
  write_raw(sprintf("frontier_%d_w.bin", n), t(W))
  cat(sprintf("frontier n %d k %d ms_min %.6f ms_med %.6f failed %d\n", n, k, tm[1], tm[2],
              sum(is.na(v))))
}
