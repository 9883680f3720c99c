// The advisor console in a real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): sign in as an advisor, see the queue, open a proposal, approve it with one
// trade left out and reject another, look at an account and its client's goal plan (its figures
// against the API's answer, GET /v1/plans/{id}), switch to Chinese, and check that
// another advisor sees none of the first one's clients. Run by tests/cli/test_console.sh, which
// starts the server on a small book and checks the decisions through the API afterwards.
//
// Usage: node console.test.js URL CASE.json SHOTS_DIR
// CASE.json: {"adv": key, "adv_other": key, "approve": id, "reject": id, "account": code,
//             "own_clients": [codes], "other_clients": [codes], "leave_out": trade number,
//             "plan": id, "plan_file": the plan's JSON as GET /v1/plans/{id} answered it}
// Prints one line per check: "ok NAME" or "bad NAME: why"; exits 0 (the shell counts the lines).
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const [url, casePath, shots] = process.argv.slice(2);
const C = JSON.parse(fs.readFileSync(casePath, "utf8"));
fs.mkdirSync(shots, { recursive: true });

function check(name, cond, why) {
  console.log(cond ? "ok " + name : "bad " + name + ": " + (why || "failed"));
}

async function shot(page, name) {
  const file = path.join(shots, name + ".png");
  await page.screenshot({ path: file, fullPage: true });
  console.log("screenshot " + file);
}

// the outcome of a decision: the notice's text, "ok" or "error" first
async function outcome(page) {
  const el = await page.waitForSelector(".msg .notice");
  return (await el.getAttribute("class")).replace("notice ", "") + " " + (await el.textContent());
}

// the console's formats (web/app.js money and pct), to compare the page with the API's figures
function money(str, cur) {
  const neg = str.startsWith("-"), [w, f] = (neg ? str.slice(1) : str).split(".");
  return (neg ? "−" : "") + w.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ? "." + f : "") + (cur ? " " + cur : "");
}
const pct1 = (x) => (x * 100).toFixed(1) + "%";
const pct2 = (x) => (x * 100).toFixed(2) + "%"; // the plan page's mu and cash rate (app.js pct(x, 2))

async function signIn(page, key) {
  await page.goto(url + "/");
  await page.waitForSelector("[data-testid=key]");
  await page.fill("[data-testid=key]", key);
  await page.click("[data-testid=signin]");
  await page.waitForSelector("[data-testid=queue]", { timeout: 10000 });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.RA_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "en-US" });
    const page = await ctx.newPage();
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    page.on("pageerror", (e) => problems.push(String(e)));

    // sign in: a wrong key is refused, the advisor's key lands on the queue
    await page.goto(url + "/");
    await page.waitForSelector("[data-testid=key]");
    await shot(page, "01-signin");
    await page.fill("[data-testid=key]", "ra_0000000000000000_" + "0".repeat(64));
    await page.click("[data-testid=signin]");
    await page.waitForSelector(".notice.error");
    check("a wrong key is refused", (await page.textContent(".notice.error")).includes("not accepted"));
    problems.length = 0; // the 401 of the wrong key is logged by the browser: expected
    await signIn(page, C.adv);
    const rows = await page.$$eval("[data-testid=queue] tbody tr", (r) => r.map((x) => x.dataset.client));
    check("the queue lists the advisor's clients", C.own_clients.every((c) => rows.includes(c)),
      "rows " + rows.join(","));
    check("the queue lists no other advisor's client", C.other_clients.every((c) => !rows.includes(c)));
    const waiting = await page.$$eval("[data-testid=pending] tbody tr", (r) => r.map((x) => x.dataset.proposal));
    check("the proposals waiting are listed", waiting.includes(C.approve) && waiting.includes(C.reject),
      "waiting " + waiting.join(","));
    check("the queue shows tier, risk level and drift",
      (await page.$$("[data-testid=queue] .tier")).length === rows.length &&
      (await page.$$("[data-testid=queue] .risk")).length > 0 &&
      (await page.$$("[data-testid=queue] .drift")).length === rows.length);
    await shot(page, "02-queue");

    // a proposal: trades with reasons, tax effect and data labels; approve all but one trade
    await page.click(`[data-testid=pending] tr[data-proposal="${C.approve}"] a`);
    await page.waitForSelector("[data-testid=trades]");
    const n = (await page.$$("[data-testid=trades] tbody tr")).length;
    check("the proposal shows its trades", n >= 2, n + " trades");
    const labels = await page.textContent("[data-testid=trades] tbody tr:first-child .labels");
    check("a trade shows its data labels", labels.includes("Source") && /\d{4}-\d\d-\d\d/.test(labels) &&
      /C[1-5]/.test(labels), labels);
    check("a trade shows its reasons", (await page.$$("[data-testid=trades] .tag")).length >= n);
    await shot(page, "03-proposal");
    await page.uncheck(`[data-testid=trades] input[data-trade="${C.leave_out}"]`);
    await page.click("[data-testid=approve]");
    check("a decision needs a reason", (await page.textContent(".msg")).includes("reason"));
    await page.fill("[data-testid=reason]", "reviewed with the client in the console");
    await page.click("[data-testid=approve]");
    const said = await outcome(page);
    check("the approval is recorded", said.startsWith("ok") && said.includes("Approved"), said);
    const st = await page.$$eval("[data-testid=trades] tbody tr .badge", (b) => b.map((x) => x.dataset.status));
    check("the left-out trade is rejected, the others approved",
      st[C.leave_out - 1] === "rejected" && st.filter((x) => x === "approved").length === n - 1, st.join(","));
    await shot(page, "04-approved");

    // reject another proposal, whole
    await page.goto(url + "/#/proposal/" + C.reject);
    await page.waitForSelector("[data-testid=reject]");
    await page.fill("[data-testid=reason]", "the client wants to wait");
    await page.click("[data-testid=reject]");
    const said2 = await outcome(page);
    check("the rejection is recorded", said2.startsWith("ok") && said2.includes("Rejected"), said2);

    // an account: allocation against target, performance against the model, lots, gains
    await page.goto(url + "/#/account/" + C.account);
    await page.waitForSelector("[data-testid=positions]");
    check("the allocation chart draws a bar per holding",
      (await page.$$("svg.alloc rect")).length === (await page.$$("[data-testid=positions] tbody tr")).length);
    check("the performance chart draws the account and the model",
      (await page.$$("svg.perf path.acct")).length === 1 && (await page.$$("svg.perf path.model")).length === 1);
    check("the lots are listed", (await page.$$("[data-testid=lots] tbody tr")).length > 0);
    await shot(page, "05-account");

    // the client's goal plan: its latest on the account's page, then the plan's own page, every
    // figure as the API gives it
    const P = JSON.parse(fs.readFileSync(C.plan_file, "utf8"));
    await page.waitForSelector("[data-testid=plan-card]");
    check("the account shows its client's latest plan",
      (await page.textContent("[data-testid=plan-open]")).includes(C.plan) &&
      (await page.textContent("[data-testid=plan-card] [data-testid=plan-probability]")) === pct1(P.probability),
      await page.textContent("[data-testid=plan-card]"));
    await page.click("[data-testid=plan-open]");
    await page.waitForSelector("[data-testid=plan-years]");
    check("the plan page is the plan's", (await page.textContent("h1")).includes(C.plan) &&
      (await page.textContent("main")).includes("retirement at 60"));
    const tileText = await page.$$eval(".tile-value", (x) => x.map((e) => e.textContent));
    check("the plan's goal, horizon, probability and median as the API's",
      tileText[0] === money(P.goal, P.currency) && tileText[1] === P.years + " years" &&
      tileText[2] === pct1(P.probability) && tileText[3] === money(P.percentiles.p50, P.currency), tileText.join(" | "));
    const cells = await page.$$eval("[data-testid=plan-years] tbody tr", (r) => r.map((x) =>
      [...x.querySelectorAll("td")].map((d) => d.textContent)));
    const want = P.paths_by_year.map((r) => [String(r.year)].concat(["p5", "p25", "p50", "p75", "p95"].map((k) => money(r[k]))));
    check("the percentiles of every year as the API's", JSON.stringify(cells) === JSON.stringify(want),
      JSON.stringify(cells[0]) + " / " + JSON.stringify(want[0]));
    const d = await page.getAttribute("svg.fan path.median", "d");
    check("the fan chart draws both bands and the median from the start to the last year",
      (await page.$$("svg.fan path.band")).length === 2 && (d.match(/[ML]/g) || []).length === P.years + 1 &&
      (await page.$$("svg.fan line.goal")).length === 1, d);
    const dl = await page.textContent("[data-testid=plan-labels]");
    check("the plan's data labels: source, its data's dates, risk level, valuation date",
      dl.includes("model " + P.model) && dl.includes(P.data_to) && dl.includes(P.risk_level) &&
      dl.includes(P.as_of), dl);
    // a model of excess returns: mu is its return over cash plus the firm's cash rate, both shown
    const cash = await page.textContent("[data-testid=plan-cash]");
    check("the plan says its mu adds the firm's cash rate to the model's excess return",
      P.source === "model+cash" && P.cash_rate !== null &&
      cash.includes("cash rate " + pct2(P.cash_rate)) && cash.includes("over cash " + pct2(P.mu - P.cash_rate)) &&
      dl.includes("Expected return " + pct2(P.mu) + " a year"), cash);
    await shot(page, "09-plan");

    // Simplified Chinese: every label from the Chinese catalogue
    await page.goto(url + "/#/queue");
    await page.waitForSelector("[data-testid=queue]");
    await page.selectOption("[data-testid=lang]", "zh");
    await page.locator("h1", { hasText: "客户待办" }).waitFor();
    const heads = await page.$$eval("[data-testid=queue] th", (t) => t.map((x) => x.textContent));
    check("the queue's headings are in Chinese", heads.includes("风险等级") && heads.includes("服务等级") &&
      heads.includes("偏离度"), heads.join(","));
    check("the header is in Chinese", (await page.textContent("#signout")) === "退出" &&
      (await page.textContent("#who-role")) === "投资顾问");
    check("the page says its language", (await page.getAttribute("html", "lang")) === "zh-Hans");
    await shot(page, "06-queue-zh");
    await page.goto(url + "/#/proposal/" + C.approve);
    await page.waitForSelector("[data-testid=trades]");
    check("a proposal in Chinese", (await page.textContent("h1")).includes("调仓建议") &&
      (await page.textContent("[data-testid=trades] thead")).includes("税务影响"));
    await shot(page, "07-proposal-zh");
    await page.goto(url + "/#/plan/" + C.plan);
    await page.waitForSelector("[data-testid=plan-years]");
    check("a plan in Chinese", (await page.textContent("h1")).includes("目标规划") &&
      (await page.textContent("[data-testid=plan-years] thead")).includes("年份") &&
      (await page.textContent("[data-testid=plan-labels]")).includes("来源") &&
      (await page.textContent("[data-testid=plan-cash]")).includes("现金年利率 " + pct2(P.cash_rate)) &&
      (await page.$$eval(".tile-label", (x) => x.map((e) => e.textContent))).includes("达成目标的概率"));
    await shot(page, "10-plan-zh");
    await page.goto(url + "/#/proposal/" + C.approve);
    await page.waitForSelector("[data-testid=trades]");
    await page.selectOption("[data-testid=lang]", "en");
    await page.locator("h1", { hasText: "Proposal" }).waitFor();

    // another advisor: none of the first one's clients, proposals or accounts
    await page.click("#signout");
    await page.waitForSelector("[data-testid=key]");
    check("signing out forgets the key", (await page.evaluate(() => sessionStorage.getItem("ra.key"))) === null);
    await signIn(page, C.adv_other);
    const rows2 = await page.$$eval("[data-testid=queue] tbody tr", (r) => r.map((x) => x.dataset.client));
    check("another advisor sees none of the first one's clients",
      rows2.length > 0 && C.own_clients.every((c) => !rows2.includes(c)), rows2.join(","));
    await page.goto(url + "/#/proposal/" + C.reject);
    await page.waitForSelector(".notice.error");
    check("another advisor cannot open the first one's proposal",
      (await page.textContent(".notice.error")).includes("Not found") && !(await page.$("[data-testid=trades]")));
    await page.goto(url + "/#/account/" + C.account);
    await page.waitForSelector(".notice.error");
    check("another advisor cannot open the first one's account", !(await page.$("[data-testid=positions]")));
    await shot(page, "08-other-advisor");
    // the console's own errors: none but the 404s just asked for (no CSP violation, no script error)
    const unexpected = problems.filter((p) => !/404/.test(p));
    check("no script error or CSP violation", unexpected.length === 0, unexpected.join(" | "));
  } catch (e) {
    check("the browser run", false, String(e && e.stack || e));
  } finally {
    await browser.close();
  }
})();
