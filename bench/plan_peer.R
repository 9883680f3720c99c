# Peer timing for bench/bench_plan.c: the same goal-plan simulation in vectorised base R.
# Usage: Rscript plan_peer.R <paths> <years> <initial> <monthly> <goal> <mu> <sigma> <reps>
# Month by month over all paths at once: W <- W * exp(N(ln(1+mu)/12 - sigma^2/24, sigma^2/12)) + c,
# wealth kept at each year end, then the 5/25/50/75/95 % quantiles (type 7, R's default) of every
# year end and the probability of ending at or above the goal: what ra_plan_run computes.
# Prints one line: "min_s median_s probability median_final".
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[1]); years <- as.integer(a[2])
initial <- as.numeric(a[3]); monthly <- as.numeric(a[4]); goal <- as.numeric(a[5])
mu <- as.numeric(a[6]); sigma <- as.numeric(a[7]); reps <- as.integer(a[8])
probs <- c(0.05, 0.25, 0.50, 0.75, 0.95)
plan <- function() {
  m <- log1p(mu) / 12 - sigma^2 / 24
  s <- sigma / sqrt(12)
  w <- rep(initial, n)
  by_year <- matrix(NA_real_, years, 5)
  for (y in seq_len(years)) {
    for (k in 1:12) w <- w * exp(rnorm(n, m, s)) + monthly
    by_year[y, ] <- quantile(w, probs, type = 7, names = FALSE)
  }
  list(prob = mean(w >= goal), med = by_year[years, 3])
}
set.seed(42)
el <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  res <- plan()
  el[r] <- proc.time()[["elapsed"]] - t0
}
cat(sprintf("%.6f %.6f %.6f %.2f\n", min(el), median(el), res$prob, res$med))
