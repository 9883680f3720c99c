# Peer timing for bench/bench_est.c: R's cov() on the same returns matrix.
# Usage: Rscript r_cov_peer.R <returns.bin> <n_obs> <n_assets> <reps> [<our_cov.bin>]
# returns.bin: n_obs x n_assets doubles, row-major, native byte order (as the C bench writes).
# Prints one line: "min_s median_s max_scaled_diff" where the diff compares our cov (if given,
# n_assets^2 doubles, already divided by ppy) with cov(x), scaled by sqrt(c_ii c_jj).
a <- commandArgs(trailingOnly = TRUE)
t <- as.integer(a[2]); n <- as.integer(a[3]); reps <- as.integer(a[4])
x <- matrix(readBin(a[1], "double", t * n), nrow = t, ncol = n, byrow = TRUE)
el <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  c <- cov(x)
  el[r] <- proc.time()[["elapsed"]] - t0
}
d <- NA
if (length(a) >= 5) {
  ours <- matrix(readBin(a[5], "double", n * n), n, n, byrow = TRUE)
  s <- sqrt(outer(diag(c), diag(c)))
  d <- max(abs(ours - c) / s)
}
cat(sprintf("%.6f %.6f %.3g\n", min(el), median(el), d))
