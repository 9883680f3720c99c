# Peer timing for bench/bench_est.c: R's cov() on the same returns matrix.
# Usage: Rscript r_cov_peer.R <returns.bin> <n_obs> <n_assets> <reps> [<our_cov.bin>]
# returns.bin: n_obs x n_assets doubles, row-major, little-endian (as bench_common.h writes).
# Prints one line: "min_s median_s max_scaled_diff" (seconds per cov() call) where the diff
# compares our cov (if given, n_assets^2 doubles, already divided by ppy) with cov(x), scaled by
# sqrt(c_ii c_jj).
a <- commandArgs(trailingOnly = TRUE)
t <- as.integer(a[2]); n <- as.integer(a[3]); reps <- as.integer(a[4])
x <- matrix(readBin(a[1], "double", t * n, size = 8, endian = "little"), nrow = t, ncol = n, byrow = TRUE)
# proc.time() ticks in milliseconds: each repetition times a batch of k calls lasting >= 20 ms
k <- 1
while (system.time(for (i in seq_len(k)) c <- cov(x))[["elapsed"]] < 0.02 && k < 1024) k <- k * 2
el <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  for (i in seq_len(k)) c <- cov(x)
  el[r] <- (proc.time()[["elapsed"]] - t0) / k
}
d <- NA
if (length(a) >= 5) {
  ours <- matrix(readBin(a[5], "double", n * n, size = 8, endian = "little"), n, n, byrow = TRUE)
  s <- sqrt(outer(diag(c), diag(c)))
  d <- max(abs(ours - c) / s)
}
cat(sprintf("%.6f %.6f %.3g\n", min(el), median(el), d))
