"""The HTTP API checked from outside (tests/cli/test_server.sh): a client of the real server on
loopback. Usage: server_check.py URL OPENAPI KEYS.json RESULTS
KEYS.json: {"admin", "adv", "adv_other", "client", "auditor", "f2admin", "revoked", "expired",
"own_account", "foreign_account", "own_client", "foreign_client", "pending", "foreign_pending",
"own_advisor", "foreign_advisor", "own_household", "foreign_household", "own_order",
"foreign_order", "foreign_key", "own_plan", "foreign_plan"}.
Every check appends ok or bad to RESULTS (tests/cli/lib.sh counts them). Expected values: the
OpenAPI document (docs/openapi.json), RFC 9457 for problems, the issue's scoping rules."""
import json
import re
import sys
import urllib.error
import urllib.request

import jsonschema

URL, OPENAPI, KEYS, RESULTS = sys.argv[1:5]
doc = json.load(open(OPENAPI))
keys = json.load(open(KEYS))
res = open(RESULTS, "a")


def ok():
    res.write("ok\n")


def bad(msg):
    res.write("bad\n")
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    ok() if cond else bad(msg)


def call(method, path, key=None, body=None, headers=None):
    h = dict(headers or {})
    if key:
        h["Authorization"] = "Bearer " + key
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(URL + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def schema_of(path_t, method, status):
    op = doc["paths"][path_t][method.lower()]
    r = op["responses"].get(str(status))
    if not r:
        return None, None
    ctype, media = next(iter(r["content"].items()))
    return ctype, media["schema"]


def validate(path_t, method, status, headers, body):
    """The answer's status is documented for the route and its body has the documented shape."""
    ctype, schema = schema_of(path_t, method, status)
    if ctype is None:
        bad(f"{method} {path_t}: status {status} is not in the document")
        return None
    got = headers.get("Content-Type", "")
    check(got.startswith(ctype), f"{method} {path_t} {status}: content type {got}, want {ctype}")
    if not ctype.endswith("json"):
        return body
    try:
        j = json.loads(body)
    except ValueError:
        bad(f"{method} {path_t}: body is not JSON")
        return None
    full = dict(schema)
    full["components"] = doc["components"]
    try:
        jsonschema.validate(j, full)
        ok()
    except jsonschema.ValidationError as e:
        bad(f"{method} {path_t} {status}: {e.message} at {list(e.absolute_path)}")
    return j


def concrete(path_t, ident):
    return path_t.replace("{id}", ident)


# 1. every route in the document answers something other than 404/405 for its method, and a
# path outside the document is 404 (the other way round: the server's table is checked against
# the document by the shell part, which lists the patterns the server logs)
for p, ops in doc["paths"].items():
    for m in ops:
        s, h, b = call(m.upper(), concrete(p, "X"), keys["admin"],
                       body={} if m == "post" else None, headers={"Idempotency-Key": "route-" + p})
        check(s not in (405,) and not (s == 404 and "{id}" not in p),
              f"{m} {p}: answered {s}")
s, h, b = call("GET", "/v1/nothing", keys["admin"])
check(s == 404, f"unknown path answered {s}")
s, h, b = call("DELETE", "/v1/firm", keys["admin"])
check(s == 405, f"DELETE /v1/firm answered {s}")

# 2. authentication
for k, why in [(None, "no key"), ("ra_nothing", "malformed key"), (keys["revoked"], "revoked"),
               (keys["expired"], "expired"), (keys["admin"][:-1] + ("0" if keys["admin"][-1] != "0" else "1"), "wrong secret")]:
    s, h, b = call("GET", "/v1/accounts", k)
    check(s == 401, f"{why}: {s}")
    check("Bearer" in h.get("WWW-Authenticate", ""), f"{why}: no WWW-Authenticate")
    validate("/v1/accounts", "GET", 401, h, b)
    check(b"A0" not in b, f"{why}: data in a 401")

# 3. roles: auditor only audit; client read only; advisor no audit
for k, m, p, want in [("auditor", "GET", "/v1/accounts", 403), ("auditor", "GET", "/v1/audit", 200),
                      ("client", "POST", f"/v1/proposals/{keys['pending']}/approve", 403),
                      ("adv", "GET", "/v1/audit", 403), ("admin", "GET", "/v1/audit", 200)]:
    s, h, b = call(m, p, keys[k], body={"reason": "x"} if m == "POST" else None,
                   headers={"Idempotency-Key": "role-" + k + p})
    check(s == want, f"{k} {m} {p}: {s}, want {want}")

# 4. every GET route with the caller's own ids validates against the document
own = {"/v1/accounts/{id}": keys["own_account"], "/v1/accounts/{id}/instructions": keys["own_account"],
       "/v1/accounts/{id}/lots": keys["own_account"], "/v1/accounts/{id}/gains": keys["own_account"],
       "/v1/clients/{id}": keys["own_client"], "/v1/proposals/{id}": keys["pending"],
       # the further resources (srv_routes_resources.c)
       "/v1/advisors/{id}": keys["own_advisor"], "/v1/households/{id}": keys["own_household"],
       "/v1/clients/{id}/personal": keys["own_client"],
       "/v1/accounts/{id}/mandates": keys["own_account"], "/v1/orders/{id}/fills": keys["own_order"],
       "/v1/proposals/{id}/comments": keys["pending"],
       "/v1/accounts/{id}/statement": keys["own_account"] + "?from=2019-12-01&to=2019-12-11"}
ADMIN_ONLY = ("/v1/audit", "/v1/audit/records", "/v1/keys")  # GETs an advisor may not use
own["/v1/accounts/{id}/values"] = keys["own_account"]  # the console's (srv_routes_console.c)
own["/v1/clients/{id}/plans"] = keys["own_client"]  # saved goal plans (srv_routes_plans.c)
own["/v1/plans/{id}"] = keys["own_plan"]
n_valid = 0
for p, ops in doc["paths"].items():
    if "get" not in ops or p in ("/metrics",):
        continue
    for who in ("admin", "adv"):
        if who == "adv" and p in ADMIN_ONLY:
            continue
        s, h, b = call("GET", concrete(p, own.get(p, "")), keys[who])
        check(s == 200, f"{who} GET {p}: {s} {b[:200]!r}")
        if validate(p, "GET", s, h, b) is not None:
            n_valid += 1
check(n_valid >= 20, f"only {n_valid} answers validated")
# the statement as PDF and HTML (issue 16)
for fmt, ctype, magic in (("pdf", "application/pdf", b"%PDF-"), ("html", "text/html", b"<!DOCTYPE html>")):
    s, h, b = call("GET", f"/v1/accounts/{keys['own_account']}/statement?from=2019-12-01&to=2019-12-11"
                   f"&format={fmt}&lang=zh-CN", keys["adv"])
    check(s == 200 and b.startswith(magic) and h.get("Content-Type", "").startswith(ctype),
          f"statement {fmt}: {s} {h.get('Content-Type')}")

# 5. the walk: another firm's key and another advisor's key on every route with foreign ids
# expect 404 (never 403, never data) on objects and empty lists
foreign = {"/v1/accounts/{id}": keys["foreign_account"],
           "/v1/accounts/{id}/lots": keys["foreign_account"],
           "/v1/accounts/{id}/gains": keys["foreign_account"],
           "/v1/accounts/{id}/statement": keys["foreign_account"],
           "/v1/accounts/{id}/deposits": keys["foreign_account"],
           "/v1/accounts/{id}/reauthorise": keys["foreign_account"],
           "/v1/accounts/{id}/instructions": keys["foreign_account"],
           "/v1/accounts/{id}/withdrawals": keys["foreign_account"],
           "/v1/clients/{id}": keys["foreign_client"],
           "/v1/proposals/{id}": keys["foreign_pending"],
           "/v1/proposals/{id}/approve": keys["foreign_pending"],
           "/v1/proposals/{id}/reject": keys["foreign_pending"],
           "/v1/proposals/{id}/comments": keys["foreign_pending"],
           "/v1/advisors/{id}": keys["foreign_advisor"],
           "/v1/households/{id}": keys["foreign_household"],
           "/v1/clients/{id}/personal": keys["foreign_client"],
           "/v1/clients/{id}/erase": keys["foreign_client"],
           "/v1/accounts/{id}/mandates": keys["foreign_account"],
           "/v1/orders/{id}/fills": keys["foreign_order"],
           "/v1/keys/{id}/revoke": keys["foreign_key"],
           "/v1/accounts/{id}/values": keys["foreign_account"],
           "/v1/clients/{id}/plans": keys["foreign_client"],
           "/v1/plans/{id}": keys["foreign_plan"]}
# every route with an id is walked with a foreign one: a new route without one fails here
for p in doc["paths"]:
    check("{id}" not in p or p in foreign, f"the walk has no foreign id for {p}")
own["/v1/keys/{id}/revoke"] = keys["admin"][3:19]  # another firm's admin tries DEMO's key
own["/v1/clients/{id}/erase"] = keys["own_client"]
# a role that may not use a route at all gets 403 for every id alike
ADV_FORBIDDEN = ("deposits", "/v1/keys", "/erase", "/v1/audit/records")
FOREIGN_IDS = {keys[k] for k in ("foreign_account", "foreign_client", "foreign_advisor",
                                 "foreign_household", "foreign_order", "foreign_pending")}
missing_body = None
for who, ids in (("f2admin", dict(foreign, **{k: v for k, v in own.items()})), ("adv", foreign)):
    for p, ops in doc["paths"].items():
        for m in ops:
            if p in ("/v1/openapi.json", "/metrics", "/v1/health", "/v1/firm", "/v1/audit"):
                continue
            if m == "post" and "{id}" not in p:  # creations (keys, onboarding): no id to leak;
                continue                          # tests/cli/test_api_resources.sh scopes them
            body = None
            if m == "post":
                body = {"reason": "walk"}
                for part, b_ in (("withdrawals", {"amount": "1.00"}),
                                 ("deposits", {"amount": "1.00", "reference": "walk"}),
                                 ("reauthorise", {"note": "walk"}),
                                 ("comments", {"body": "walk"}),
                                 ("plans", {"goal": "1.00", "years": 1, "mu": 0, "sigma": 0}),
                                 ("erase", {"confirm": ids.get(p, "")})):
                    if part in p:
                        body = b_
            s, h, b = call(m.upper(), concrete(p, ids.get(p, "")), keys[who], body=body,
                           headers={"Idempotency-Key": f"walk-{who}-{p}"})
            if "{id}" in p:
                # 404 for a role that may use the route; 403 for every id alike otherwise
                check(s == 404 or (s == 403 and who == "adv" and any(x in p for x in ADV_FORBIDDEN)),
                      f"{who} {m} {p} with a foreign id: {s}")
                # exactly as a missing one
                s2, h2, b2 = call(m.upper(), concrete(p, "NO-SUCH-ID"), keys[who], body=body,
                                  headers={"Idempotency-Key": f"walk2-{who}-{p}"})
                check(s2 == s and b2 == b, f"{who} {m} {p}: foreign and missing differ: {s} {b[:150]!r} / {s2} {b2[:150]!r}")
            else:
                j = json.loads(b)
                leaked = [i for i in j.get("items", []) if
                          i.get("account", i.get("code")) in FOREIGN_IDS or
                          (who == "f2admin" and i.get("code") in (keys["own_advisor"], keys["own_household"]))]
                check((s == 200 and not leaked) or (s == 403 and who == "adv" and p in ADMIN_ONLY),
                      f"{who} {m} {p}: {s}, leaked {leaked[:2]}")
            check(keys["foreign_account"].encode() not in b or "{id}" not in p or s == 404,
                  f"{who} {m} {p}: foreign data")
# the other firm's admin sees nothing of DEMO at all
s, h, b = call("GET", "/v1/accounts", keys["f2admin"])
check(s == 200 and json.loads(b)["items"] == [], "another firm's admin lists accounts")

# 6. problem details with JSON paths
s, h, b = call("POST", f"/v1/proposals/{keys['pending']}/reject", keys["admin"],
               body={"reason": 5, "trades": [0, "x"], "extra": 1}, headers={"Idempotency-Key": "bad-1"})
j = validate("/v1/proposals/{id}/reject", "POST", s, h, b)
paths = sorted(e["path"] for e in (j or {}).get("errors", []))
check(s == 422 and paths == ["$.extra", "$.reason", "$.trades[0]", "$.trades[1]"], f"problem paths {s} {paths}")
s, h, b = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"],
               body=b"{not json", headers={"Idempotency-Key": "bad-2"})
check(s == 400 and h.get("Content-Type", "").startswith("application/problem+json"), f"not JSON: {s}")
s, h, b = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"],
               body=b"x" * (70 * 1024), headers={"Idempotency-Key": "bad-3"})
check(s == 413, f"a 70 KiB body: {s}")
s, h, b = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"],
               body={"amount": "5.00"})
j = json.loads(b)
check(s == 400 and j["errors"][0]["path"] == "header.Idempotency-Key", f"no Idempotency-Key: {s}")
s, h, b = call("GET", "/v1/accounts?limit=0", keys["admin"])
j = json.loads(b)
check(s == 422 and j["errors"][0]["path"] == "query.limit", f"limit=0: {s}")
s, h, b = call("GET", "/v1/accounts?cursor=zzz", keys["admin"])
check(s == 422 and json.loads(b)["errors"][0]["path"] == "query.cursor", f"bad cursor: {s}")

# 7. idempotency: the same POST twice does its work once and says so; the key with another body
# is refused
body = {"amount": "12.34", "note": "test"}
s1, h1, b1 = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"], body=body,
                  headers={"Idempotency-Key": "idem-1"})
s2, h2, b2 = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"], body=body,
                  headers={"Idempotency-Key": "idem-1"})
check(s1 == 201 and s2 == 201 and b1 == b2, f"retried POST: {s1} {s2}")
check(h2.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in h1, "replay header")
validate("/v1/accounts/{id}/withdrawals", "POST", s1, h1, b1)
s, h, b = call("GET", f"/v1/accounts/{keys['own_account']}/instructions?limit=500", keys["admin"])
n = sum(1 for i in json.loads(b)["items"] if i["amount"] == "12.34")
check(n == 1, f"the retried withdrawal was recorded {n} times")
s3, h3, b3 = call("POST", f"/v1/accounts/{keys['own_account']}/withdrawals", keys["admin"],
                  body={"amount": "99.00"}, headers={"Idempotency-Key": "idem-1"})
check(s3 == 422, f"a key reused with another body: {s3}")
# approve twice with one key: one decision
s1, h1, b1 = call("POST", f"/v1/proposals/{keys['pending']}/approve", keys["adv"],
                  body={"reason": "fits the plan"}, headers={"Idempotency-Key": "approve-1"})
s2, h2, b2 = call("POST", f"/v1/proposals/{keys['pending']}/approve", keys["adv"],
                  body={"reason": "fits the plan"}, headers={"Idempotency-Key": "approve-1"})
j = validate("/v1/proposals/{id}/approve", "POST", s1, h1, b1)
check(s1 == 200 and j and j["status"] == "approved" and b1 == b2 and h2.get("Idempotent-Replayed") == "true",
      f"approve retried: {s1} {s2}")
s, h, b = call("POST", f"/v1/proposals/{keys['pending']}/approve", keys["adv"],
               body={"reason": "again"}, headers={"Idempotency-Key": "approve-2"})
check(s == 409, f"a second decision with a new key: {s}")

# deposits: booked once per Idempotency-Key, and once per reference whatever the key
dep = {"amount": "250.00", "reference": "BANK-77"}
s1, h1, b1 = call("POST", f"/v1/accounts/{keys['own_account']}/deposits", keys["admin"], body=dep,
                  headers={"Idempotency-Key": "dep-1"})
s2, h2, b2 = call("POST", f"/v1/accounts/{keys['own_account']}/deposits", keys["admin"], body=dep,
                  headers={"Idempotency-Key": "dep-1"})
s3, h3, b3 = call("POST", f"/v1/accounts/{keys['own_account']}/deposits", keys["admin"], body=dep,
                  headers={"Idempotency-Key": "dep-2"})
j1 = validate("/v1/accounts/{id}/deposits", "POST", s1, h1, b1)
check(s1 == 201 and j1 and j1["new"] is True and b2 == b1 and h2.get("Idempotent-Replayed") == "true",
      f"deposit retried: {s1} {s2}")
j3 = validate("/v1/accounts/{id}/deposits", "POST", s3, h3, b3)
check(s3 == 200 and j3 and j3["new"] is False, f"the same reference with another key: {s3} {b3[:100]!r}")
# the same reference for another amount is not the same payment: refused, nothing booked
s4, h4, b4 = call("POST", f"/v1/accounts/{keys['own_account']}/deposits", keys["admin"],
                  body={"amount": "251.00", "reference": "BANK-77"}, headers={"Idempotency-Key": "dep-4"})
check(s4 == 409 and h4.get("Content-Type", "").startswith("application/problem+json"),
      f"the same reference for another amount: {s4} {b4[:100]!r}")
s, h, b = call("POST", f"/v1/accounts/{keys['own_account']}/deposits", keys["adv"], body=dep,
               headers={"Idempotency-Key": "dep-3"})
check(s == 403, f"an advisor books a deposit: {s}")
# re-authorising an account that is not suspended is a conflict
s, h, b = call("POST", f"/v1/accounts/{keys['own_account']}/reauthorise", keys["adv"],
               body={"note": "client confirmed"}, headers={"Idempotency-Key": "reauth-1"})
check(s == 409, f"re-authorise an account not suspended: {s}")
# the open lots add up to the positions of the account summary, ticker by ticker
s, h, b = call("GET", f"/v1/accounts/{keys['own_account']}/lots?limit=500", keys["client"])
lots = json.loads(b)["items"]
s2, h2, b2 = call("GET", f"/v1/accounts/{keys['own_account']}", keys["client"])
pos = {p_["ticker"]: p_["qty"] for p_ in json.loads(b2)["positions"] if p_["qty"] != "0.000000"}
sums = {}
for l in lots:
    sums[l["ticker"]] = sums.get(l["ticker"], 0) + round(float(l["qty"]) * 1e6)
check(s == 200 and s2 == 200 and lots and {t: round(float(q) * 1e6) for t, q in pos.items()} == sums,
      f"lots {sums} against positions {pos}")

# 8. pagination: walking accounts 3 at a time gives every account once, in order
seen, cursor, pages = [], None, 0
while True:
    s, h, b = call("GET", "/v1/accounts?limit=3" + (f"&cursor={cursor}" if cursor else ""), keys["admin"])
    j = json.loads(b)
    seen += [i["code"] for i in j["items"]]
    pages += 1
    cursor = j["next"]
    if not cursor or pages > 1000:
        break
s, h, b = call("GET", "/v1/accounts?limit=500", keys["admin"])
allc = [i["code"] for i in json.loads(b)["items"]]
check(seen == allc and len(seen) > 6 and pages >= 3, f"paged walk {len(seen)} vs {len(allc)} in {pages} pages")
check(seen == sorted(seen), "pages not in code order")

# 9. metrics
s, h, b = call("GET", "/metrics")
t = b.decode()
check(s == 200 and re.search(r'ra_http_requests_total\{route="/v1/accounts",status="200"\} \d+', t) is not None,
      "metrics lack the accounts counter")
check("ra_http_idempotent_replays_total 2" in t or "ra_http_idempotent_replays_total 3" in t, "replays not counted")
check('ra_http_request_duration_seconds_bucket{le="+Inf"}' in t, "no latency histogram")
