#!/usr/bin/env node
// The chat page in a real browser: Debian's Chromium driven by playwright-core (from
// web/node_modules). Usage: node tests/e2e/chat_page.cjs http://127.0.0.1:PORT
// The server must run on the fixture warehouse, which holds a rock track named
// `<img src=x onerror=alert(1)>`. Prints one line per check and exits non-zero on a failure.
'use strict';

const path = require('path');
const { chromium } = require(path.join(__dirname, '..', '..', 'web', 'node_modules', 'playwright-core'));

const base = process.argv[2] || process.env.MUSICAGENT_E2E_URL;
const XSS_NAME = '<img src=x onerror=alert(1)>';
const TIMEOUT_MS = 30000;
let passed = 0;
let failed = 0;

function check(ok, what) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL ${what}`);
  }
}

async function main() {
  if (!base) throw new Error('usage: chat_page.cjs BASE_URL');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(String(e)));

    // Token frames as the page receives them (it renders at most once per animation frame).
    let tokenFrames = 0;
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => {
      if (String(frame.payload).includes('"type":"token"')) tokenFrames += 1;
    }));
    await page.goto(base);
    await page.waitForSelector('#connection[data-state="open"]');
    check(true, 'the page connects its WebSocket');
    await page.waitForSelector('#offline-banner:not([hidden])');
    check(true, 'the offline banner shows without a language model');

    await page.fill('#input', 'some energetic rock');
    await page.press('#input', 'Enter');
    await page.waitForSelector('.msg.user');
    const card = await page.waitForSelector('.tool-card[data-tool="recommend_by_genre"][data-ok="true"]');
    check(Boolean(card), 'a tool card for recommend_by_genre with its result');
    await page.waitForFunction(() => !document.querySelector('#send').disabled);
    const answer = await page.textContent('.msg.assistant .answer');
    check(/Back In Black/.test(answer), 'the streamed answer names a track');
    check(tokenFrames > 1, `the answer arrived as a stream of token frames (${tokenFrames})`);
    check(await page.$('.msg.assistant .answer strong, .msg.assistant .answer li') !== null,
      'the answer Markdown is rendered');

    const bars = await page.$$('.track-card svg.feature-chart rect.bar');
    check(bars.length >= 7, `track cards carry an audio-feature chart (${bars.length} bars)`);
    const names = await page.$$eval('.track-card .track-name', (nodes) => nodes.map((n) => n.textContent));
    check(names.includes(XSS_NAME), 'a track named like markup is shown as text');
    check(await page.$$eval('#messages img, #messages script', (n) => n.length) === 0,
      'no element was made from track names');
    await page.waitForTimeout(500);
    check(dialogs.length === 0, `no dialog fired (${dialogs.join(', ')})`);
    await page.click('.tool-card[data-tool="recommend_by_genre"] summary');
    check(await page.isVisible('.tool-card[data-tool="recommend_by_genre"] pre.result'),
      'the tool card opens to show its result');

    const id = await page.getAttribute('#conversations li.current', 'data-id');
    check(Boolean(id), `the conversation is listed (${id})`);
    if (process.env.MUSICAGENT_E2E_SCREENSHOT) {
      await page.screenshot({ path: process.env.MUSICAGENT_E2E_SCREENSHOT, fullPage: true });
    }

    // Reload, resume from the list, and go on in the same conversation.
    await page.reload();
    await page.waitForSelector('#connection[data-state="open"]');
    await page.click(`#conversations li[data-id="${id}"] button`);
    await page.waitForSelector('.msg.user');
    check((await page.textContent('.msg.user')) === 'some energetic rock', 'the resumed conversation shows the question');
    await page.waitForSelector('.tool-card[data-tool="recommend_by_genre"]');
    await page.waitForSelector('.track-card svg.feature-chart');
    check(true, 'the resumed conversation shows its tool card and track charts');
    await page.fill('#input', 'more');
    await page.press('#input', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('.msg.user').length === 2 &&
      !document.querySelector('#send').disabled);
    const stored = await page.evaluate(async (cid) => (await fetch(`/api/conversations/${cid}`)).json(), id);
    check(stored.turns === 2, `the follow-up went on in the same conversation (${stored.turns} turns)`);
    check(dialogs.length === 0, 'still no dialog');
    check(consoleErrors.length === 0, `no page errors (${consoleErrors.join('; ')})`);

    // A dropped socket: the page says so, reconnects by itself and goes on working.
    const dropped = await browser.newPage();
    dropped.setDefaultTimeout(TIMEOUT_MS);
    const routes = [];
    await dropped.routeWebSocket(/\/ws$/, (route) => {
      routes.push(route);
      route.connectToServer();
    });
    await dropped.goto(base);
    await dropped.waitForSelector('#connection[data-state="open"]');
    await routes[0].close({ code: 1001, reason: 'test drop' });
    await dropped.waitForSelector('#disconnected-banner:not([hidden])');
    check(true, 'a dropped socket shows the connection banner');
    await dropped.waitForSelector('#connection[data-state="open"]');
    await dropped.waitForSelector('#disconnected-banner', { state: 'hidden' });
    check(routes.length === 2, `the page reconnected by itself (${routes.length} connections)`);
    await dropped.fill('#input', 'some folk');
    await dropped.press('#input', 'Enter');
    await dropped.waitForSelector('.tool-card[data-tool="recommend_by_genre"][data-ok="true"]');
    check(true, 'the reconnected page answers');
  } finally {
    await browser.close();
  }
}

main()
  .catch((e) => {
    failed += 1;
    console.log(`FAIL ${e && e.stack ? e.stack : e}`);
  })
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
  });
