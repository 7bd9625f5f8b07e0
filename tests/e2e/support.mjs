// What the browser tests share: a Chromium launch, the watch on everything
// that must not happen on a page (console errors, uncaught exceptions,
// Content-Security-Policy violations, dialogs), and the pass/fail protocol
// test_web_e2e.py reads (exit status; last line "1 passed, 0 failed").

import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export const baseUrl = (process.env.YST_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const artifactsDir = path.resolve(process.env.YST_ARTIFACTS || 'tests/artifacts/e2e');

export const problems = [];

export function log(message) {
  process.stdout.write(`${message}\n`);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Tests check behaviour, benchmarks speed (scripts/bench-latency holds the
// budgets of these pages): a delay a page test needs to mean anything ("at
// once") is checked against its budget made kSlack times looser, so that a
// loaded machine passes and a hang still fails, and the figure is logged.
export const kSlack = 3;

export function measured(what, valueMs, budgetMs) {
  log(`[measured] ${what}: ${valueMs} ms (test bound < ${budgetMs * kSlack}; budget < ${budgetMs} ` +
      'in scripts/bench-latency)');
  check(valueMs < budgetMs * kSlack, `${what} took ${valueMs} ms (budget ${budgetMs} ms, ` +
        `bound ${budgetMs * kSlack} ms on a loaded machine)`);
}

// Calls `probe` (async, returns {ok, value, seen}) every `pollMs` until it
// says ok, and returns its value; past `timeoutMs`, throws with what it
// last saw.
export async function pollUntil(probe, what, timeoutMs = 15000, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last.value;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`expected ${what}; last seen: ${JSON.stringify(last && last.seen)}`);
}

export function testid(id) {
  return `[data-testid="${id}"]`;
}

// The viewer page asks `text` and waits until the studio has acknowledged it
// (its entry in "my questions" carries data-question-id only then): the id.
export async function askAndAwaitAck(page, text, what, timeoutMs = 15000) {
  await page.locator(testid('question-text')).fill(text);
  await page.locator(`${testid('question-submit')}:enabled`).click();
  const mine = page.locator(`${testid('my-questions')} ${testid('my-question')}`)
    .filter({ has: page.locator(testid('my-question-text'), { hasText: text }) });
  return pollUntil(async () => {
    const count = await mine.count();
    const qid = count === 1 ? await mine.getAttribute('data-question-id') : null;
    return { ok: Boolean(qid), value: qid, seen: { count, qid } };
  }, what, timeoutMs);
}

// `tolerate(text, url)` may excuse a console error (a resource that is
// allowed to be missing).
// 问政跟踪: the viewer page on a phone, as the viewer `viewerId` (the id the
// page keeps), once 我的提问 shows the department's reply to item `itemId`,
// checked to be text (the replies carry an <img onerror> string). The caller
// closes the context.
export async function openMyFollowup(browser, viewerId, itemId, timeoutMs = 15000) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
  await context.addInitScript((id) => localStorage.setItem('yst.viewer', id), viewerId);
  const page = await context.newPage();
  await watch(page, 'viewer', missingHls);
  await page.goto(`${baseUrl}/`);
  const block = `${testid('my-followup')}[data-item-id="${itemId}"]`;
  await page.waitForSelector(`${block} ${testid('my-followup-reply')}`, { timeout: timeoutMs });
  const shown = await page.$eval(`${block} ${testid('my-followup-reply')}`, (n) => ({ text: n.textContent, imgs: n.querySelectorAll('img').length }));
  check(shown.text.includes('<img src=x') && shown.imgs === 0, `我的提问 shows the reply as text: ${JSON.stringify(shown)}`);
  return { context, page, block };
}

export async function watch(page, name, tolerate = () => false) {
  page.on('console', (message) => {
    const type = message.type();
    const text = message.text();
    const location = message.location() || {};
    const cspWarning = type === 'warning' && /Content Security Policy/i.test(text);
    if (type !== 'error' && !cspWarning) return;
    if (tolerate(text, location.url || '')) return;
    problems.push(`${name}: console.${type}: ${text} (${location.url || '?'}:${location.lineNumber ?? '?'})`);
  });
  page.on('pageerror', (error) => problems.push(`${name}: uncaught: ${error.message}`));
  page.on('dialog', async (dialog) => {
    problems.push(`${name}: a ${dialog.type()} dialog opened: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  // The event is dispatched in the page; the binding brings it out (bindings
  // and init scripts are installed through the DevTools protocol, not CSP).
  await page.exposeBinding('__ystCspViolation', (_source, report) => {
    problems.push(`${name}: CSP violation: ${report}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__ystCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
                               `at ${event.sourceFile || '?'}:${event.lineNumber || '?'}`);
    });
  });
}

// For watch(): a page that plays the live program may fail to load the
// playlist before the studio's HLS output has written it.
export function missingHls(text, url) {
  return /^Failed to load resource/.test(text) && /\/hls\//.test(url);
}

export function assertNoProblems(where) {
  check(problems.length === 0, `${where}:\n  ${problems.join('\n  ')}`);
}

// /api/status and /metrics are staff only: the producer token as a bearer.
const staffHeaders = process.env.YST_PRODUCER_TOKEN
  ? { Authorization: `Bearer ${process.env.YST_PRODUCER_TOKEN}` } : {};

export async function getJson(pathname) {
  const response = await fetch(`${baseUrl}${pathname}`, { cache: 'no-store', headers: staffHeaders });
  check(response.ok, `${pathname}: HTTP ${response.status}`);
  return response.json();
}

// A client outside the browser (a producer, a second typist): says hello,
// then request() sends a command and waits for its answer, waitEvent() for
// a message the studio sends of itself.
// Every client's socket, closed when the test ends whatever happened: one
// left open (a check failed before its close()) keeps Node running.
const openSockets = new Set();

export async function connectAs(hello, who, timeoutMs = 15000) {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  openSockets.add(socket);
  socket.on('close', () => openSockets.delete(socket));
  const answers = [];
  socket.on('message', (data) => answers.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // The first message from the `from`th on that `match` takes.
  const until = async (match, what, from = 0, waitMs = timeoutMs) => {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const found = answers.slice(from).find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    throw new Error(`${who}: no ${what} within ${waitMs} ms`);
  };
  socket.send(JSON.stringify(hello));
  const ok = await until((m) => m.type === 'hello.ok' || m.type === 'error', 'hello.ok');
  check(ok.type === 'hello.ok' && ok.role === hello.role, `${who}: hello refused: ${JSON.stringify(ok)}`);
  let next = 1;
  return {
    // The answer, whatever it is (a refusal a test expects).
    async send(message) {
      const id = `e2e-${next++}`;
      socket.send(JSON.stringify({ ...message, id }));
      return until((m) => m.id === id, `answer to ${message.type}`);
    },
    async request(message) {
      const answer = await this.send(message);
      check(answer.type !== 'error', `${who}: ${message.type} refused: ${JSON.stringify(answer)}`);
      return answer;
    },
    // The first message from now on that `match` takes (an event such as
    // audio.levels).
    waitEvent(match, what, waitMs = timeoutMs) {
      return until(match, what, answers.length, waitMs);
    },
    close() {
      socket.close();
    },
  };
}

// Runs `run(browser)` in headless Chromium and sets the exit status.
// YST_TRUST_SPKI (base64 SHA-256 of a certificate's public key, RFC 7469):
// that one certificate is trusted, as a test CA's server certificate must be;
// every other certificate is still checked as usual.
// A headless Chromium of its own: `executablePath` (a wrapper that runs it
// in a guest's network, say) and flags besides the usual ones (a fake camera).
export async function launchChromium({ executablePath, args: extra = [] } = {}) {
  const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra];
  if (process.env.YST_TRUST_SPKI) args.push(`--ignore-certificate-errors-spki-list=${process.env.YST_TRUST_SPKI}`);
  return chromium.launch({
    executablePath: executablePath || process.env.YST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
  });
}

export async function runBrowserTest(run, options = {}) {
  await mkdir(artifactsDir, { recursive: true });
  const browser = await launchChromium(options);
  try {
    await run(browser);
    log('1 passed, 0 failed');
    process.exitCode = 0;
  } catch (error) {
    log(`not ok - ${error && error.stack ? error.stack : error}`);
    if (problems.length > 0) log(`# also seen:\n#   ${problems.join('\n#   ')}`);
    log(`# screenshots in ${artifactsDir}`);
    log('0 passed, 1 failed');
    process.exitCode = 1;
  } finally {
    for (const socket of openSockets) socket.terminate();
    await browser.close().catch(() => {});
  }
}
