// The dashboard in headless Chromium (Debian's chromium, driven by playwright-core), for DashboardE2eTest.
// Usage: node dashboard-e2e.mjs <base url> <api key> <screenshot dir>
// Prints one JSON object per line; takes "load-started", then "sent" (once per round), then "funnel" on stdin.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [baseUrl, apiKey, screenshots] = process.argv.slice(2);
const print = (event, body = {}) => process.stdout.write(JSON.stringify({ event, ...body }) + "\n");
const UPDATE_WITHIN_MS = 2000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on("pageerror", (error) => print("page_error", { error: String(error) }));
  await page.goto(baseUrl + "/");

  // The prompt asks for project and key; a wrong key is refused with a message.
  await page.waitForSelector("#login[open]");
  await page.fill("#project", "demo");
  await page.fill("#api-key", "not-a-key");
  await page.click("#login button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#login-error").textContent.includes("not known"));
  await page.fill("#api-key", apiKey);
  await page.click("#login button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#status").dataset.state === "live", null, { timeout: 10_000 });
  // The history the test sent before opening the page is drawn from the snapshots.
  await page.waitForFunction(() => Chart.getChart(document.getElementById("orders-chart")).data.datasets[0].data.some((v) => v > 0)
    && document.querySelectorAll("#top-products tbody tr:not(.empty)").length > 0, null, { timeout: 10_000 });
  print("ready");

  // Screenshots of the history the test sent, before the load adds the test's marker purchases.
  await page.screenshot({ path: `${screenshots}/dashboard-1366x768.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}/dashboard-phone.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1366, height: 768 });
  print("screenshots", { overflow });

  const input = readline.createInterface({ input: process.stdin });
  const commands = input[Symbol.asyncIterator]();
  const next = async () => (await commands.next()).value;
  if ((await next()) !== "load-started") throw new Error("expected load-started");

  // What the page shows now, read from the charts themselves and the table.
  const state = () => page.evaluate(() => {
    const sum = (id) => Chart.getChart(document.getElementById(id)).data.datasets[0].data.reduce((a, b) => a + b, 0);
    return {
      orders: sum("orders-chart"),
      revenue: sum("revenue-chart"),
      countries: sum("country-chart"),
      top: [...document.querySelectorAll("#top-products tbody tr:not(.empty)")].map((r) => r.textContent).join("|"),
    };
  });
  // Each round the test posts one purchase of product marker-<round> worth over 20,000 (it tops the table) while the load runs:
  // both charts and the top-products table must show it within 2 s of its acceptance.
  for (let round = 1; round <= 3; round++) {
    const before = await state();
    print("armed", { round });
    if ((await next()) !== "sent") throw new Error("expected sent");
    const started = Date.now();
    await page.waitForFunction(({ b, marker }) => {
      const sum = (id) => Chart.getChart(document.getElementById(id)).data.datasets[0].data.reduce((x, y) => x + y, 0);
      const top = document.querySelector("#top-products tbody").textContent;
      return sum("orders-chart") >= b.orders + 1 && sum("revenue-chart") >= b.revenue + 20000 && top.includes(marker);
    }, { b: before, marker: `marker-${round}` }, { timeout: UPDATE_WITHIN_MS, polling: 50 });
    print("updated", { round, millis: Date.now() - started, before, after: await state() });
  }


  // The page reconnects by itself when its connection drops.
  await page.evaluate(() => socket.close());
  await page.waitForFunction(() => document.querySelector("#status").dataset.state === "reconnecting");
  await page.waitForFunction(() => document.querySelector("#status").dataset.state === "live", null, { timeout: 10_000 });
  print("reconnected");

  // The funnel panel shows today's users per step once the load generator's visits are recorded.
  if ((await next()) !== "funnel") throw new Error("expected funnel");
  const users = () => [...document.querySelectorAll("#funnel .users")].map((b) => Number(b.dataset.users));
  await page.waitForFunction(() => [...document.querySelectorAll("#funnel .users")].filter((b) => Number(b.dataset.users) > 0).length === 5,
    null, { timeout: 30_000, polling: 200 }).catch(() => {});
  print("funnel", { users: await page.evaluate(users), steps: await page.evaluate(() =>
    [...document.querySelectorAll("#funnel li span:first-child")].map((s) => s.textContent)) });
  input.close();
} finally {
  await browser.close();
}
