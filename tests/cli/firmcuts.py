# Checks a proposals list of a day run with the firm rules (argv[2]) against the same day run
# without them (argv[1]): every trade's quantity with the rules plus the quantities the rules say
# they cut equals its quantity without them, exactly (micro-shares); a trade cut to nothing is
# absent. Prints "cuts N rules R" on success, the first difference otherwise (exit 1).
import json, sys
from decimal import Decimal

def micro(s):
    return int(Decimal(s) * 1000000)

off = {p["account"]: p for p in json.load(open(sys.argv[1]))["proposals"]}
on = {p["account"]: p for p in json.load(open(sys.argv[2]))["proposals"]}
n, rules = 0, set()
for acc, p in off.items():
    q = on.get(acc)
    if q is None:
        print("no proposal with the rules for", acc); sys.exit(1)
    got = {}
    for t in q["trades"]:
        got[(t["ticker"], t["side"])] = micro(t["qty"])
    for c in q.get("firm_cuts", []):
        k = (c["ticker"], c["side"])
        got[k] = got.get(k, 0) + micro(c["qty"])
        n += 1
        rules.add(c["rule"])
    want = {(t["ticker"], t["side"]): micro(t["qty"]) for t in p["trades"]}
    if got != want:
        print(acc, "with the rules plus the cuts", sorted(got.items()), "without",
              sorted(want.items())); sys.exit(1)
print("cuts", n, "rules", " ".join(sorted(rules)))
