// Drives Debian's chromium through playwright-core for gateway/browser_test.go:
// mounts the in-page checkout on the test shop (served with a strict
// Content-Security-Policy) for an order the Go test then pays, and for one
// it lets expire, and reports what the pages showed as JSON lines on
// stdout: {"ready": ...} when the Go test should act, {"result": ...} last.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const cfg = JSON.parse(process.argv[2]); // {shop, screenshots}
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");

async function visit(context, url, log) {
  const page = await context.newPage();
  page.on("console", (m) => log.push(m.type() + ": " + m.text()));
  page.on("pageerror", (e) => log.push("pageerror: " + e.message));
  await page.goto(url);
  return page;
}

// screen reads what the checkout shows.
function screen(page) {
  return page.evaluate(() => {
    const root = document.querySelector(".scanpay-checkout");
    const text = (sel) => {
      const el = root && root.querySelector(sel);
      return el ? el.textContent : null;
    };
    const visible = (sel) => {
      const el = root && root.querySelector(sel);
      return !!el && getComputedStyle(el).display !== "none";
    };
    const img = root && root.querySelector(".scanpay-qr img");
    return {
      status: root && root.getAttribute("data-status"),
      lang: root && root.lang,
      merchant: text(".scanpay-merchant"),
      amount: text(".scanpay-amount"),
      currency: text(".scanpay-currency"),
      hint: text(".scanpay-hint"),
      countdown: text(".scanpay-countdown"),
      qrLoaded: !!img && img.complete && img.naturalWidth > 0,
      qrVisible: visible(".scanpay-pending"),
      paidVisible: visible(".scanpay-paid"),
      expiredVisible: visible(".scanpay-expired"),
      title: (root && [...root.querySelectorAll(".scanpay-title")].filter((el) => getComputedStyle(el.parentNode).display !== "none").map((el) => el.textContent)[0]) || null,
      // The stylesheet came from the gateway and applies.
      styled: !!root && getComputedStyle(root).borderTopLeftRadius === "16px",
      outcomes: window.shop.outcomes,
      violations: window.shop.violations,
    };
  });
}

async function checkout(context, name, url) {
  const log = [];
  const page = await visit(context, url, log);
  await page.waitForSelector('.scanpay-checkout[data-status="pending"] .scanpay-countdown', { timeout: 15000 });
  await page.waitForFunction(() => {
    const img = document.querySelector(".scanpay-qr img");
    const c = document.querySelector(".scanpay-countdown");
    return img && img.complete && img.naturalWidth > 0 && c && c.textContent !== "--:--";
  }, null, { timeout: 15000 });
  const before = await screen(page);
  await page.screenshot({ path: path.join(cfg.screenshots, name + "-pending.png") });
  say({ ready: name });
  await page.waitForFunction((want) => window.shop.outcomes.length > 0 &&
    document.querySelector(".scanpay-checkout").getAttribute("data-status") === want, name, { timeout: 30000 });
  await page.waitForTimeout(300); // anything late (a second callback, a violation) shows up too
  const after = await screen(page);
  await page.screenshot({ path: path.join(cfg.screenshots, name + "-" + after.status + ".png") });
  await page.close();
  return { before, after, log };
}

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "scanpay-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const probeLog = [];
    const probe = await visit(context, cfg.shop + "/probe", probeLog);
    await probe.waitForFunction(() => window.shop.violations.length > 0, null, { timeout: 5000 }).catch(() => {});
    const probeViolations = await probe.evaluate(() => window.shop.violations);
    await probe.close();

    const paid = await checkout(context, "paid", cfg.shop + "/checkout/paid");
    const expired = await checkout(context, "expired", cfg.shop + "/checkout/expired");
    say({ result: { probe: { violations: probeViolations, log: probeLog }, paid, expired } });
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
})().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exit(1);
});
