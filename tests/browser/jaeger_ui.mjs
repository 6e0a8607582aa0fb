// The support engineer's walk through the Jaeger UI, behind the trace access gate, in
// headless Chromium: Keycloak's real login form, "Lookup by Trace ID" with a support
// code, the culprit span's detail, trace comparison, the Monitor tab and the System
// Architecture graph. Every request the browser makes to the gate is recorded so the
// test can replay each one without a session.
//
//   node jaeger_ui.mjs --gate URL --user NAME --password SECRET --trace ID
//        --culprit-operation NAME --culprit-service NAME --healthy ID --shots DIR
//   node jaeger_ui.mjs --gate URL --user NAME --password SECRET --refused
//
// Prints one JSON line with what the browser saw.
import { chromium } from "playwright-core";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    gate: { type: "string" }, user: { type: "string" }, password: { type: "string" },
    trace: { type: "string" }, healthy: { type: "string" },
    "culprit-operation": { type: "string" }, "culprit-service": { type: "string" },
    shots: { type: "string" }, refused: { type: "boolean", default: false },
  },
});
const gate = new URL(args.gate);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const result = { requests: [], assets: [] };
const shot = async (page, name) => {
  if (args.shots) await page.screenshot({ path: `${args.shots}/${name}.png`, fullPage: false });
};
// Waits for the first response of the gate whose path starts with `path` (and whose URL
// contains `also`); returns its status, URL and JSON.
const apiResponse = (page, path, also = "", timeout = 30000) =>
  page.waitForResponse((r) => r.url().startsWith(`${gate.origin}${path}`) && r.url().includes(also)
                              && r.request().method() === "GET", { timeout })
    .then(async (r) => ({ status: r.status(), url: r.url(), body: r.ok() ? await r.json() : null }));

try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (!url.protocol.startsWith("http") || url.origin !== gate.origin || url.pathname.startsWith("/oauth2/")) return;
    result.requests.push({ url: response.url(), method: response.request().method(), status: response.status(),
                           type: response.request().resourceType() });
    if (url.pathname.startsWith("/static/") && response.ok()) result.assets.push(url.pathname);
  });

  // Login through Keycloak's form.
  await page.goto(args.gate, { waitUntil: "load" });
  result.loginFormSeen = await page.isVisible("#username");
  await page.fill("#username", args.user);
  await page.fill("#password", args.password);
  const [landing] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#kc-login")]);
  result.landingStatus = landing ? landing.status() : 0;
  if (args.refused) {
    result.landingText = (await page.textContent("body")).slice(0, 300);
    for (const path of ["/search", "/static/", "/api/services", "/monitor", "/dependencies"]) {
      const response = await page.request.get(`${gate.origin}${path}`, { maxRedirects: 0 });
      result.requests.push({ url: `${gate.origin}${path}`, method: "GET", status: response.status(), type: "probe" });
    }
    throw "done";
  }
  await page.waitForSelector(".TraceIDSearchInput--input input, input[name=idInput]", { timeout: 30000 });
  result.title = await page.title();

  // Lookup by Trace ID: the support code the customer was shown.
  const input = page.locator("input[name=idInput]");
  await input.fill(args.trace);
  const traceLoaded = apiResponse(page, `/api/traces/${args.trace}`);
  await input.press("Enter");
  result.traceApi = (await traceLoaded).status;
  await page.waitForURL(`**/trace/${args.trace}*`, { timeout: 30000 });
  await page.waitForSelector(".span-row", { timeout: 30000 });
  result.traceUrl = new URL(page.url()).pathname;
  result.spanRows = await page.locator(".span-row").count();
  result.errorIcons = await page.locator(".span-row .SpanBarRow--errorIcon").count();

  // The culprit's row carries the error mark; opening it shows its error.type tag.
  const culpritRow = page.locator(".span-row", { hasText: args["culprit-operation"] })
    .filter({ has: page.locator(".SpanBarRow--errorIcon") }).first();
  result.culpritRowFound = (await culpritRow.count()) > 0;
  result.culpritRowText = (await culpritRow.textContent()).slice(0, 200);
  await culpritRow.locator(".span-name-wrapper, .span-name").first().click();
  const detail = page.locator(".detail-row").first();
  await detail.waitFor({ timeout: 15000 });
  // Expand the attribute table if it is collapsed, then read every key and value.
  const header = detail.locator(".AccordianKeyValues--header").first();
  if (await header.count()) await header.click();
  result.culpritDetail = (await detail.textContent()).slice(0, 4000);
  await shot(page, "jaeger-trace");

  // The critical path is drawn on the timeline (criticalPathEnabled).
  result.criticalPathSegments = await page.locator("[data-testid=SpanBar--criticalPath], .SpanBar--criticalPath").count();

  // Compare the failing trace with a healthy one.
  const compareLoaded = apiResponse(page, "/api/traces", args.healthy);
  await page.goto(`${gate.origin}/trace/${args.trace}...${args.healthy}?cohort=${args.trace}&cohort=${args.healthy}`,
                  { waitUntil: "load" });
  result.compareApi = (await compareLoaded).status;
  await page.waitForSelector(".TraceDiffHeader, .TraceDiff--graphWrapper, .TraceDiffGraph--graphWrapper", { timeout: 30000 });
  await page.waitForTimeout(1500);
  result.compareText = (await page.textContent("body")).slice(0, 2000);
  await shot(page, "jaeger-compare");

  // Search: the failing traces of shop-api.
  const searchLoaded = apiResponse(page, "/api/traces?");
  await page.goto(`${gate.origin}/search?service=shop-api&lookback=1h&limit=20&tags=%7B%22error%22%3A%22true%22%7D`,
                  { waitUntil: "load" });
  const search = await searchLoaded;
  result.searchApi = search.status;
  result.searchFound = (search.body?.data || []).some((t) => t.traceID === args.trace);
  await page.waitForSelector(".ResultItem, .SearchResults", { timeout: 30000 });
  await shot(page, "jaeger-search");

  // Monitor tab: RED metrics of shop-api from Prometheus. The page opens on the first
  // service (or the one chosen last); shop-api is then chosen in its selector.
  // Listened for before the page opens: when shop-api is the first service, the page asks
  // for its metrics at once, and choosing it again asks for nothing.
  const errorsLoaded = apiResponse(page, "/api/metrics/errors", "service=shop-api&", 60000);
  await page.goto(`${gate.origin}/monitor`, { waitUntil: "load" });
  const serviceSelect = page.locator(".ant-select").first();
  await serviceSelect.waitFor({ timeout: 30000 });
  // A choice made while the list is still being drawn can be lost (seen in two of five
  // distributed runs: no request followed). The walk checks what the selector shows and
  // chooses again.
  let errors = null;
  result.monitorChoices = 0;
  while (!errors && result.monitorChoices < 3) {
    const shown = (await serviceSelect.locator(".ant-select-selection-item").textContent({ timeout: 5000 })
      .catch(() => "")).trim() === "shop-api";
    if (!shown) {
      result.monitorChoices += 1;
      await page.keyboard.press("Escape");
      await serviceSelect.click();
      // The list is virtual (only the options in view exist): narrow it by typing first.
      await page.keyboard.type("shop-api");
      const option = page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: /^shop-api$/ }).first();
      await option.waitFor({ state: "visible", timeout: 15000 });
      await option.click();
    }
    errors = await Promise.race([errorsLoaded, page.waitForTimeout(10000).then(() => null)]);
    if (!errors && shown) break;  // shop-api was chosen and no request followed: wait no more
  }
  if (!errors) errors = await errorsLoaded;
  result.monitorErrorsApi = errors.status;
  result.monitorErrorsUrl = errors.url;
  const points = (errors.body?.metrics || []).flatMap((m) => m.metricPoints || []);
  result.monitorErrorRates = points.map((p) => p.gaugeValue?.doubleValue).filter((v) => typeof v === "number");
  await page.waitForTimeout(2000);
  result.monitorText = (await page.textContent("body")).slice(0, 3000);
  await shot(page, "jaeger-monitor");

  // System Architecture: the dependency graph.
  const dependenciesLoaded = apiResponse(page, "/api/dependencies");
  await page.goto(`${gate.origin}/dependencies`, { waitUntil: "load" });
  const dependencies = await dependenciesLoaded;
  result.dependenciesApi = dependencies.status;
  result.edges = (dependencies.body?.data || []).map((d) => `${d.parent}->${d.child}`);
  await page.waitForTimeout(2000);
  await shot(page, "jaeger-architecture");

  // The menu link to the operations guide is served behind the same gate.
  const guide = await page.request.get(`${gate.origin}/docs/operations.html`);
  result.guideStatus = guide.status();
  result.guideHasSection = (await guide.text()).includes("From a support code to the cause");
} catch (error) {
  if (error !== "done") {
    result.error = String(error?.stack || error).slice(0, 2000);
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
