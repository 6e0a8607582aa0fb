// What the scenario journeys share: the browser, and reading what the user saw once the
// page settled after the action.
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
  });
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
