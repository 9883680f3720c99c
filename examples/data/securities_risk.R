# How examples/data/securities.csv got its risk levels (docs/formats.md#securities).
# Annualised volatility of daily log total returns over the last ten years of
# shared/data/aa_etf_totalreturn_index.csv (2013-06-10 .. 2023-06-09), bucketed:
#   R1 < 2 %, R2 < 7 %, R3 < 12 %, R4 < 20 %, R5 >= 20 %.
# Run: Rscript examples/data/securities_risk.R ../shared/data/aa_etf_totalreturn_index.csv
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(if (length(args)) args[1] else "../shared/data/aa_etf_totalreturn_index.csv",
              check.names = FALSE)
x <- x[x$Date >= "2013-06-10", ]
v <- sapply(x[, -1], function(p) { p <- p[!is.na(p)]; sd(diff(log(p))) * sqrt(252) })
r <- cut(v, c(-Inf, 0.02, 0.07, 0.12, 0.20, Inf), labels = paste0("R", 1:5), right = FALSE)
print(data.frame(vol = round(v, 3), risk = r)[order(v), ])
