"""The API's further resources checked from outside (tests/cli/test_api_resources.sh): a client of
the real server on loopback. Usage: api_resources_check.py PHASE URL OPENAPI IDS.json RESULTS WORKDIR
PHASE a: one firm, every resource with the caller's own ids and another advisor's; onboarding
of client RX000001 (its name "Zebulon Quixote" is what the shell looks for after the erasure).
PHASE erase: RX000001 erased through the API. PHASE b: another firm exists; its admin walks every
route of these resources with the first firm's ids. Every check appends ok or bad to RESULTS.
Expected values: the OpenAPI document, RFC 9457, the issue's scoping rules (404 exactly as a
missing object), examples/onboard/client_en.json for the onboarding answers."""
import copy
import json
import os
import re
import sys
import urllib.error
import urllib.request

import jsonschema

PHASE, URL, OPENAPI, IDS, RESULTS, WORK = sys.argv[1:7]
doc = json.load(open(OPENAPI))
ids = json.load(open(IDS))
res = open(RESULTS, "a")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWC = "RX000001"
seq = [0]


def ok():
    res.write("ok\n")


def bad(msg):
    res.write("bad\n")
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    ok() if cond else bad(msg)


def call(method, path, key=None, body=None, idem=True):
    h = {}
    if key:
        h["Authorization"] = "Bearer " + key
    data = None
    if method == "POST":
        data = json.dumps(body if body is not None else {}).encode()
        h["Content-Type"] = "application/json"
        if idem is True:
            seq[0] += 1
            h["Idempotency-Key"] = f"{PHASE}-{seq[0]}"
        elif idem:
            h["Idempotency-Key"] = idem
    req = urllib.request.Request(URL + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def validate(path_t, method, status, headers, body):
    r = doc["paths"][path_t][method.lower()]["responses"].get(str(status))
    if not r:
        bad(f"{method} {path_t}: status {status} is not in the document")
        return None
    ctype, media = next(iter(r["content"].items()))
    check(headers.get("Content-Type", "").startswith(ctype), f"{method} {path_t}: content type")
    j = json.loads(body)
    full = dict(media["schema"])
    full["components"] = doc["components"]
    try:
        jsonschema.validate(j, full)
        ok()
    except jsonschema.ValidationError as e:
        bad(f"{method} {path_t} {status}: {e.message} at {list(e.absolute_path)}")
    return j


def get(path_t, ident, key, want=200, query=""):
    s, h, b = call("GET", path_t.replace("{id}", ident) + query, key)
    check(s == want, f"GET {path_t} {ident}: {s}, want {want}: {b[:200]!r}")
    return validate(path_t, "GET", s, h, b)


def post(path_t, ident, key, body, want, idem=True):
    s, h, b = call("POST", path_t.replace("{id}", ident), key, body, idem)
    check(s == want, f"POST {path_t} {ident}: {s}, want {want}: {b[:300]!r}")
    return validate(path_t, "POST", s, h, b), h, b


def as_missing(method, path_t, foreign, key, body=None):
    """A foreign object answers 404 with exactly the body of a missing one."""
    s, h, b = call(method, path_t.replace("{id}", foreign), key, body)
    s2, h2, b2 = call(method, path_t.replace("{id}", "NO-SUCH-ID"), key, body)
    check(s == 404 and s2 == 404 and b == b2,
          f"{method} {path_t} with a foreign id: {s} {b[:150]!r}, missing: {s2} {b2[:150]!r}")


def problem_paths(b):
    return sorted(e["path"] for e in json.loads(b).get("errors", []))


def walk(path_t, key, limit):
    """Every item of a list, page by page; the pages' items in id order."""
    items, cursor, pages = [], None, 0
    while pages < 200:
        q = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        s, h, b = call("GET", path_t + q, key)
        if s != 200:
            bad(f"GET {path_t}{q}: {s}")
            return items, pages
        j = json.loads(b)
        items += j["items"]
        pages += 1
        cursor = j["next"]
        if not cursor:
            break
    return items, pages


A, ADV, CLI, AUD = ids["admin"], ids["adv"], ids["client"], ids["auditor"]


def onboarding(code, advisor, name="Zebulon Quixote"):
    d = json.load(open(os.path.join(REPO, "examples/onboard/client_en.json")))
    d.pop("_comment", None)
    d["client"].update({"code": code, "household": "H-" + code, "advisor": advisor, "name": name,
                        "email": "zq@example.org", "tax_id": "999-88-7777",
                        "address": "7 Quixote Lane", "birth_year": 1961})
    d["accounts"] = [{"code": code + "-1", "type": "taxable", "currency": "USD"}]
    return d


CONSENTS = [{"kind": "terms", "version": "2026-01"}, {"kind": "privacy", "version": "v3"}]

if PHASE == "a":
    # --- keys (admin): list without secrets, create (secret once), revoke ------------------------
    j = get("/v1/keys", "", A)
    check(j and len(j["items"]) >= 4 and not any("key" in k for k in j["items"]), "keys list")
    s, h, b = call("GET", "/v1/keys", ADV)
    check(s == 403, f"an advisor lists keys: {s}")
    body = {"role": "advisor", "user": ids["adv_code"]}
    j1, h1, b1 = post("/v1/keys", "", A, body, 201, idem="new-key-1")
    newkey = (j1 or {}).get("key") or ""
    check(re.fullmatch(r"ra_[0-9a-f]{16}_[0-9a-f]{64}", newkey) is not None, "the new key's form")
    j2, h2, b2 = post("/v1/keys", "", A, body, 201, idem="new-key-1")
    check(j2 and j2["key"] is None and j2["code"] == j1["code"] and
          h2.get("Idempotent-Replayed") == "true", "a retried key creation shows no secret")
    s, h, b = call("GET", "/v1/firm", newkey)
    check(s == 200 and json.loads(b)["role"] == "advisor", f"the new key works: {s}")
    s, h, b = call("POST", "/v1/keys", A, {"role": "boss", "user": "a b", "x": 1})
    check(s == 422 and problem_paths(b) == ["$.role", "$.user", "$.x"], f"bad key request {s} {b!r}")
    s, h, b = call("POST", "/v1/keys", A, {"role": "advisor", "user": "NOBODY"})
    check(s == 422 and problem_paths(b) == ["$.user"], f"a key for no advisor: {s} {b!r}")
    j, h, b = post("/v1/keys/{id}/revoke", j1["code"], A, None, 200)
    check(j and j["revoked_at"] > 0, "revoked")
    s, h, b = call("GET", "/v1/firm", newkey)
    check(s == 401, f"a revoked key: {s}")
    s, h, b = call("POST", f"/v1/keys/{j1['code']}/revoke", A, None)
    check(s == 409, f"revoked twice: {s}")
    as_missing("POST", "/v1/keys/{id}/revoke", "0123456789abcdef", A)
    s, h, b = call("POST", "/v1/keys", A, {"role": "admin"}, idem=False)
    check(s == 400 and problem_paths(b) == ["header.Idempotency-Key"], f"no Idempotency-Key: {s}")

    # --- advisors: the admin sees all, an advisor themselves ---------------------------------
    items, pages = walk("/v1/advisors", A, 1)
    codes = [i["code"] for i in items]
    check(ids["adv_code"] in codes and ids["other_adv"] in codes and pages == len(codes) and
          codes == sorted(codes), f"advisors walked one by one: {codes}")
    j = get("/v1/advisors", "", ADV)
    check(j and [i["code"] for i in j["items"]] == [ids["adv_code"]], "an advisor lists others")
    j = get("/v1/advisors/{id}", ids["adv_code"], ADV)
    check(j and j["clients"] >= 1, "an advisor's clients")
    as_missing("GET", "/v1/advisors/{id}", ids["other_adv"], ADV)
    s, h, b = call("GET", "/v1/advisors", CLI)
    check(s == 403, f"a client lists advisors: {s}")

    # --- households ----------------------------------------------------------------------------
    own_hh = json.loads(call("GET", f"/v1/clients/{ids['client_code']}", A)[2])["household"]
    f_hh = json.loads(call("GET", f"/v1/clients/{ids['foreign_client']}", A)[2])["household"]
    j = get("/v1/households/{id}", own_hh, ADV)
    check(j and ids["client_code"] in j["clients"], "a household's clients")
    j = get("/v1/households", "", ADV)
    check(j and own_hh in [i["code"] for i in j["items"]] and
          (f_hh == own_hh or f_hh not in [i["code"] for i in j["items"]]), "households in scope")
    if f_hh != own_hh:
        as_missing("GET", "/v1/households/{id}", f_hh, ADV)
    j = get("/v1/households", "", CLI)
    check(j and [i["code"] for i in j["items"]] == [own_hh], "a client's household")

    # --- onboarding with consents --------------------------------------------------------------
    rq = {"onboarding": onboarding(NEWC, ids["adv_code"]), "date": "2019-12-11",
          "consents": CONSENTS}
    j1, h1, b1 = post("/v1/clients", "", ADV, rq, 201, idem="onboard-1")
    check(j1 and j1["client"] == NEWC and j1["created"] is True and
          j1["profile"]["level"] in ("C1", "C2", "C3", "C4", "C5") and
          [(c["kind"], c["version"]) for c in j1["consents"]] == [("terms", "2026-01"), ("privacy", "v3")] and
          j1["accounts"][0]["code"] == NEWC + "-1", f"onboarded: {b1[:300]!r}")
    check(b"Zebulon" not in b1 and b"999-88" not in b1, "the onboarding's answer echoes personal data")
    j2, h2, b2 = post("/v1/clients", "", ADV, rq, 201, idem="onboard-1")
    check(b2 == b1 and h2.get("Idempotent-Replayed") == "true", "onboarding retried")
    bad_rq = dict(rq, onboarding=onboarding("RX000002", ids["other_adv"]))
    s, h, b = call("POST", "/v1/clients", ADV, bad_rq)
    check(s == 422 and problem_paths(b) == ["$.onboarding.client.advisor"], f"for another advisor: {s} {b!r}")
    s, h, b = call("POST", "/v1/clients", ADV,
                   dict(rq, onboarding=onboarding(ids["foreign_client"], ids["adv_code"])))
    s2, h2, b2 = call("GET", "/v1/clients/NO-SUCH-ID", ADV)
    check(s == 404 and b == b2, f"another advisor's client re-onboarded: {s} {b[:200]!r}")
    s, h, b = call("POST", "/v1/clients", ADV, {"onboarding": {"client": {}}, "consents": CONSENTS})
    check(s == 422 and all(p.startswith("$.onboarding") for p in problem_paths(b)) and
          b"Zebulon" not in b, f"a bad document: {s} {b[:200]!r}")
    s, h, b = call("POST", "/v1/clients", ADV, {"onboarding": rq["onboarding"],
                                                "consents": [{"kind": "terms"}], "date": "x"})
    check(s == 422 and problem_paths(b) == ["$.consents[0]", "$.date"], f"bad consents: {s} {b!r}")
    s, h, b = call("POST", "/v1/clients", CLI, rq)
    check(s == 403, f"a client onboards: {s}")

    # --- personal data ---------------------------------------------------------------------------
    j = get("/v1/clients/{id}/personal", NEWC, ADV)
    check(j and j["name"] == "Zebulon Quixote" and j["birth_year"] == 1961 and
          j["erased"] is False and len(j["consents"]) == 2, f"personal data: {j}")
    as_missing("GET", "/v1/clients/{id}/personal", ids["foreign_client"], ADV)
    as_missing("GET", "/v1/clients/{id}/personal", NEWC, CLI)
    j = get("/v1/clients/{id}/personal", ids["foreign_client"], A)
    open(os.path.join(WORK, "foreign_name.txt"), "w").write(j["name"] if j else "")
    check(j and len(j["name"]) >= 3, "the foreign client has a name")

    # --- comments ------------------------------------------------------------------------------
    j1, h1, b1 = post("/v1/proposals/{id}/comments", ids["pending"], ADV,
                      {"body": "client asked to wait until January"}, 201, idem="c-1")
    j2, h2, b2 = post("/v1/proposals/{id}/comments", ids["pending"], ADV,
                      {"body": "client asked to wait until January"}, 201, idem="c-1")
    check(j1 and j2 and j1["n"] == 1 and j2["n"] == 1 and j1["body"] and j2["body"] is None and
          h2.get("Idempotent-Replayed") == "true", "a comment retried: its text is not kept")
    post("/v1/proposals/{id}/comments", ids["pending"], A, {"body": "seen"}, 201)
    j = get("/v1/proposals/{id}/comments", ids["pending"], ADV)
    check(j and [(c["n"], c["body"]) for c in j["items"]] ==
          [(1, "client asked to wait until January"), (2, "seen")], f"comments: {j}")
    items, pages = walk(f"/v1/proposals/{ids['pending']}/comments", ADV, 1)
    check(len(items) == 2 and pages == 2, "comments page by page")
    as_missing("GET", "/v1/proposals/{id}/comments", ids["foreign_pending"], ADV)
    as_missing("POST", "/v1/proposals/{id}/comments", ids["foreign_pending"], ADV, {"body": "x"})
    s, h, b = call("POST", f"/v1/proposals/{ids['pending']}/comments", ADV, {"body": ""})
    check(s == 422 and problem_paths(b) == ["$.body"], f"an empty comment: {s}")
    s, h, b = call("POST", f"/v1/proposals/{ids['pending']}/comments", ADV, {"body": "y" * 300})
    check(s == 422 and problem_paths(b) == ["$.body"] and b"yyy" not in b, f"a long comment: {s}")
    s, h, b = call("GET", f"/v1/proposals/{ids['pending']}/comments", CLI)
    check(s == 403, f"a client reads comments: {s}")
    # the foreign client's proposal gets a comment from the admin: it is erased with the client
    post("/v1/proposals/{id}/comments", ids["foreign_pending"], A, {"body": "Zebulon called"}, 201)

    # --- mandates, fills -----------------------------------------------------------------------
    j = get("/v1/accounts/{id}/mandates", ids["account"], CLI)
    check(j and j["items"] and j["items"][0]["version"] == 1 and "drift_band" in j["items"][0]["mandate"],
          "mandate versions")
    as_missing("GET", "/v1/accounts/{id}/mandates", ids["foreign_account"], ADV)
    j = get("/v1/orders/{id}/fills", ids["order"], ADV)
    orders, _ = walk("/v1/orders", A, 500)
    o = [x for x in orders if x["id"] == ids["order"]][0]
    filled = sum(round(float(f["qty"]) * 1e6) for f in (j or {"items": []})["items"])
    check(j is not None and filled == round(float(o["filled"]) * 1e6) and
          all(f["order"] == o["id"] for f in j["items"]), f"fills {filled} against the order's {o['filled']}")
    as_missing("GET", "/v1/orders/{id}/fills", ids["foreign_order"], ADV)

    # --- saved goal plans (srv_routes_plans.c) ----------------------------------------------------
    # zero volatility: every percentile of year y is the annuity 1000 * 1.06^y + 100 * (1.06^y - 1)
    # / (1.06^(1/12) - 1), the closed form the plan computation's own tests use
    # (tests/unit/test_plan.c test_plan_zero_volatility_is_annuity, tests/cli/test_plan.sh)
    PC = ids["client_code"]
    prq = {"goal": "20000.00", "years": 10, "monthly": "100.00", "initial": "1000.00", "mu": 0.06,
           "sigma": 0, "paths": 20, "label": "sea house"}
    j1, h1, b1 = post("/v1/clients/{id}/plans", PC, ADV, prq, 201, idem="plan-1")
    q12 = 1.06 ** (1 / 12)
    ann = [1000 * 1.06 ** y + 100 * (1.06 ** y - 1) / (q12 - 1) for y in range(1, 11)]
    rows = (j1 or {}).get("paths_by_year", [])
    check(len(rows) == 10 and all(abs(float(r[k]) - ann[r["year"] - 1]) <= 0.005 for r in rows
                                   for k in ("p5", "p25", "p50", "p75", "p95")),
          f"a zero-volatility plan is the annuity: {rows[:2]} against {ann[:2]}")
    check(j1 and j1["probability"] == 0 and j1["paths_reaching_goal"] == 0 and
          j1["source"] == "given" and j1["cash_rate"] is None and j1["label"] == "sea house" and
          j1["latest"] is True and
          abs(float(j1["mean"]) - 18038.19) <= 0.005 and j1["percentiles"]["p50"] == rows[-1]["p50"],
          f"the annuity plan: {b1[:300]!r}")
    j2, h2, b2 = post("/v1/clients/{id}/plans", PC, ADV, prq, 201, idem="plan-1")
    check(j2 and j1 and j2["id"] == j1["id"] and j2["label"] is None and
          h2.get("Idempotent-Replayed") == "true", "a plan retried: not run twice, its label not kept")
    # on the account's model: its expected return (in excess of cash: equilibrium returns) plus
    # the firm's cash rate the shell set, 0.0125, and its volatility (the shell checks mu to the bit
    # against `models show` and reruns the plan with `plan`)
    j3, h3, b3 = post("/v1/clients/{id}/plans", PC, A, {"goal": "500000.00", "years": 5,
                                                          "monthly": "1000.00", "paths": 2000,
                                                          "seed": 7}, 201)
    check(j3 and j3["source"] == "model+cash" and j3["cash_rate"] == 0.0125 and j3["model"] and
          j3["risk_level"] in ("R1", "R2", "R3", "R4", "R5") and j3["as_of"] == "2019-12-11" and
          j3["data_to"] is not None and 0 <= j3["probability"] <= 1, f"a plan on the model: {b3[:300]!r}")
    open(os.path.join(WORK, "plan_model.json"), "w").write(json.dumps(j3 or {}))
    items, pages = walk(f"/v1/clients/{PC}/plans", ADV, 1)
    check([i["id"] for i in items] == [j1["id"], j3["id"]] and pages == 2 and
          [i["latest"] for i in items] == [False, True], f"plans page by page: {items[:1]}")
    j = get("/v1/plans/{id}", j1["id"], CLI)  # the client's own
    check(j and j["label"] == "sea house" and j["latest"] is False and j["paths_by_year"] == rows,
          "a plan shown to its client, as saved")
    get("/v1/clients/{id}/plans", PC, CLI)
    # scoping: another advisor's client or plan is 404 as a missing one; a client sees its own only
    jf, hf, bf = post("/v1/clients/{id}/plans", ids["foreign_client"], A,
                      {"goal": "100.00", "years": 1, "mu": 0, "sigma": 0, "initial": "1.00"}, 201)
    fplan = (jf or {}).get("id", "")
    as_missing("GET", "/v1/plans/{id}", fplan, ADV)
    as_missing("GET", "/v1/plans/{id}", fplan, CLI)
    as_missing("GET", "/v1/clients/{id}/plans", ids["foreign_client"], ADV)
    as_missing("POST", "/v1/clients/{id}/plans", ids["foreign_client"], ADV, prq)
    s, h, b = call("POST", f"/v1/clients/{PC}/plans", CLI, prq)
    check(s == 403, f"a client saves a plan: {s}")
    s, h, b = call("GET", f"/v1/plans/{j1['id']}", AUD)
    check(s == 403, f"an auditor reads a plan: {s}")
    # problems with JSON paths, never a value
    s, h, b = call("POST", f"/v1/clients/{PC}/plans", ADV, {"goal": "abc", "years": 0, "mu": 7, "x": 1})
    check(s == 422 and problem_paths(b) == ["$.goal", "$.mu", "$.sigma", "$.x", "$.years"],
          f"a bad plan request: {s} {b[:300]!r}")
    s, h, b = call("POST", f"/v1/clients/{PC}/plans", ADV, {"goal": "1.234", "years": 1})
    check(s == 422 and problem_paths(b) == ["$.goal"], f"three decimals: {s} {b[:200]!r}")
    s, h, b = call("POST", f"/v1/clients/{PC}/plans", ADV,
                   {"goal": "100.00", "years": 1, "account": ids["foreign_account"]})
    check(s == 422 and problem_paths(b) == ["$.account"], f"another client's account: {s} {b[:200]!r}")
    s, h, b = call("POST", f"/v1/clients/{PC}/plans", ADV, {"goal": "100.00", "years": 1,
                                                           "label": "Zebulon" * 30})
    check(s == 422 and problem_paths(b) == ["$.label"] and b"Zebulon" not in b, f"a long label: {s}")
    # the onboarded client's plan: its label goes with the erasure (phase erase)
    jn, hn, bn = post("/v1/clients/{id}/plans", NEWC, ADV,
                      {"goal": "50000.00", "years": 3, "initial": "1000.00", "mu": 0.04,
                       "sigma": 0.1, "paths": 100, "label": "Zebulon's boat"}, 201)
    check(jn and jn["label"] == "Zebulon's boat", "a labelled plan")
    open(os.path.join(WORK, "plans.json"), "w").write(json.dumps({"new": jn, "foreign": fplan}))

    # --- audit records -------------------------------------------------------------------------
    items, pages = walk("/v1/audit/records", AUD, 97)
    seqs = [i["seq"] for i in items]
    s, h, b = call("GET", "/v1/audit", AUD)
    total = json.loads(b)["records"]
    check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and len(seqs) == total and pages >= 2,
          f"audit records {len(seqs)} in {pages} pages, the chain has {total}")
    check(any(i["entity"] == "plan" for i in items), "plans are audited")
    check(any(i["entity"] == "proposal_comment" for i in items) and
          any(i["entity"] == "consent" and i["entity_id"] == NEWC for i in items),
          "comments and consents are audited")
    get("/v1/audit/records", "", AUD, query="?limit=2")
    s, h, b = call("GET", "/v1/audit/records", ADV)
    check(s == 403, f"an advisor reads the audit records: {s}")

if PHASE == "erase":
    s, h, b = call("POST", f"/v1/clients/{NEWC}/erase", ADV, {"confirm": NEWC})
    check(s == 403, f"an advisor erases: {s}")
    s, h, b = call("POST", f"/v1/clients/{NEWC}/erase", A, {"confirm": "RX000009"})
    check(s == 422 and problem_paths(b) == ["$.confirm"], f"erase with another code: {s}")
    j, h, b = post("/v1/clients/{id}/erase", NEWC, A, {"confirm": NEWC}, 200)
    check(j and j["erased"] is True and j["already_erased"] is False, "erased")
    j = get("/v1/clients/{id}/personal", NEWC, ADV)
    check(j and j["erased"] is True and j["name"] is None and j["email"] is None and
          j["tax_id"] is None and j["address"] is None and j["birth_year"] is None and
          len(j["consents"]) == 2, f"personal data after erasure: {j}")
    j = get("/v1/clients/{id}", NEWC, ADV)
    check(j and j["accounts"] == [NEWC + "-1"], "the erased client's accounts stay")
    s, h, b = call("POST", "/v1/clients", ADV, {"onboarding": onboarding(NEWC, ids["adv_code"]),
                                                "consents": CONSENTS})
    check(s == 409, f"an erased client onboarded again: {s} {b[:200]!r}")
    j, h, b = post("/v1/clients/{id}/erase", NEWC, A, {"confirm": NEWC}, 200)
    check(j and j["already_erased"] is True, "erased twice")
    as_missing("POST", "/v1/clients/{id}/erase", "NO-SUCH-ID", A, {"confirm": "NO-SUCH-ID"})
    # the erased client's plan: its label unreadable, its figures as saved
    pl = json.load(open(os.path.join(WORK, "plans.json")))
    j = get("/v1/plans/{id}", pl["new"]["id"], ADV)
    check(j and j["erased"] is True and j["label"] is None and
          j["paths_by_year"] == pl["new"]["paths_by_year"] and
          j["probability"] == pl["new"]["probability"], f"a plan after the erasure: {j}")
    s, h, b = call("POST", f"/v1/clients/{NEWC}/plans", ADV,
                   {"goal": "1.00", "years": 1, "mu": 0, "sigma": 0, "label": "again"})
    check(s == 409 and b"again" not in b, f"a labelled plan for an erased client: {s}")
    s, h, b = call("GET", "/v1/audit", AUD)
    check(s == 200 and json.loads(b)["intact"] is True, f"the audit chain after the erasure: {b!r}")

if PHASE == "b":
    F2 = ids["f2admin"]
    # the other firm's admin: every object of DEMO is 404 exactly as a missing one
    for m, p, ident, body in [
            ("GET", "/v1/advisors/{id}", ids["adv_code"], None),
            ("GET", "/v1/households/{id}", "H-" + NEWC, None),
            ("GET", "/v1/clients/{id}/personal", ids["client_code"], None),
            ("POST", "/v1/clients/{id}/erase", ids["client_code"], {"confirm": ids["client_code"]}),
            ("GET", "/v1/accounts/{id}/mandates", ids["account"], None),
            ("GET", "/v1/orders/{id}/fills", ids["order"], None),
            ("GET", "/v1/proposals/{id}/comments", ids["pending"], None),
            ("POST", "/v1/proposals/{id}/comments", ids["pending"], {"body": "x"}),
            ("POST", "/v1/keys/{id}/revoke", ids["admin"][3:19], None)]:
        as_missing(m, p, ident, F2, body)
    pl = json.load(open(os.path.join(WORK, "plans.json")))
    for m, p, ident, body in [("GET", "/v1/plans/{id}", pl["new"]["id"], None),
                              ("GET", "/v1/clients/{id}/plans", ids["client_code"], None),
                              ("POST", "/v1/clients/{id}/plans", ids["client_code"],
                               {"goal": "1.00", "years": 1, "mu": 0, "sigma": 0})]:
        as_missing(m, p, ident, F2, body)
    for p in ("/v1/keys", "/v1/advisors", "/v1/households", "/v1/audit/records"):
        items, _ = walk(p, F2, 500)
        blob = json.dumps(items)
        check(ids["adv_code"] not in blob and ids["client_code"] not in blob and
              ids["admin"][3:19] not in blob and "proposal" not in blob,
              f"{p} shows another firm's data")
    s, h, b = call("GET", "/v1/firm", A)
    check(s == 200, "DEMO's admin key survived the other firm's revoke attempt")
    # the comment on the erased client's proposal is erased with it
    j = get("/v1/proposals/{id}/comments", ids["foreign_pending"], A)
    check(j and j["items"] and all(c["erased"] is True and c["body"] is None for c in j["items"]),
          f"comments of an erased client: {j}")
    s, h, b = call("POST", f"/v1/proposals/{ids['foreign_pending']}/comments", A, {"body": "z"})
    check(s == 409, f"a comment for an erased client: {s}")
    s, h, b = call("GET", "/v1/audit", AUD)
    check(s == 200 and json.loads(b)["intact"] is True, f"the audit chain with two firms: {b!r}")
