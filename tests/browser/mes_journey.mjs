// Drives MES in headless Chromium as a production operator would, for a scenario test.
//
//   node mes_journey.mjs --base URL --user NAME --password SECRET --action refresh|open|advance|run
//        [--job ID] [--printer ID] [--screenshot PNG]
//
// Signs in through Keycloak's real form, waits for the production board and the job's
// card (created from Kafka, so it may take a while), opens the job for "advance" (and
// schedules it first when it is QUEUED without a printer), prints "READY" and waits for a
// line on standard input (the test injects its fault meanwhile), performs the action:
//   refresh  clicks Refresh;
//   open     opens the job;
//   advance  moves the opened job one status on;
//   run      opens the job, schedules it (on --printer or the idle printer the page offers) and
//            advances it until it is DONE or something fails;
// and prints one JSON line: what the operator saw (error banner, support code), how long
// the action took, the support codes (X-Support-Code) of MES API's answers, and the job's
// status shown afterwards.
import { parseArgs } from "node:util";

import { launch, readyAndWaitForGo, recordApiAnswers, settle, shownText, signInWithKeycloak, watchSpanExports } from "./journey.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" }, user: { type: "string" }, password: { type: "string" },
    action: { type: "string" }, job: { type: "string" }, printer: { type: "string" },
    screenshot: { type: "string" },
  },
});

const jobPath = `/api/jobs/${args.job}`;
const card = `[data-testid=job-${args.job}]`;
const pathOf = (response) => new URL(response.url()).pathname;

const browser = await launch();
const result = { errorShown: false, supportCode: "", message: "", ms: 0, apiSupportCodes: [], pageErrors: [], statuses: [] };
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  const spanExports = watchSpanExports(page);
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));
  recordApiAnswers(page, result);
  const detailStatus = () => shownText(page, "[data-testid=detail-status]");

  // Clicks and waits for the answer to `path`; when the answer is a success, also for the
  // job's model (the app reloads the job and its preview last). False when it failed.
  async function click(selector, path) {
    const answered = page.waitForResponse((r) => pathOf(r) === path, { timeout: 15000 }).catch(() => null);
    const reloaded = page.waitForResponse((r) => pathOf(r) === `${jobPath}/model`, { timeout: 15000 }).catch(() => null);
    await page.click(selector);
    const response = await answered;
    if (!response?.ok()) return false;
    await reloaded;
    await page.waitForTimeout(200); // the preview is drawn once the model arrived
    return !(await page.isVisible("#error"));
  }

  // Schedules the opened QUEUED job on --printer, or on the printer the page offers (the
  // first idle compatible one), as an operator who accepts the suggestion would.
  async function schedule() {
    const printer = args.printer ?? (await page.inputValue("#printer"));
    await page.selectOption("#printer", printer);
    return click("#schedule", `${jobPath}/schedule`);
  }

  await signInWithKeycloak(page, args.base, args.user, args.password, "[data-testid=board]");
  if (args.action !== "refresh") {
    // MES API creates the job when it consumes the approved order from Kafka.
    const deadline = Date.now() + 30000;
    while (!(await page.isVisible(card))) {
      if (Date.now() > deadline) throw new Error(`job ${args.job} did not appear on the board`);
      await page.waitForSelector(card, { timeout: 2000 }).catch(() => page.click("#refresh"));
    }
  }
  if (args.action === "advance") {
    await click(card, jobPath);
    await page.waitForSelector("#advance, #schedule", { timeout: 15000 });
    if (!(await page.isVisible("#advance"))) await schedule();
    await page.waitForSelector("#advance", { timeout: 15000 });
  }

  await readyAndWaitForGo();

  result.apiSupportCodes = [];
  const started = Date.now();
  if (args.action === "refresh") {
    await Promise.all([page.click("#refresh"), page.waitForResponse((r) => pathOf(r) === "/api/jobs").catch(() => {})]);
  } else if (args.action === "open") {
    await Promise.all([page.click(card), page.waitForResponse((r) => pathOf(r) === jobPath).catch(() => {})]);
  } else if (args.action === "advance") {
    await Promise.all([page.click("#advance"), page.waitForResponse((r) => pathOf(r) === `${jobPath}/status`).catch(() => {})]);
  } else if (args.action === "run") {
    let going = await click(card, jobPath);
    result.statuses.push(await detailStatus());
    if (going && (await page.isVisible("#schedule")) && !(await page.isVisible("#advance"))) going = await schedule();
    for (let step = 0; going && step < 4 && (await detailStatus()) !== "DONE"; step++) {
      going = (await page.isVisible("#advance")) && (await click("#advance", `${jobPath}/status`));
      result.statuses.push(await detailStatus());
    }
  }
  await settle(page, result, started);
  result.detailStatus = await detailStatus();
  result.previewNote = await shownText(page, "#preview-note");
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: false });
  await spanExports.settled();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
