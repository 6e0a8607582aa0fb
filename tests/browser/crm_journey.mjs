// Drives CRM in headless Chromium as a manager would, for a scenario test.
//
//   node crm_journey.mjs --base URL --user NAME --password SECRET --action refresh|open|approve
//        [--order ID] [--screenshot PNG]
//
// Signs in through Keycloak's real form, waits for the orders (and opens the order for
// "approve"), prints "READY" and waits for a line on standard input (the test injects its
// fault meanwhile), performs the action, and prints one JSON line: what the manager saw
// (error banner, support code), how long the action took, the support codes (X-Support-Code)
// of CRM API's answers, and the order's status shown afterwards.
import { parseArgs } from "node:util";

import { launch, readyAndWaitForGo, recordApiAnswers, settle, shownText, signInWithKeycloak, watchSpanExports } from "./journey.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" }, user: { type: "string" }, password: { type: "string" },
    action: { type: "string" }, order: { type: "string" }, screenshot: { type: "string" },
  },
});

const browser = await launch();
const result = { errorShown: false, supportCode: "", message: "", ms: 0, apiSupportCodes: [], pageErrors: [] };
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  const spanExports = watchSpanExports(page);
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));
  recordApiAnswers(page, result);
  await signInWithKeycloak(page, args.base, args.user, args.password, "[data-testid=orders], #orders p:not(:empty)");
  const row = `[data-testid=order-${args.order}]`;
  if (args.action === "approve") {
    await page.waitForSelector(row, { timeout: 15000 });
    await page.click(row);
    await page.waitForSelector("#approve", { timeout: 15000 });
  }

  await readyAndWaitForGo();

  result.apiSupportCodes = [];
  const started = Date.now();
  if (args.action === "refresh") {
    await Promise.all([page.click("#refresh"), page.waitForResponse((r) => r.url().includes("/api/orders")).catch(() => {})]);
  } else if (args.action === "open") {
    await page.waitForSelector(row, { timeout: 15000 });
    await Promise.all([page.click(row), page.waitForResponse((r) => r.url().includes(`/api/orders/${args.order}`)).catch(() => {})]);
  } else if (args.action === "approve") {
    await Promise.all([page.click("#approve"), page.waitForResponse((r) => r.url().includes("/approve")).catch(() => {})]);
  }
  await settle(page, result, started);
  // Without the detail on screen (an error, a refresh) these are "" at once.
  result.detailStatus = await shownText(page, "[data-testid=detail-status]");
  result.previewNote = await shownText(page, "#preview-note");
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: false });
  await spanExports.settled();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
