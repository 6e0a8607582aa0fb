// One Chromium for a whole test session: starting one per journey costs 2-3 s on this
// machine. Prints the endpoint journeys connect to (FT_BROWSER_WS), and stops the browser
// when its standard input closes (the session ended, or the test runner died).
//
//   node browser_server.mjs
import { chromium } from "playwright-core";

import { launchOptions } from "./journey.mjs";

// Loopback only; the endpoint's path is random, so only who reads it here can connect.
const server = await chromium.launchServer({ ...launchOptions(), host: "127.0.0.1" });
console.log(server.wsEndpoint());
process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close();
  process.exit(0);
});
