// End-to-end: a viewer asks a question on the viewer page, a producer
// approves it and puts it on air on /producer/, and the viewer sees it go on
// air; then both pages switch to English. Runs real pages in headless
// Chromium against a running studio.
//
//   YST_URL=http://127.0.0.1:18080 YST_PRODUCER_TOKEN=… YST_ARTIFACTS=dir \
//     node tests/e2e/questions.test.mjs
//
// Exit status 0 when every check passes, 1 otherwise; the last line is
// "1 passed, 0 failed" or "0 passed, 1 failed". Screenshots of both pages at
// every step go to YST_ARTIFACTS (default tests/artifacts/e2e).
//
// The pages must load without a console error, an uncaught exception, a
// Content-Security-Policy violation or a dialog (the question carries an
// <img onerror> that must stay text). The only console errors tolerated are
// failed loads under /hls/: the program playlist may not be written yet.
//
// Selectors: data-testid attributes of assets/web/index.html (viewer) and
// assets/web/producer/index.html (producer); cards are built by app.js and
// producer.js.
//   viewer:   question-form, question-nickname, question-category-question,
//             question-text, question-counter, question-submit,
//             question-message (data-kind ok|error), my-questions > my-question
//             (data-question-id, data-status) with my-question-text and
//             my-question-status (data-status), public-questions >
//             public-question with public-question-text, onair-card
//             (data-state none|on_air), onair-text, connection-banner
//   producer: login, login-form, login-token, login-name, login-submit,
//             login-error, board, pending-list, approved-list, onair-slot,
//             recent-list > question-card (data-question-id, data-status) with
//             card-text, action-approve, action-on-air; count-pending …
//   both:     <body data-hello="ok"> once the studio's hello.ok was applied
//             (producer: logged in).

import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const kStepTimeoutMs = 15000;
const kRateLimitWaitMs = 70000;

const baseUrl = (process.env.YST_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const producerToken = process.env.YST_PRODUCER_TOKEN || '';
const artifactsDir = path.resolve(process.env.YST_ARTIFACTS || 'tests/artifacts/e2e');

// A tag per run keeps reruns against the same studio apart.
const runTag = Date.now().toString(36);
const xss = '<img src=x onerror=alert(1)>';
const questionText = `${xss}温州医保卡异地使用怎么办？（e2e ${runTag}）`;
const nickname = 'e2e网友';

const problems = []; // console errors, page errors, CSP violations, dialogs
let step = 0;

function log(message) {
  process.stdout.write(`${message}\n`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Collects everything that must not happen on a page.
async function watch(page, name) {
  page.on('console', (message) => {
    const type = message.type();
    const text = message.text();
    const location = message.location() || {};
    const cspWarning = type === 'warning' && /Content Security Policy/i.test(text);
    if (type !== 'error' && !cspWarning) return;
    if (/^Failed to load resource/.test(text) && /\/hls\//.test(location.url || '')) return;
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

async function snapshot(viewer, producer, label) {
  step += 1;
  const prefix = `${String(step).padStart(2, '0')}-${label}`;
  await viewer.screenshot({ path: path.join(artifactsDir, `${prefix}-viewer.png`), fullPage: true });
  await producer.screenshot({ path: path.join(artifactsDir, `${prefix}-producer.png`), fullPage: false });
}

async function assertNoImages(page, name) {
  const count = await page.locator('img').count();
  check(count === 0, `${name}: ${count} <img> element(s) on the page: user text was parsed as HTML`);
}

async function assertNoProblems(where) {
  check(problems.length === 0, `${where}:\n  ${problems.join('\n  ')}`);
}

function testid(id) {
  return `[data-testid="${id}"]`;
}

// The producer's card for our question in one column.
function producerCard(producer, list) {
  return producer.locator(`${testid(list)} ${testid('question-card')}`)
    .filter({ has: producer.locator(testid('card-text'), { hasText: questionText }) });
}

function myQuestion(viewer) {
  return viewer.locator(`${testid('my-questions')} ${testid('my-question')}`)
    .filter({ has: viewer.locator(testid('my-question-text'), { hasText: questionText }) });
}

async function expectMyStatus(viewer, status, label) {
  const badge = myQuestion(viewer).locator(`${testid('my-question-status')}[data-status="${status}"]`);
  await badge.waitFor({ timeout: kStepTimeoutMs });
  const shown = (await badge.textContent()).trim();
  check(shown === label, `viewer: status badge says "${shown}", expected "${label}"`);
}

// Submits the question; when an earlier run from this address is still inside
// the studio's rate limit, waits for the page's countdown and sends again.
async function submitQuestion(viewer) {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await viewer.locator(testid('question-submit')).click();
    const received = myQuestion(viewer).first();
    const refused = viewer.locator(`${testid('question-message')}[data-kind="error"]`);
    await received.or(refused).first().waitFor({ timeout: kStepTimeoutMs });
    if (await received.count() > 0) return;
    const reason = (await refused.textContent()).trim();
    log(`# submission refused (${reason}); attempt ${attempt}`);
    if (!/太频繁|Too many/.test(reason)) throw new Error(`viewer: submission refused: ${reason}`);
    await viewer.locator(`${testid('question-submit')}:enabled`).waitFor({ timeout: kRateLimitWaitMs });
  }
  throw new Error('viewer: the question was refused three times');
}

async function run(browser) {
  const viewerContext = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const producerContext = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  const viewer = await viewerContext.newPage();
  const producer = await producerContext.newPage();
  await watch(viewer, 'viewer');
  await watch(producer, 'producer');
  viewer.setDefaultTimeout(kStepTimeoutMs);
  producer.setDefaultTimeout(kStepTimeoutMs);

  try {
    // 1. Both pages open; the viewer is connected, the producer sees the login.
    await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    await producer.goto(`${baseUrl}/producer/`, { waitUntil: 'load' });
    await producer.locator(testid('login-form')).waitFor({ state: 'visible' });
    const title = (await viewer.locator(testid('show-title')).textContent()).trim();
    check(title.length > 0, 'viewer: the show title is empty');
    log(`ok - pages open (show "${title}")`);
    await snapshot(viewer, producer, 'opened');

    // 2. The producer logs in.
    await producer.locator(testid('login-token')).fill(producerToken);
    await producer.locator(testid('login-name')).fill('e2e导播');
    await producer.locator(testid('login-submit')).click();
    const loginError = producer.locator(`${testid('login-error')}:visible`);
    await producer.locator('body[data-hello="ok"]').or(loginError).first().waitFor();
    if (await loginError.count() > 0) {
      throw new Error(`producer: login refused: ${(await loginError.textContent()).trim()}`);
    }
    await producer.locator(testid('board')).waitFor({ state: 'visible' });
    log('ok - producer logged in');
    await snapshot(viewer, producer, 'logged-in');

    // 3. The viewer asks.
    await viewer.locator(testid('question-nickname')).fill(nickname);
    await viewer.locator(testid('question-category-question')).check();
    await viewer.locator(testid('question-text')).fill(questionText);
    const counter = (await viewer.locator(testid('question-counter')).textContent()).trim();
    check(counter === `${[...questionText].length}/300`, `viewer: counter shows "${counter}"`);
    await submitQuestion(viewer);
    await expectMyStatus(viewer, 'pending', '已收到');
    const ack = (await viewer.locator(testid('question-message')).textContent()).trim();
    check(ack === '已收到，等待审核', `viewer: acknowledgement is "${ack}"`);
    const left = await viewer.locator(testid('question-text')).inputValue();
    check(left === '', 'viewer: the textarea was not cleared after question.received');
    log('ok - question received');
    await snapshot(viewer, producer, 'submitted');

    // 4. The producer sees it in 待审, as text.
    const pendingCard = producerCard(producer, 'pending-list');
    await pendingCard.waitFor();
    const shownText = await pendingCard.locator(testid('card-text')).textContent();
    check(shownText === questionText, `producer: card text is ${JSON.stringify(shownText)}`);
    check(shownText.includes(xss), 'producer: the <img> markup is not shown literally');
    await assertNoImages(producer, 'producer');
    await assertNoImages(viewer, 'viewer');
    const myText = await myQuestion(viewer).locator(testid('my-question-text')).textContent();
    check(myText === questionText, `viewer: my question reads ${JSON.stringify(myText)}`);
    log('ok - producer sees the question in 待审, literally');
    await snapshot(viewer, producer, 'pending');

    // 5. Approve: it moves to the queue; the viewer's badge follows.
    await pendingCard.locator(testid('action-approve')).click();
    const queuedCard = producerCard(producer, 'approved-list');
    await queuedCard.waitFor();
    await expectMyStatus(viewer, 'approved', '已通过');
    await viewer.locator(`${testid('public-questions')} ${testid('public-question-text')}`)
      .filter({ hasText: questionText }).waitFor();
    log('ok - approved');
    await snapshot(viewer, producer, 'approved');

    // 6. On air: the producer's 正在回答 column, the viewer's badge and card.
    await queuedCard.locator(testid('action-on-air')).click();
    await producerCard(producer, 'onair-slot').waitFor();
    await expectMyStatus(viewer, 'on_air', '正在回答');
    await viewer.locator(`${testid('onair-card')}[data-state="on_air"]`).waitFor();
    const onAirText = await viewer.locator(testid('onair-text')).textContent();
    check(onAirText === questionText, `viewer: on-air card reads ${JSON.stringify(onAirText)}`);
    log('ok - on air');
    await snapshot(viewer, producer, 'on-air');

    // 7. The studio's status agrees.
    const response = await fetch(`${baseUrl}/api/status`, { cache: 'no-store' });
    check(response.ok, `/api/status: HTTP ${response.status}`);
    const status = await response.json();
    const onAir = status.on_air_question;
    check(onAir && typeof onAir.text === 'string' && onAir.text.includes('温州医保卡'),
          `/api/status: on_air_question is ${JSON.stringify(onAir)}`);
    check(onAir.text.includes(runTag), `/api/status: another question is on air: ${onAir.text}`);
    log('ok - /api/status names the question on air');

    // 8. English is one click away, on both pages.
    await viewer.locator(testid('lang-toggle')).click();
    await producer.locator(testid('lang-toggle')).click();
    const send = (await viewer.locator(testid('question-submit')).textContent()).trim();
    check(send === 'Send', `viewer in English: the submit button reads "${send}"`);
    const login = (await producer.locator(testid('logout')).textContent()).trim();
    check(/^[\x20-\x7e]+$/.test(login), `producer in English: logout reads "${login}"`);
    await snapshot(viewer, producer, 'english');
    log('ok - English');

    await assertNoImages(producer, 'producer');
    await assertNoImages(viewer, 'viewer');
    await assertNoProblems('console, page errors, CSP or dialogs');
    log('ok - no console errors, CSP violations or dialogs');
  } catch (error) {
    await viewer.screenshot({ path: path.join(artifactsDir, 'failure-viewer.png'), fullPage: true }).catch(() => {});
    await producer.screenshot({ path: path.join(artifactsDir, 'failure-producer.png') }).catch(() => {});
    throw error;
  } finally {
    await viewerContext.close().catch(() => {});
    await producerContext.close().catch(() => {});
  }
}

async function main() {
  if (!producerToken) {
    log('YST_PRODUCER_TOKEN is not set');
    log('0 passed, 1 failed');
    return 1;
  }
  await mkdir(artifactsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.YST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await run(browser);
    log('1 passed, 0 failed');
    return 0;
  } catch (error) {
    log(`not ok - ${error && error.stack ? error.stack : error}`);
    if (problems.length > 0) log(`# also seen:\n#   ${problems.join('\n#   ')}`);
    log(`# screenshots in ${artifactsDir}`);
    log('0 passed, 1 failed');
    return 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

process.exitCode = await main();
