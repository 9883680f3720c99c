/* The advisor console: a single page over the JSON API (docs/api.md). The key the user signs in
 * with stays in sessionStorage (this tab only) and goes out as Authorization: Bearer on /v1
 * calls to this server; nothing is fetched from elsewhere (the page's Content-Security-Policy
 * forbids it). Pages, by the address's hash: #/queue, #/proposal/ID, #/account/CODE, #/plan/ID
 * (a client's saved goal plan; the account's page shows its client's latest). The DOM is
 * built with textContent only (no HTML from data); charts are drawn here in SVG. */
"use strict";
(function () {
  const CAT = window.RA_I18N;
  const SVG = "http://www.w3.org/2000/svg";
  const store = window.sessionStorage;
  let lang = store.getItem("ra.lang") || ((navigator.language || "").startsWith("zh") ? "zh" : "en");
  let firm = null; /* GET /v1/firm of the signed-in key */
  let gen = 0;      /* counts the pages asked for: an answer for an older one is dropped */

  function t(key, vars) {
    let s = (CAT[lang] && CAT[lang][key]) || CAT.en[key] || key;
    if (vars) for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  }

  /* h("div", {class: "x", onclick: f}, child, "text", ...): an element */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false)
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }
  function s(tag, attrs, ...kids) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    for (const c of kids.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }

  /* --- formats ------------------------------------------------------------------------------ */
  function money(str, cur) {
    if (str === null || str === undefined) return "—";
    const neg = str.startsWith("-"), [w, f] = (neg ? str.slice(1) : str).split(".");
    const grouped = w.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "−" : "") + grouped + (f ? "." + f : "") + (cur ? " " + cur : "");
  }
  function pct(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return "—";
    return (x * 100).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function qty(str) { return str ? str.replace(/\.?0+$/, "") || "0" : "—"; }
  function statusBadge(st) {
    return h("span", {class: "badge st-" + st, "data-status": st}, t("status." + st));
  }
  function riskBadge(level) {
    return level ? h("span", {class: "risk r" + level, title: t("col.risk")}, "C" + level) : "—";
  }
  function driftCell(x) {
    const m = Math.abs(x);
    const cls = x === null ? "" : m >= 0.10 ? "hot" : m >= 0.05 ? "warm" : "cool";
    return h("span", {class: "drift " + cls}, pct(x));
  }
  const cur = () => (firm ? firm.currency : "");

  /* --- the API ------------------------------------------------------------------------------ */
  function key() { return store.getItem("ra.key"); }
  function idemKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  async function api(path, method, body) {
    const headers = {Authorization: "Bearer " + key(), Accept: "application/json"};
    const init = {method: method || "GET", headers, cache: "no-store"};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = idemKey();
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    if (r.status === 401 && path !== "/v1/firm") { signOut(); throw new Error("unauthorised"); }
    if (!r.ok) {
      const err = new Error((j && j.detail) || r.statusText);
      err.status = r.status;
      err.problem = j;
      throw err;
    }
    return j;
  }
  /* every page of a list (the console's lists are small: a page of 500 is most of them) */
  async function all(path) {
    let items = [], next = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const j = await api(path + sep + "limit=500" + (next ? "&cursor=" + encodeURIComponent(next) : ""));
      items = items.concat(j.items);
      next = j.next;
    } while (next);
    return items;
  }

  /* --- frame -------------------------------------------------------------------------------- */
  const main = () => document.getElementById("main");
  function show(...nodes) { main().replaceChildren(...nodes.filter(Boolean)); window.scrollTo(0, 0); }
  function failure(e) {
    const msg = e.status === 404 ? t("err.notfound") : e.status === 403 ? t("err.forbidden")
      : t("err.generic", {detail: e.message});
    return h("div", {class: "notice error", role: "alert"}, msg);
  }
  function applyStatic() {
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    document.title = "roboadvisor · " + t("app.title");
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    document.getElementById("lang").value = lang;
    const who = document.getElementById("who");
    who.hidden = !firm;
    document.getElementById("signout").hidden = !firm;
    if (firm) {
      document.getElementById("who-firm").textContent = firm.name || firm.code;
      document.getElementById("who-role").textContent = t("role." + firm.role);
      document.getElementById("who-user").textContent = firm.user;
    }
  }
  function signOut() {
    store.removeItem("ra.key");
    firm = null;
    location.hash = "#/signin";
    route();
  }
  function tiles(list) {
    return h("div", {class: "tiles"}, list.map(([label, value, extra]) =>
      h("div", {class: "tile"}, h("div", {class: "tile-label"}, label),
        h("div", {class: "tile-value"}, value), extra ? h("div", {class: "tile-extra muted"}, extra) : null)));
  }
  function table(cls, heads, rows, testid) {
    return h("div", {class: "table-wrap"}, h("table", {class: cls, "data-testid": testid},
      h("thead", null, h("tr", null, heads.map((x) => h("th", {class: x[1] || null}, x[0])))),
      h("tbody", null, rows)));
  }
  function card(title, ...body) {
    return h("section", {class: "card"}, title ? h("h2", null, title) : null, ...body);
  }

  /* --- sign in ------------------------------------------------------------------------------ */
  function viewSignIn(message) {
    const input = h("input", {type: "password", id: "key", name: "key", autocomplete: "off",
      spellcheck: "false", placeholder: "ra_…", "data-testid": "key", required: true});
    const form = h("form", {class: "signin card", onsubmit: async (ev) => {
      ev.preventDefault();
      store.setItem("ra.key", input.value.trim());
      try {
        firm = await api("/v1/firm");
        location.hash = "#/queue";
        route();
      } catch (e) {
        store.removeItem("ra.key");
        viewSignIn(t("signin.bad", {detail: e.message}));
      }
    }},
      h("h1", null, t("signin.title")), h("p", {class: "muted"}, t("signin.lead")),
      h("label", {for: "key"}, t("signin.key")), input,
      message ? h("div", {class: "notice error", role: "alert"}, message) : null,
      h("button", {type: "submit", class: "primary", "data-testid": "signin"}, t("signin.submit")));
    applyStatic();
    show(h("div", {class: "center"}, form));
    input.focus();
  }

  /* --- the queue ---------------------------------------------------------------------------- */
  async function viewQueue() {
    const my = gen;
    show(h("p", {class: "muted"}, t("loading")));
    let items;
    try { items = await all("/v1/queue"); } catch (e) { return my === gen && show(failure(e)); }
    if (my !== gen) return;
    const urgency = (c) => [c.pending, c.alerts, c.drift || 0];
    items.sort((a, b) => {
      const x = urgency(a), y = urgency(b);
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i] - x[i];
      return a.client < b.client ? -1 : 1;
    });
    let pending = 0, alerts = 0, aum = 0;
    const waiting = [];
    for (const c of items) {
      pending += c.pending;
      alerts += c.alerts;
      for (const a of c.accounts) {
        aum += a.value ? Number(a.value) : 0;
        for (const p of a.pending) waiting.push({p, a, c});
      }
    }
    const rows = items.map((c) => h("tr", {"data-client": c.client},
      h("td", null, h("strong", null, c.client)), h("td", null, c.household),
      firm.role === "admin" ? h("td", null, c.advisor) : null,
      h("td", null, h("span", {class: "tier tier-" + c.tier}, t("tier." + c.tier))),
      h("td", null, riskBadge(c.risk_level)), h("td", {class: "num"}, driftCell(c.drift)),
      h("td", {class: "num"}, c.alerts ? h("span", {class: "count alert"}, c.alerts) : "0"),
      h("td", {class: "num"}, c.pending ? h("span", {class: "count pend"}, c.pending) : "0"),
      h("td", null, c.accounts.map((a) => h("a", {href: "#/account/" + a.code, class: "chip"}, a.code)))));
    const wrows = waiting.map(({p, a, c}) => h("tr", {"data-proposal": p.id},
      h("td", null, h("a", {href: "#/proposal/" + p.id}, p.id)), h("td", null, c.client),
      h("td", null, h("a", {href: "#/account/" + a.code}, a.code)), h("td", null, p.date),
      h("td", {class: "num"}, money(a.value, cur())), h("td", null, statusBadge(p.status)),
      h("td", null, h("a", {href: "#/proposal/" + p.id, class: "button small"}, t("pending.open")))));
    show(
      h("div", {class: "page-head"}, h("h1", null, t("queue.title")), h("p", {class: "muted"}, t("queue.lead"))),
      tiles([[t("queue.clients"), items.length], [t("queue.pending"), pending],
             [t("queue.alerts"), alerts], [t("queue.aum"), money(aum.toFixed(2), cur())]]),
      card(t("pending.title"), waiting.length
        ? table("grid", [[t("col.proposal")], [t("col.client")], [t("col.account")], [t("col.date")],
                          [t("col.value"), "num"], [t("col.status")], [""]], wrows, "pending")
        : h("p", {class: "muted"}, t("pending.none"))),
      card(t("queue.title"), items.length
        ? table("grid", [[t("col.client")], [t("col.household")],
                          firm.role === "admin" ? [t("col.advisor")] : null, [t("col.tier")],
                          [t("col.risk")], [t("col.drift"), "num"], [t("col.alerts"), "num"],
                          [t("col.pending"), "num"], [t("col.accounts")]].filter(Boolean), rows, "queue")
        : h("p", {class: "muted"}, t("queue.empty"))));
  }

  /* --- a proposal --------------------------------------------------------------------------- */
  async function viewProposal(id, done) {
    const my = gen;
    show(h("p", {class: "muted"}, t("loading")));
    let p;
    try { p = await api("/v1/proposals/" + encodeURIComponent(id)); } catch (e) { return my === gen && show(failure(e)); }
    if (my !== gen) return;
    const open = p.status === "pending";
    const boxes = [];
    const rows = p.trades.map((tr) => {
      const box = h("input", {type: "checkbox", checked: open && tr.status === "proposed",
        disabled: !open, "data-trade": tr.n, "aria-label": t("col.select") + " " + tr.n});
      boxes.push(box);
      const gain = Number(tr.gain_short) || Number(tr.gain_long)
        ? t("proposal.gain", {short: money(tr.gain_short), long: money(tr.gain_long)})
        : t("proposal.nogain");
      return h("tr", {"data-trade": tr.n},
        open ? h("td", null, box) : null, h("td", {class: "num"}, tr.n),
        h("td", null, h("span", {class: "side " + tr.side}, t("side." + tr.side))),
        h("td", null, h("strong", null, tr.ticker)), h("td", {class: "num"}, qty(tr.qty)),
        h("td", {class: "num"}, money(tr.price ? tr.price.replace(/0{1,4}$/, "") : null)),
        h("td", {class: "num"}, money(tr.value, cur())),
        h("td", null, tr.reasons.map((r) => h("span", {class: "tag"}, t("reason." + r)))),
        h("td", {class: "small"}, gain),
        h("td", {class: "small"}, h("div", {class: "labels"}, h("span", null, t("proposal.source")),
          h("span", null, tr.price_date || "—"), riskBadge(tr.risk_level))),
        h("td", null, statusBadge(tr.status)));
    });
    const reason = h("textarea", {id: "reason", rows: 2, "data-testid": "reason",
      placeholder: t("proposal.reason.placeholder")});
    const msg = h("div", {class: "msg", role: "status"});
    if (done) msg.append(h("div", {class: "notice ok"}, done));
    async function decide(approve) {
      msg.replaceChildren();
      const why = reason.value.trim();
      if (!why) return msg.append(h("div", {class: "notice error"}, t("proposal.needreason")));
      const picked = boxes.filter((b) => b.checked).map((b) => Number(b.dataset.trade));
      if (approve && !picked.length) return msg.append(h("div", {class: "notice error"}, t("proposal.needtrade")));
      const body = {reason: why};
      if (approve && picked.length < boxes.length) body.trades = picked;
      try {
        const r = await api("/v1/proposals/" + encodeURIComponent(id) + (approve ? "/approve" : "/reject"), "POST", body);
        if (my === gen) viewProposal(id, t("proposal.done", {status: t("status." + r.status), by: r.decided_by, orders: r.orders_made}));
      } catch (e) { msg.append(failure(e)); }
    }
    show(
      h("a", {href: "#/queue", class: "back"}, t("account.back")),
      h("div", {class: "page-head"}, h("h1", null, t("proposal.title", {id: p.id}), " ", statusBadge(p.status)),
        h("p", {class: "muted"}, p.discretionary ? t("proposal.discretionary") : open ? t("proposal.advisory") : "")),
      tiles([[t("proposal.account"), h("a", {href: "#/account/" + p.account}, p.account)],
             [t("proposal.date"), p.date], [t("proposal.value"), money(p.value, cur())],
             [t("proposal.drift"), pct(p.drift_before) + " → " + pct(p.drift_after)]]),
      msg,
      card(t("proposal.trades"), table("grid trades", [open ? [t("col.select")] : null, [t("col.trade"), "num"], [t("col.side")],
        [t("col.ticker")], [t("col.qty"), "num"], [t("col.price"), "num"], [t("col.value"), "num"],
        [t("col.reasons")], [t("col.tax")], [t("col.data")], [t("col.status")]].filter(Boolean), rows, "trades"),
        p.decided_by ? h("p", {class: "muted"}, t("proposal.decided", {by: p.decided_by, reason: p.decided_reason})) : null),
      open ? card(null, h("label", {for: "reason"}, t("proposal.reason")), reason,
        h("p", {class: "muted small"}, t("proposal.partial")),
        h("div", {class: "actions"},
          h("button", {type: "button", class: "primary", "data-testid": "approve", onclick: () => decide(true)}, t("proposal.approve")),
          h("button", {type: "button", class: "danger", "data-testid": "reject", onclick: () => decide(false)}, t("proposal.reject")))) : null);
  }

  /* --- an account --------------------------------------------------------------------------- */
  function allocationChart(positions) {
    const rows = positions.filter((x) => x.weight > 0 || x.target > 0);
    const W = 640, bar = 16, gap = 12, left = 70, right = 110;
    const H = rows.length * (bar + gap) + 24;
    const max = Math.max(0.01, ...rows.map((x) => Math.max(x.weight, x.target)));
    const sx = (v) => left + (v / max) * (W - left - right);
    const g = s("svg", {viewBox: "0 0 " + W + " " + H, class: "chart alloc", role: "img",
      "aria-label": t("account.allocation")});
    rows.forEach((x, i) => {
      const y = 10 + i * (bar + gap);
      g.append(s("text", {x: left - 8, y: y + bar - 3, "text-anchor": "end", class: "lbl"}, x.ticker),
        s("rect", {x: left, y, width: Math.max(1, sx(x.weight) - left), height: bar, rx: 2,
          class: Math.abs(x.drift) > 0.05 ? "bar off" : "bar"}),
        s("line", {x1: sx(x.target), x2: sx(x.target), y1: y - 3, y2: y + bar + 3, class: "target"}),
        s("text", {x: W - right + 8, y: y + bar - 3, class: "val"}, pct(x.weight) + " / " + pct(x.target)));
    });
    return g;
  }

  function perfChart(values) {
    const pts = values.items;
    if (pts.length < 2) return h("p", {class: "muted"}, t("account.perf.none"));
    const W = 640, H = 240, L = 52, R = 12, T = 12, B = 28;
    const ys = pts.flatMap((p) => [p.cumulative, p.model_cumulative]).filter((v) => v !== null);
    let lo = Math.min(0, ...ys), hi = Math.max(0, ...ys);
    const pad = (hi - lo) * 0.1 || 0.01;
    lo -= pad; hi += pad;
    const sx = (i) => L + (i / (pts.length - 1)) * (W - L - R);
    const sy = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const g = s("svg", {viewBox: "0 0 " + W + " " + H, class: "chart perf", role: "img",
      "aria-label": t("account.performance")});
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      g.append(s("line", {x1: L, x2: W - R, y1: sy(v), y2: sy(v), class: "grid"}),
        s("text", {x: L - 6, y: sy(v) + 4, "text-anchor": "end", class: "axis"}, pct(v, 1)));
    }
    g.append(s("line", {x1: L, x2: W - R, y1: sy(0), y2: sy(0), class: "zero"}));
    const ticks = Math.min(5, pts.length);
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (pts.length - 1)) / Math.max(1, ticks - 1));
      g.append(s("text", {x: sx(i), y: H - 8, "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle",
        class: "axis"}, pts[i].date));
    }
    const line = (key, cls) => {
      const d = pts.map((p, i) => (p[key] === null ? null : (i ? "L" : "M") + sx(i).toFixed(1) + " " + sy(p[key]).toFixed(1)))
        .filter(Boolean).join(" ");
      return d ? s("path", {d, class: "line " + cls}) : null;
    };
    g.append(line("model_cumulative", "model"), line("cumulative", "acct"));
    const legend = h("div", {class: "legend"},
      h("span", {class: "key acct"}, t("account.perf.account") + " " + pct(pts[pts.length - 1].cumulative, 2)),
      values.model ? h("span", {class: "key model"}, t("account.perf.model", {model: values.model}) + " " +
        pct(pts[pts.length - 1].model_cumulative, 2)) : null);
    return h("div", null, g, legend);
  }

  async function viewAccount(code) {
    const my = gen;
    show(h("p", {class: "muted"}, t("loading")));
    const enc = encodeURIComponent(code);
    let a, v, lots, g;
    try {
      [a, v, lots, g] = await Promise.all([api("/v1/accounts/" + enc), api("/v1/accounts/" + enc + "/values"),
        all("/v1/accounts/" + enc + "/lots"), api("/v1/accounts/" + enc + "/gains")]);
    } catch (e) { return my === gen && show(failure(e)); }
    if (my !== gen) return;
    let plans = null; /* the client's saved plans; null when they cannot be read */
    try { plans = await all("/v1/clients/" + encodeURIComponent(a.client) + "/plans"); } catch (e) { plans = null; }
    if (my !== gen) return;
    const c = a.currency;
    const posRows = a.positions.map((x) => h("tr", null, h("td", null, h("strong", null, x.ticker)),
      h("td", {class: "num"}, qty(x.qty)), h("td", {class: "num"}, money(x.value, c)),
      h("td", {class: "num"}, pct(x.weight)), h("td", {class: "num"}, pct(x.target)),
      h("td", {class: "num"}, driftCell(x.drift))));
    const lotRows = lots.map((l) => h("tr", null, h("td", {class: "num"}, l.lot), h("td", null, l.ticker),
      h("td", null, l.acquired), h("td", {class: "num"}, qty(l.qty)), h("td", {class: "num"}, money(l.cost, c))));
    show(
      h("a", {href: "#/queue", class: "back"}, t("account.back")),
      h("div", {class: "page-head"}, h("h1", null, t("account.title", {code: a.code})),
        h("p", {class: "muted"}, t("col.client") + " " + a.client + " · " + t("account.asof", {date: a.date || "—"}))),
      tiles([[t("account.value"), money(a.value, c)], [t("account.cash"), money(a.cash, c)],
             [t("account.drift"), driftCell(a.drift)], [t("account.status"), statusBadge(a.status)],
             a.open_proposal ? [t("account.proposal"), h("a", {href: "#/proposal/" + a.open_proposal}, a.open_proposal)] : null]
        .filter(Boolean)),
      h("div", {class: "two"},
        card(t("account.allocation"), allocationChart(a.positions),
          h("div", {class: "legend"}, h("span", {class: "key weight"}, t("col.weight")),
            h("span", {class: "key target"}, t("col.target"))),
          table("grid compact", [[t("col.ticker")], [t("col.qty"), "num"], [t("col.value"), "num"],
            [t("col.weight"), "num"], [t("col.target"), "num"], [t("col.drift"), "num"]], posRows, "positions")),
        card(t("account.performance"), perfChart(v))),
      h("div", {class: "two"},
        card(t("account.lots"), lots.length ? table("grid compact scroll", [[t("col.lot"), "num"], [t("col.ticker")],
          [t("col.acquired")], [t("col.qty"), "num"], [t("col.cost"), "num"]], lotRows, "lots")
          : h("p", {class: "muted"}, t("account.nolots"))),
        card(t("account.gains"), h("dl", {class: "facts"},
          [["account.gains.proceeds", g.proceeds], ["account.gains.cost", g.cost], ["account.gains.gain", g.gain],
           ["account.gains.short", g.short_term], ["account.gains.long", g.long_term],
           ["account.gains.disallowed", g.disallowed], ["account.gains.harvested", g.harvested]]
            .map(([k, val]) => [h("dt", null, t(k)), h("dd", null, money(val, c))]).flat()))),
      plans ? planCard(plans) : null);
  }

  /* --- a client's goal plan (GET /v1/clients/{id}/plans, /v1/plans/{id}) ---------------------- */
  /* an amount in whole currency units, for an axis */
  function moneyAxis(v) {
    return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  const PCTS = [["p5", 5], ["p25", 25], ["p50", 50], ["p75", 75], ["p95", 95]];

  /* The fan chart: wealth at each year end (year 0: the initial value), the 5-95 and 25-75
   * percentile bands, the median and the goal. */
  function fanChart(p) {
    const W = 640, H = 260, L = 78, R = 14, T = 14, B = 28;
    const pts = [{year: 0, p5: p.initial, p25: p.initial, p50: p.initial, p75: p.initial, p95: p.initial}]
      .concat(p.paths_by_year);
    const goal = Number(p.goal);
    /* a round step for the axis: 1, 2 or 5 times a power of ten, four or five steps to the top */
    const top = Math.max(goal, ...pts.map((x) => Number(x.p95))) * 1.05 || 1;
    const mag = Math.pow(10, Math.floor(Math.log10(top / 4)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x * 5 >= top);
    const hi = Math.ceil(top / step) * step;
    const sx = (i) => L + (i / (pts.length - 1)) * (W - L - R);
    const sy = (v) => T + (1 - v / hi) * (H - T - B);
    const g = s("svg", {viewBox: "0 0 " + W + " " + H, class: "chart fan", role: "img",
      "aria-label": t("plan.fan"), "data-years": p.years});
    for (let v = 0; v <= hi + step / 2; v += step) {
      g.append(s("line", {x1: L, x2: W - R, y1: sy(v), y2: sy(v), class: "grid"}),
        s("text", {x: L - 6, y: sy(v) + 4, "text-anchor": "end", class: "axis"}, moneyAxis(v)));
    }
    const ticks = Math.min(6, pts.length);
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (pts.length - 1)) / Math.max(1, ticks - 1));
      g.append(s("text", {x: sx(i), y: H - 8, "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle",
        class: "axis"}, t("plan.year", {n: pts[i].year})));
    }
    const xy = (i, key) => sx(i).toFixed(1) + " " + sy(Number(pts[i][key])).toFixed(1);
    const band = (lo, up, cls) => {
      const d = pts.map((_, i) => (i ? "L" : "M") + xy(i, up)).join(" ") + " " +
        pts.map((_, i) => "L" + xy(pts.length - 1 - i, lo)).join(" ") + " Z";
      return s("path", {d, class: "band " + cls});
    };
    g.append(band("p5", "p95", "outer"), band("p25", "p75", "inner"),
      s("path", {d: pts.map((_, i) => (i ? "L" : "M") + xy(i, "p50")).join(" "), class: "line median"}),
      s("line", {x1: L, x2: W - R, y1: sy(goal), y2: sy(goal), class: "goal"}),
      s("text", {x: L + 6, y: sy(goal) - 5, "text-anchor": "start", class: "axis goal-lbl"},
        t("plan.goal") + " " + moneyAxis(goal)));
    const legend = h("div", {class: "legend"},
      h("span", {class: "key outer"}, t("plan.band90")), h("span", {class: "key inner"}, t("plan.band50")),
      h("span", {class: "key median"}, t("plan.median.line")), h("span", {class: "key goal"}, t("plan.goal")));
    return h("div", null, g, legend);
  }

  /* where the plan's figures come from: source, data window, risk level, valuation date */
  function planLabels(p) {
    return h("div", {class: "labels plan-labels", "data-testid": "plan-labels"},
      h("span", null, p.source === "model" || p.source === "model+cash"
        ? t("plan.source.model", {model: p.model, version: p.model_version, from: p.data_from || "—", to: p.data_to || "—"})
        : t("plan.source.given")),
      p.risk_level ? h("span", null, t("col.risk") + " ",
        h("span", {class: "risk r" + p.risk_level.slice(1)}, p.risk_level)) : null,
      h("span", null, t("plan.asof", {date: p.as_of || "—"})),
      h("span", null, t("plan.assumptions", {mu: pct(p.mu, 2), sigma: pct(p.sigma, 2), paths: p.paths, seed: p.seed})),
      /* a model of excess returns (equilibrium, Black-Litterman): mu includes the firm's cash rate */
      p.cash_rate !== null && p.cash_rate !== undefined ? h("span", {"data-testid": "plan-cash"},
        t("plan.cash", {excess: pct(p.mu - p.cash_rate, 2), cash: pct(p.cash_rate, 2)})) : null);
  }

  function planTiles(p) {
    const c = p.currency;
    return tiles([[t("plan.goal"), money(p.goal, c)], [t("plan.horizon"), t("plan.years", {n: p.years})],
      [t("plan.probability"), h("span", {"data-testid": "plan-probability"}, pct(p.probability, 1))],
      [t("plan.median"), money(p.percentiles.p50, c)]]);
  }

  /* the account page's card: the client's latest plan, or none */
  function planCard(list) {
    const p = list.find((x) => x.latest);
    if (!p) return card(t("plan.title"), h("p", {class: "muted", "data-testid": "plan-none"}, t("plan.none")));
    const c = p.currency;
    return h("section", {class: "card", "data-testid": "plan-card"}, h("h2", null, t("plan.title"),
      " ", h("a", {href: "#/plan/" + p.id, class: "small", "data-testid": "plan-open"}, t("plan.open", {id: p.id}))),
      h("div", {class: "two"}, fanChart(p), h("div", null, h("dl", {class: "facts"},
        [[t("plan.goal"), money(p.goal, c)], [t("plan.horizon"), t("plan.years", {n: p.years})],
         [t("plan.probability"), h("span", {"data-testid": "plan-probability"}, pct(p.probability, 1))],
         [t("plan.median"), money(p.percentiles.p50, c)],
         [t("plan.inputs.initial"), money(p.initial, c)], [t("plan.inputs.monthly"), money(p.monthly, c)]]
          .map(([k, v]) => [h("dt", null, k), h("dd", null, v)]).flat()), planLabels(p))));
  }

  async function viewPlan(id) {
    const my = gen;
    show(h("p", {class: "muted"}, t("loading")));
    let p;
    try { p = await api("/v1/plans/" + encodeURIComponent(id)); } catch (e) { return my === gen && show(failure(e)); }
    if (my !== gen) return;
    const c = p.currency;
    const rows = p.paths_by_year.map((r) => h("tr", {"data-year": r.year}, h("td", {class: "num"}, r.year),
      PCTS.map(([k]) => h("td", {class: "num"}, money(r[k])))));
    show(
      p.account ? h("a", {href: "#/account/" + p.account, class: "back"}, t("plan.back", {account: p.account}))
        : h("a", {href: "#/queue", class: "back"}, t("account.back")),
      h("div", {class: "page-head"}, h("h1", null, t("plan.page", {id: p.id})),
        h("p", {class: "muted"}, t("plan.client", {client: p.client, account: p.account || "—"}),
          p.label ? " · " + p.label : "", p.erased ? " · " + t("plan.erased") : "",
          p.latest ? "" : " · " + t("plan.superseded"))),
      planTiles(p),
      h("p", {class: "muted"}, t("plan.inputs", {initial: money(p.initial, c), monthly: money(p.monthly, c)})),
      h("div", {class: "two"}, card(t("plan.fan"), fanChart(p), planLabels(p)),
        card(t("plan.table", {currency: c}), table("grid compact", [[t("col.year"), "num"]].concat(
          PCTS.map(([, n]) => [n === 50 ? t("plan.median.line") : t("plan.pct", {p: n}), "num"])), rows, "plan-years"))));
  }

  /* --- the router --------------------------------------------------------------------------- */
  async function route() {
    const my = ++gen;
    applyStatic();
    if (!key()) return viewSignIn();
    if (!firm) {
      try { firm = await api("/v1/firm"); } catch (e) { store.removeItem("ra.key"); return my === gen && viewSignIn(); }
      if (my !== gen) return;
      applyStatic();
    }
    const [, page, arg] = (location.hash || "#/queue").split("/");
    if (page === "proposal" && arg) return viewProposal(decodeURIComponent(arg));
    if (page === "account" && arg) return viewAccount(decodeURIComponent(arg));
    if (page === "plan" && arg) return viewPlan(decodeURIComponent(arg));
    return viewQueue();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("lang").addEventListener("change", (ev) => {
      lang = ev.target.value;
      store.setItem("ra.lang", lang);
      route();
    });
    document.getElementById("signout").addEventListener("click", signOut);
    window.addEventListener("hashchange", route);
    route();
  });
})();
