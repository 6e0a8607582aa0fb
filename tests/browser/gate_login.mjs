// Logs in to the trace access gate through Keycloak's real login form, in headless
// Chromium, then uses Jaeger's API in the same browser session.
//
//   node gate_login.mjs --gate URL --user NAME --password SECRET --trace ID
//
// Prints one JSON line: what the browser got at each step.
import { parseArgs } from "node:util";
import { launch } from "./journey.mjs";

const { values: args } = parseArgs({
  options: { gate: { type: "string" }, user: { type: "string" }, password: { type: "string" }, trace: { type: "string" } },
});
const browser = await launch();
const result = {};
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(args.gate, { waitUntil: "load" });
  result.loginPage = new URL(page.url()).pathname;  // Keycloak's login form
  result.loginOrigin = new URL(page.url()).origin;
  result.loginFormSeen = await page.isVisible("#username");
  await page.fill("#username", args.user);
  await page.fill("#password", args.password);
  const [landing] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#kc-login")]);
  result.landingStatus = landing ? landing.status() : 0;
  result.landingUrl = page.url();
  const services = await page.request.get(`${args.gate}/api/services`);
  result.servicesStatus = services.status();
  result.services = services.ok() ? (await services.json()).data : [];
  const search = await page.request.get(`${args.gate}/api/traces?service=shop-api&lookback=2h&limit=5`);
  result.searchStatus = search.status();
  result.searchCount = search.ok() ? (await search.json()).data.length : 0;
  const byId = await page.request.get(`${args.gate}/api/traces/${args.trace}`);
  result.traceStatus = byId.status();
  result.cookies = (await context.cookies()).map(({ name, domain, secure, httpOnly, sameSite }) =>
    ({ name, domain, secure, httpOnly, sameSite }));
  const logout = await page.request.get(`${args.gate}/oauth2/sign_out`, { maxRedirects: 0 });
  result.logoutStatus = logout.status();
  result.afterLogoutStatus = (await page.request.get(`${args.gate}/api/services`)).status();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
