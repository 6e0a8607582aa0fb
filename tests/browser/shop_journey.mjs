// Drives InternetShop in headless Chromium as a customer would, for a scenario test.
//
//   node shop_journey.mjs --base URL --action refresh|upload|order|throw [--stl FILE] [--screenshot PNG]
//        [--follow]
//
// Signs up and uploads a model, prints "READY" and waits for a line on standard input
// (the test injects its fault meanwhile), performs the action, and prints one JSON line:
// what the user saw (error banner, support code), how long the action took, and the
// support code (X-Support-Code) of the last Shop API answer. With --follow (after "order"),
// it then prints "ORDERED <json>" (the order's id and support code), waits for another line,
// refreshes the orders like a customer coming back later and adds the status shown.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { launch, settle, watchSpanExports } from "./journey.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    action: { type: "string" },
    stl: { type: "string" },
    screenshot: { type: "string" },
    follow: { type: "boolean" },
  },
});

const browser = await launch();
const result = { errorShown: false, supportCode: "", message: "", ms: 0, apiSupportCodes: [], pageErrors: [] };
try {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  const spanExports = watchSpanExports(page);
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/api/")) {
      const code = response.headers()["x-support-code"];
      if (code) result.apiSupportCodes.push({ path: new URL(response.url()).pathname, status: response.status(), code });
    }
  });
  await page.goto(args.base, { waitUntil: "load" });
  result.email = `browser-${Date.now()}-${Math.floor(Math.random() * 1e9)}@example.com`;
  result.password = `secret-${Math.random().toString(36).slice(2)}`;
  await page.fill("input[name=email]", result.email);
  await page.fill("input[name=password]", result.password);
  await page.fill("input[name=name]", "Browser Customer");
  await page.click("button[name=signup]");
  await page.waitForSelector("[data-testid=materials]");
  await page.setInputFiles("#model-file", args.stl);
  await page.click("#upload");
  await page.waitForSelector("[data-testid=quotes]");
  result.volume = await page.textContent("[data-testid=volume]");

  console.log("READY");
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once("line", resolve));

  result.apiSupportCodes = [];
  const started = Date.now();
  const done = {
    refresh: () => page.waitForResponse((r) => r.url().includes("/api/orders")),
    upload: () => page.waitForResponse((r) => r.url().includes("/api/quotes") || r.url().includes("/api/models")),
    order: () => page.waitForSelector("[data-testid^=order-]"),
    throw: () => Promise.resolve(),
  }[args.action];
  const clicked = { refresh: "#refresh", upload: "#upload", order: "[data-order=pla-white]" }[args.action];
  if (args.action === "throw") {
    // An error outside any user action (a timer): only the page's global handlers see it.
    await page.evaluate(() => setTimeout(() => { throw new RangeError("a timer failed outside any action"); }));
  } else {
    await Promise.all([page.click(clicked), done().catch(() => {})]);
  }
  await settle(page, result, started);
  if (args.follow) {
    const row = await page.waitForSelector("[data-testid^=order-]");
    result.orderId = Number((await row.getAttribute("data-testid")).slice("order-".length));
    console.log(`ORDERED ${JSON.stringify({ orderId: result.orderId, apiSupportCodes: result.apiSupportCodes })}`);
    await new Promise((resolve) => lines.once("line", resolve));
    await Promise.all([page.click("#refresh"), page.waitForResponse((r) => r.url().includes("/api/orders")).catch(() => {})]);
    await page.waitForTimeout(500);
    result.orderStatus = (await page.textContent(`[data-testid=order-${result.orderId}] .status`)).trim();
  }
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });
  await spanExports.settled();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
