// What the scenario journeys share: the browser, and reading what the user saw once the
// page settled after the action.
import { createInterface } from "node:readline";

import { chromium } from "playwright-core";

// In TLS mode (FABTRACE_TLS=1) the landscape's certificate comes from its own CA: Chromium
// is told to accept that one server key (FT_TLS_SPKI, the SHA-256 of its public key) and
// nothing else; Node (page.request) trusts the CA through NODE_EXTRA_CA_CERTS.
export function launchOptions() {
  const trust = process.env.FT_TLS_SPKI ? [`--ignore-certificate-errors-spki-list=${process.env.FT_TLS_SPKI}`] : [];
  return {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
           ...trust],
  };
}

// The browser of a journey: the test session's shared Chromium when FT_BROWSER_WS names it
// (browser_server.mjs; every journey still gets contexts of its own, closed with it), or a
// Chromium of its own, also when the shared one cannot be reached (it crashed).
export async function launch() {
  if (process.env.FT_BROWSER_WS) {
    try {
      return await chromium.connect(process.env.FT_BROWSER_WS, { timeout: 10_000 });
    } catch (error) {
      console.error(`the shared browser cannot be reached (${error.message.split("\n")[0]}): starting one`);
    }
  }
  return chromium.launch(launchOptions());
}

// Waits for the page to settle (the error banner or the action's result), then records
// how long the action took and the banner's message and support code.
export async function settle(page, result, started) {
  await page.waitForTimeout(1500);
  result.ms = Date.now() - started;
  result.errorShown = await page.isVisible("#error");
  if (result.errorShown) {
    result.message = (await page.textContent("#error")).trim();
    result.supportCode = (await page.textContent("[data-testid=support-code]")).trim();
  }
}

// The page's span exports (OTLP over sendBeacon or fetch to /otlp/v1/traces) from now on.
// `settled()` waits one export interval after the last span ended, then until every export
// in flight has its answer: closing the browser earlier can take the last spans with it.
export function watchSpanExports(page) {
  const inFlight = new Set();
  page.on("request", (request) => {
    if (request.url().includes("/v1/traces")) inFlight.add(request);
  });
  const answered = (request) => inFlight.delete(request);
  page.on("requestfinished", answered);
  page.on("requestfailed", answered);
  return {
    async settled(timeoutMs = 15000) {
      await page.waitForTimeout(1000); // the span processor exports every 500 ms
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) await page.waitForTimeout(100);
    },
  };
}

// The text of an element shown now, or "" (never waits for it to appear).
export async function shownText(page, selector) {
  return (await page.isVisible(selector)) ? ((await page.textContent(selector)) ?? "").trim() : "";
}

// Records every /api answer of the page (path, status, X-Support-Code) in result.apiSupportCodes.
export function recordApiAnswers(page, result) {
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/api/")) {
      const code = response.headers()["x-support-code"];
      result.apiSupportCodes.push({ path, status: response.status(), code: code ?? "" });
    }
  });
}

// An employee's application: opens it, signs in on Keycloak's real login form, and waits
// for the application's first view (`ready`, a selector).
export async function signInWithKeycloak(page, base, user, password, ready) {
  await page.goto(base, { waitUntil: "load" });
  await page.waitForSelector("#username", { timeout: 30000 });
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("#kc-login");
  await page.waitForSelector(ready, { timeout: 30000 });
}

// Prints READY and waits for the test's line on standard input (it injects its fault meanwhile).
export async function readyAndWaitForGo() {
  console.log("READY");
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once("line", resolve));
  return lines;
}
