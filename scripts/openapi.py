#!/usr/bin/env python3
"""Writes docs/openapi.json, the OpenAPI 3.1 document of the HTTP API (docs/api.md), from the
tables below. tests/cli/test_server.sh checks that the server answers exactly these routes and
that every answer has these shapes. Usage: scripts/openapi.py > docs/openapi.json"""
import json
import sys

STR = {"type": "string"}
NUM = {"type": "number"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
NNUM = {"type": ["number", "null"]}
DATE = NSTR  # YYYY-MM-DD or null
MONEY = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}  # decimal, account currency


def ref(n):
    return {"$ref": "#/components/schemas/" + n}


def obj(props, required=None):
    return {"type": "object", "required": sorted(props) if required is None else required,
            "properties": props, "additionalProperties": False}


def arr(items):
    return {"type": "array", "items": items}


def page(item):
    return obj({"items": arr(ref(item)), "next": NSTR})


S = {}
S["Problem"] = obj({"type": STR, "title": STR, "status": INT, "detail": STR,
                    "errors": arr(obj({"path": STR, "detail": STR}))},
                   ["type", "title", "status", "detail"])
S["Firm"] = obj({"code": STR, "name": STR, "currency": STR, "minor_digits": INT,
                 "role": {"enum": ["admin", "advisor", "client", "auditor"]}, "user": STR})
S["ClientRef"] = obj({"code": STR, "household": STR, "advisor": STR})
S["Client"] = obj({"code": STR, "household": STR, "advisor": STR, "accounts": arr(STR)})
S["AccountRef"] = obj({"code": STR, "client": STR, "advisor": STR})
S["Position"] = obj({"ticker": STR, "qty": STR, "price": NSTR, "price_date": DATE,
                     "value": MONEY, "weight": NUM, "target": NUM, "drift": NUM})
S["Account"] = obj({"code": STR, "client": STR, "advisor": STR, "date": DATE, "status": STR,
                    "currency": STR, "value": MONEY, "cash": MONEY, "drift": NUM,
                    "max_deviation": NUM, "positions": arr(ref("Position")),
                    "open_proposal": NSTR})
S["Lot"] = obj({"id": STR, "lot": INT, "ticker": STR, "acquired": DATE, "holding_from": DATE,
                "qty": STR, "cost": MONEY, "adjustment": MONEY})
S["Gains"] = obj({"account": STR, "sales": INT, "open_lots": INT, "proceeds": MONEY,
                  "cost": MONEY, "gain": MONEY, "disallowed": MONEY, "short_term": MONEY,
                  "long_term": MONEY, "open_cost": MONEY, "harvested": MONEY})
S["Instruction"] = obj({"code": STR, "account": STR, "kind": STR, "amount": MONEY, "due": DATE,
                        "source": STR, "paid": MONEY, "status": STR})
S["WithdrawalRequest"] = obj({"amount": MONEY, "due": {"type": "string", "format": "date"},
                              "note": STR}, ["amount"])
S["Withdrawal"] = obj({"code": STR, "account": STR, "currency": STR, "amount": MONEY,
                       "due": DATE, "status": STR})
S["DepositRequest"] = obj({"amount": MONEY, "date": {"type": "string", "format": "date"},
                           "reference": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"}},
                          ["amount", "reference"])
S["Deposit"] = obj({"account": STR, "external_id": STR, "currency": STR, "amount": MONEY,
                    "date": DATE, "new": BOOL})
S["Trade"] = obj({"n": INT, "ticker": STR, "side": {"enum": ["buy", "sell"]}, "qty": STR,
                  "value": MONEY, "reasons": arr(STR), "status": STR, "price": NSTR,
                  "price_date": DATE, "risk_level": INT, "gain_short": MONEY, "gain_long": MONEY})
summary = {"id": STR, "account": STR, "date": DATE, "status": STR, "discretionary": BOOL,
           "value": MONEY, "drift_before": NUM, "drift_after": NUM, "decided_by": STR,
           "n_trades": INT}
S["ProposalSummary"] = obj(summary)
full = dict(summary, trades=arr(ref("Trade")), decided_reason=STR, orders_made=INT)
S["Proposal"] = obj(full, sorted(set(full) - {"orders_made"}))
S["DecisionRequest"] = obj({"reason": {"type": "string", "minLength": 1},
                            "trades": arr({"type": "integer", "minimum": 1})}, ["reason"])
S["Order"] = obj({"id": STR, "account": STR, "proposal": STR, "trade": INT, "date": DATE,
                  "ticker": STR, "side": {"enum": ["buy", "sell"]}, "qty": STR, "filled": STR,
                  "status": STR})
S["Notification"] = obj({"code": STR, "account": STR, "date": DATE, "recipient": STR,
                         "kind": STR, "message": STR, "due_at": INT})
S["Model"] = obj({"code": STR, "version": INT, "level": INT, "method": STR,
                  "expected_return": NNUM, "return_over_cash": BOOL, "volatility": NNUM,
                  "equity_share": NUM,
                  "weights": arr(obj({"ticker": STR, "weight": NUM}))})
S["Alert"] = obj({"id": STR, "account": STR, "kind": STR, "date": DATE, "closed": DATE,
                  "observed": NUM, "threshold": NUM, "detail": STR})
S["Suspension"] = obj({"id": STR, "account": STR, "date": DATE, "kind": STR, "loss_limit": NUM,
                       "entrusted": MONEY, "value": MONEY, "loss": MONEY, "suspended": BOOL,
                       "reauthorised_by": STR, "reauthorised_at": INT})
S["NoteRequest"] = obj({"note": {"type": "string", "minLength": 1}})
S["Reauthorisation"] = obj({"account": STR, "date": DATE, "reauthorised_by": STR,
                            "suspended": BOOL})
S["AuditState"] = obj({"intact": BOOL, "records": INT, "first_bad": INT})
# the console's reads (src/server/srv_routes_console.c)
S["QueueAccount"] = obj({"code": STR, "date": DATE, "value": {"anyOf": [MONEY, {"type": "null"}]},
                         "drift": NNUM, "risk_level": INT, "alerts": INT,
                         "pending": arr(obj({"id": STR, "status": STR, "date": DATE}))})
S["QueueItem"] = obj({"client": STR, "household": STR, "advisor": STR, "tier": STR,
                      "risk_level": INT, "drift": NNUM, "alerts": INT, "pending": INT,
                      "accounts": arr(ref("QueueAccount"))})
S["Values"] = obj({"account": STR, "currency": STR, "model": STR, "items": arr(obj({
    "date": DATE, "value": MONEY, "flow": MONEY, "drift": NNUM, "cumulative": NUM,
    "model_cumulative": NNUM}))})
for n in ["QueueItem", "ClientRef", "AccountRef", "Instruction", "ProposalSummary", "Order", "Notification",
          "Model", "Alert", "Suspension", "Lot"]:
    S[n + "Page"] = page(n)

# the further resources (src/server/srv_routes_resources.c)
S["Key"] = obj({"code": STR, "role": {"enum": ["admin", "advisor", "client", "auditor"]},
                "user": STR, "created_by": STR, "created_at": INT, "expires_at": INT,
                "revoked_at": INT})
S["NewKey"] = obj(dict(S["Key"]["properties"], key=NSTR))
S["KeyRequest"] = obj({"role": {"enum": ["admin", "advisor", "client", "auditor"]},
                       "user": STR, "expires": {"type": "string", "format": "date"}}, ["role"])
S["Advisor"] = obj({"code": STR, "name": STR, "email": STR, "clients": INT})
S["Household"] = obj({"code": STR, "clients": arr(STR)})
CODE = {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"}
S["OnboardRequest"] = obj({"onboarding": {"type": "object", "description": "the onboarding "
                                          "document of 'roboadvisor onboard --client' "
                                          "(docs/formats.md)"},
                           "date": {"type": "string", "format": "date"},
                           "consents": {"type": "array", "minItems": 1, "maxItems": 8,
                                        "items": obj({"kind": CODE, "version": CODE})}},
                          ["onboarding", "consents"])
S["Consent"] = obj({"kind": STR, "version": STR, "accepted_on": DATE, "recorded_by": STR})
S["Onboarded"] = obj({"client": STR, "created": BOOL,
                      "profile": obj({"questionnaire": STR, "version": INT, "level": STR,
                                      "tolerance_score": NUM, "capacity_score": NUM,
                                      "needs_review": BOOL, "taken": DATE, "expires": DATE}),
                      "accounts": arr(obj({"code": STR, "model": NSTR})),
                      "consents": arr(ref("Consent"))})
NINT = {"type": ["integer", "null"]}
S["Personal"] = obj({"code": STR, "erased": BOOL, "name": NSTR, "email": NSTR, "tax_id": NSTR,
                     "address": NSTR, "birth_year": NINT, "consents": arr(ref("Consent"))})
S["EraseRequest"] = obj({"confirm": CODE})
S["Erased"] = obj({"client": STR, "erased": BOOL, "already_erased": BOOL})
S["Mandate"] = obj({"id": STR, "version": INT, "effective": DATE, "user": STR, "reason": STR,
                    "at": INT, "mandate": {"type": "object",
                                           "additionalProperties": {"type": "string"}}})
S["Fill"] = obj({"id": STR, "order": STR, "date": DATE, "qty": STR, "price": STR,
                 "amount": MONEY, "fees": MONEY})
S["Comment"] = obj({"id": STR, "n": INT, "author": STR, "body": NSTR, "at": INT,
                    "erased": BOOL})
S["CommentRequest"] = obj({"body": {"type": "string", "minLength": 1, "maxLength": 255}})
S["AuditRecord"] = obj({"id": STR, "seq": INT, "at": INT, "user": STR, "action": STR,
                        "entity": STR, "entity_id": STR, "hash": STR})
# a client's saved goal plans (srv_routes_plans.c; docs/cli.md#plans for the fields)
PCT = obj({"p5": MONEY, "p25": MONEY, "p50": MONEY, "p75": MONEY, "p95": MONEY})
S["Plan"] = obj({"id": STR, "client": STR, "account": NSTR, "currency": STR, "label": NSTR,
                 "erased": BOOL, "goal": MONEY, "initial": MONEY, "monthly": MONEY, "years": INT,
                 "method": STR, "source": {"enum": ["model", "model+cash", "given"]},
                 "model": NSTR, "model_version": NINT, "risk_level": NSTR, "mu": NUM,
                 "sigma": NUM, "cash_rate": NNUM,
                 "data_from": DATE, "data_to": DATE, "as_of": DATE, "paths": INT, "seed": INT,
                 "probability": NUM, "paths_reaching_goal": INT, "mean": MONEY,
                 "percentiles": PCT,
                 "paths_by_year": arr(obj({"year": INT, "p5": MONEY, "p25": MONEY, "p50": MONEY,
                                           "p75": MONEY, "p95": MONEY})),
                 "created_by": STR, "created_at": INT, "latest": BOOL})
S["PlanRequest"] = obj({"goal": MONEY, "years": {"type": "integer", "minimum": 1, "maximum": 100},
                        "monthly": MONEY, "initial": MONEY, "account": CODE,
                        "mu": {"type": "number", "exclusiveMinimum": -1, "maximum": 1},
                        "sigma": {"type": "number", "minimum": 0, "maximum": 2},
                        "paths": {"type": "integer", "minimum": 1, "maximum": 100000},
                        "seed": {"type": "integer", "minimum": 0},
                        "label": {"type": "string", "maxLength": 127}}, ["goal", "years"])
for n in ["Key", "Advisor", "Household", "Mandate", "Fill", "Comment", "AuditRecord", "Plan"]:
    S[n + "Page"] = page(n)

PROBLEM = {"description": "a problem (RFC 9457)",
           "content": {"application/problem+json": {"schema": ref("Problem")}}}
ID = [{"name": "id", "in": "path", "required": True, "schema": STR}]
LIST = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                      "maximum": 500}},
        {"name": "cursor", "in": "query", "schema": STR}]
IDEM = [{"name": "Idempotency-Key", "in": "header", "required": True,
         "schema": {"type": "string", "minLength": 1, "maxLength": 128}}]


def op(summary, schema, params=(), body=None, code=200):
    responses = {str(code): {"description": "OK", "content": {
        "application/json": {"schema": ref(schema)}}}}
    for c in ("401", "403", "404", "422", "429", "500", "503"):
        responses[c] = PROBLEM
    o = {"summary": summary, "parameters": list(params), "responses": responses}
    if body:
        o["requestBody"] = {"required": True,
                            "content": {"application/json": {"schema": ref(body)}}}
        for c in ("400", "409", "413"):
            responses[c] = PROBLEM
        o["parameters"] += IDEM
    return o


# The client statement (docs/cli.md#report): JSON, PDF or HTML (srv_routes_statements.c).
S["Statement"] = {"type": "object", "description": "the statement as `report statement --format "
                                                   "json` writes it (docs/cli.md#report)"}
STATEMENT = op("an account's client statement for a period (JSON, PDF or HTML; en or zh-CN)",
               "Statement", ID + [
                   {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                   {"name": "to", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                   {"name": "format", "in": "query", "schema": {"enum": ["json", "pdf", "html"]}},
                   {"name": "lang", "in": "query", "schema": {"enum": ["en", "zh-CN"]}}])
STATEMENT["responses"]["200"]["content"].update({
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": STR}})

# A deposit: 201 when booked; 200 when this reference was already booked with the same amount
# and date (nothing new: "new" is false); 409 when it was booked with different ones.
DEPOSIT = op("book a deposit received (admin)", "Deposit", ID, "DepositRequest", 201)
DEPOSIT["responses"]["200"] = {"description": "already booked under this reference: nothing new",
                               "content": {"application/json": {"schema": ref("Deposit")}}}

P = {
    "/v1/openapi.json": {"get": {"summary": "this document", "security": [], "responses": {
        "200": {"description": "the OpenAPI document",
                "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (serve on loopback)", "security": [],
                         "responses": {"200": {"description": "metrics", "content": {
                             "text/plain": {"schema": STR}}}}}},
    "/v1/health": {"get": {"summary": "the server is up (no key; a fixed answer)",
                           "security": [], "responses": {"200": {
                               "description": "up", "content": {"application/json": {
                                   "schema": obj({"status": {"const": "ok"}})}}}}}},
    "/v1/firm": {"get": op("the caller's firm and role", "Firm")},
    "/v1/clients": {"get": op("clients in the caller's scope", "ClientRefPage", LIST)},
    "/v1/clients/{id}": {"get": op("a client and its accounts", "Client", ID)},
    "/v1/accounts": {"get": op("accounts in the caller's scope", "AccountRefPage", LIST)},
    "/v1/accounts/{id}": {"get": op("an account's value, cash and positions against its target",
                                    "Account", ID)},
    "/v1/accounts/{id}/lots": {"get": op("an account's open tax lots", "LotPage", ID + LIST)},
    "/v1/accounts/{id}/gains": {"get": op("an account's realised gains (wash sales across the "
                                          "household)", "Gains", ID)},
    "/v1/accounts/{id}/statement": {"get": STATEMENT},
    "/v1/accounts/{id}/instructions": {"get": op("an account's withdrawal instructions",
                                                 "InstructionPage", ID + LIST)},
    "/v1/accounts/{id}/withdrawals": {"post": op("instruct a withdrawal (the cycle pays it)",
                                                 "Withdrawal", ID, "WithdrawalRequest", 201)},
    "/v1/accounts/{id}/deposits": {"post": DEPOSIT},
    "/v1/accounts/{id}/reauthorise": {"post": op("record the client's re-authorisation of a "
                                                 "suspended account", "Reauthorisation", ID,
                                                 "NoteRequest")},
    "/v1/proposals": {"get": op("proposals of the accounts in scope", "ProposalSummaryPage",
                                LIST)},
    "/v1/proposals/{id}": {"get": op("a proposal with its trades", "Proposal", ID)},
    "/v1/proposals/{id}/approve": {"post": op("approve a pending proposal (all trades or those "
                                              "listed)", "Proposal", ID, "DecisionRequest")},
    "/v1/proposals/{id}/reject": {"post": op("reject a pending proposal (all trades or those "
                                             "listed)", "Proposal", ID, "DecisionRequest")},
    "/v1/orders": {"get": op("orders of the accounts in scope", "OrderPage", LIST)},
    "/v1/notifications": {"get": op("notifications of the accounts in scope",
                                    "NotificationPage", LIST)},
    "/v1/alerts": {"get": op("behaviour alerts of the accounts in scope", "AlertPage", LIST)},
    "/v1/suspensions": {"get": op("suspensions and re-authorisations of the accounts in scope",
                                  "SuspensionPage", LIST)},
    "/v1/models": {"get": op("the firm's model portfolios (latest versions)", "ModelPage",
                             LIST)},
    "/v1/queue": {"get": op("the advisor's queue: clients in scope with tier, risk level, drift, "
                            "open alerts and proposals waiting for a decision", "QueueItemPage",
                            LIST)},
    "/v1/accounts/{id}/values": {"get": op("an account's daily values and cumulative "
                                           "time-weighted return against its model's",
                                           "Values", ID)},
    "/v1/audit": {"get": op("the audit chain and the book verified against it", "AuditState")},
    "/v1/audit/records": {"get": op("the firm's audit records in chain order (admin, auditor)",
                                    "AuditRecordPage", LIST)},
    "/v1/keys": {"get": op("the firm's API keys (admin; never a secret)", "KeyPage", LIST),
                 "post": op("create a key: the secret is in this answer only (admin)", "NewKey",
                            (), "KeyRequest", 201)},
    "/v1/keys/{id}/revoke": {"post": op("revoke a key (admin; no body)", "Key", ID)},
    "/v1/advisors": {"get": op("the firm's advisors (an advisor: themselves)", "AdvisorPage",
                               LIST)},
    "/v1/advisors/{id}": {"get": op("an advisor", "Advisor", ID)},
    "/v1/households": {"get": op("households of the clients in scope", "HouseholdPage", LIST)},
    "/v1/households/{id}": {"get": op("a household and its clients in scope", "Household", ID)},
    "/v1/clients/{id}/personal": {"get": op("a client's personal data and consents (null once "
                                            "erased)", "Personal", ID)},
    "/v1/clients/{id}/erase": {"post": op("erase a client: its data key destroyed (admin)",
                                          "Erased", ID, "EraseRequest")},
    "/v1/accounts/{id}/mandates": {"get": op("an account's mandate, version by version",
                                             "MandatePage", ID + LIST)},
    "/v1/orders/{id}/fills": {"get": op("an order's fills", "FillPage", ID + LIST)},
    "/v1/proposals/{id}/comments": {
        "get": op("comments on a proposal", "CommentPage", ID + LIST),
        "post": op("comment on a proposal", "Comment", ID, "CommentRequest", 201)},
    "/v1/clients/{id}/plans": {
        "get": op("a client's saved goal plans, oldest first (the latest marked)", "PlanPage",
                  ID + LIST),
        "post": op("run a goal plan on the client's account and save it", "Plan", ID,
                   "PlanRequest", 201)},
    "/v1/plans/{id}": {"get": op("a saved goal plan with its results", "Plan", ID)},
}
for c in ("400", "409", "413"):  # a POST without a body still takes an Idempotency-Key
    P["/v1/keys/{id}/revoke"]["post"]["responses"][c] = PROBLEM
P["/v1/keys/{id}/revoke"]["post"]["parameters"] += IDEM
P["/v1/clients"]["post"] = op("onboard a client: questionnaire answers, profile, accounts, "
                              "consents", "Onboarded", (), "OnboardRequest", 201)

doc = {"openapi": "3.1.0",
       "info": {"title": "roboadvisor API", "version": "1.0.0",
                "description": "See docs/api.md: keys and roles, errors, pagination, "
                               "idempotency."},
       "servers": [{"url": "http://127.0.0.1:8080"}],
       "security": [{"bearer": []}],
       "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                      "schemas": S},
       "paths": P}
json.dump(doc, sys.stdout, indent=1)
sys.stdout.write("\n")
