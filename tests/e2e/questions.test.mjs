// End-to-end: a viewer asks a question on the viewer page, a producer
// approves it and puts it on air on /producer/, and the viewer sees it go on
// air; the producer drives the broadcast graphics (ticker, lower-third,
// slates, theme) from the 节目包装 panel; then both pages switch to English.
// Runs real pages in headless Chromium against a running studio.
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
// assets/web/producer/index.html (producer); cards are built by
// viewer/view.js and producer/view.js.
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
//             card-text, action-approve, action-on-air; count-pending …;
//             graphics (the panel, drawn by graphics_view.js) with graphics-heading,
//             graphics-lt-<person>-left|right, graphics-card|bug|clock|qr,
//             graphics-ticker-text|on|off, graphics-slate-none|starting|hold,
//             graphics-slate-minutes, graphics-slate-remaining,
//             graphics-silenced, graphics-theme, graphics-clear; toggles
//             carry aria-pressed
//   both:     <body data-hello="ok"> once the studio's hello.ok was applied
//             (producer: logged in).

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, missingHls, runBrowserTest,
  testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const kRateLimitWaitMs = 70000;

const producerToken = process.env.YST_PRODUCER_TOKEN || '';

// A tag per run keeps reruns against the same studio apart.
const runTag = Date.now().toString(36);
const xss = '<img src=x onerror=alert(1)>';
const questionText = `${xss}温州医保卡异地使用怎么办？（e2e ${runTag}）`;
const nickname = 'e2e网友';
// Markup in the ticker must reach the program, and the page, as text.
const tickerText = `<b>x</b> 欢迎收看温网议事厅（e2e ${runTag}）`;
// make_show() has one guest, 张三; the studio calls the first guest guest1.
const guestPerson = 'guest1';

let step = 0;

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

function studioStatus() {
  return getJson('/api/status');
}

// Polls /api/status until its overlay satisfies `predicate`.
async function expectOverlay(predicate, what) {
  const deadline = Date.now() + kStepTimeoutMs;
  let overlay = null;
  while (Date.now() < deadline) {
    overlay = (await studioStatus()).overlay;
    if (overlay && predicate(overlay)) return overlay;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/api/status: expected ${what}; overlay is ${JSON.stringify(overlay)}`);
}

function pressed(page, id, value = true) {
  return page.locator(`${testid(id)}[aria-pressed="${value}"]`);
}

// A second producer console, outside the browser: one command, then gone.
async function otherProducerSends(message) {
  const other = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: 'e2e第二导播' },
    'second producer', kStepTimeoutMs);
  try {
    const answer = await other.request(message);
    check(answer.ok === true, `second producer: ${message.type} refused: ${JSON.stringify(answer)}`);
  } finally {
    other.close();
  }
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
  await watch(viewer, 'viewer', missingHls);
  await watch(producer, 'producer', missingHls);
  viewer.setDefaultTimeout(kStepTimeoutMs);
  producer.setDefaultTimeout(kStepTimeoutMs);

  try {
    // 1. Both pages open; the viewer is connected, the producer sees the login.
    await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    // The viewer id is the one the studio issued (its own, signed), kept by the page.
    const viewerId = await viewer.evaluate(() => localStorage.getItem('yst.viewer'));
    check(/^[A-Za-z0-9_-]{44}$/.test(viewerId || ''), `viewer: no studio-issued id kept: "${viewerId}"`);
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
    const status = await studioStatus();
    const onAir = status.on_air_question;
    check(onAir && typeof onAir.text === 'string' && onAir.text.includes('温州医保卡'),
          `/api/status: on_air_question is ${JSON.stringify(onAir)}`);
    check(onAir.text.includes(runTag), `/api/status: another question is on air: ${onAir.text}`);
    log('ok - /api/status names the question on air');

    // 8. The graphics panel shows the studio's state: the question on air
    // brought its card up by itself.
    await producer.locator(testid('graphics')).waitFor({ state: 'visible' });
    await pressed(producer, 'graphics-card').waitFor();
    log('ok - graphics panel shows the question card on air');

    // 9. The ticker goes on air with markup in it, kept as text everywhere.
    const ticker = producer.locator(testid('graphics-ticker-text'));
    await ticker.fill(tickerText);
    await producer.locator(testid('graphics-ticker-on')).click();
    await expectOverlay((o) => o.ticker.visible === true && o.ticker.text === tickerText,
                        `ticker ${JSON.stringify(tickerText)} on air`);
    await pressed(producer, 'graphics-ticker-on').waitFor();
    check(await producer.locator('b').count() === 0, 'producer: the ticker text was parsed as HTML');
    check(await ticker.inputValue() === tickerText, 'producer: the ticker input lost its text');
    log('ok - ticker on air, verbatim');

    // 10. An update while the producer types does not take their draft away,
    // and what another producer did shows here too.
    const clockWasOn = (await studioStatus()).overlay.clock.visible;
    const draft = `${tickerText} 草稿`;
    await ticker.fill(draft);
    await ticker.focus();
    await otherProducerSends({ type: 'overlay.clock', visible: !clockWasOn });
    await pressed(producer, 'graphics-clock', !clockWasOn).waitFor();
    check(await ticker.inputValue() === draft, 'producer: an update replaced the ticker being typed');
    await otherProducerSends({ type: 'overlay.clock', visible: clockWasOn });
    await pressed(producer, 'graphics-clock', clockWasOn).waitFor();
    log('ok - another producer\'s change shows; the draft stays');

    // 11. The guest's lower-third on the right.
    await producer.locator(testid(`graphics-lt-${guestPerson}-right`)).click();
    await expectOverlay((o) => o.lower_thirds.right && o.lower_thirds.right.person === guestPerson,
                        `${guestPerson} on the right`);
    await pressed(producer, `graphics-lt-${guestPerson}-right`).waitFor();
    log('ok - lower-third on the right');

    // 12. Slates: 节目即将开始 counts down from the minutes given; 稍后回来
    // silences the program; 无 takes them down.
    await producer.locator(testid('graphics-slate-minutes')).fill('2');
    await producer.locator(testid('graphics-slate-starting')).click();
    await expectOverlay((o) => o.slate.kind === 'starting' && o.slate.remaining_s > 100 &&
                               o.slate.remaining_s <= 120, 'a 2-minute starting slate');
    const remaining = producer.locator(testid('graphics-slate-remaining'));
    await remaining.waitFor({ state: 'visible' });
    const shownRemaining = (await remaining.textContent()).trim();
    check(/0[12]:[0-5]\d/.test(shownRemaining), `producer: the countdown reads "${shownRemaining}"`);
    await producer.locator(testid('graphics-slate-hold')).click();
    await expectOverlay((o) => o.slate.kind === 'hold' && o.program_silenced === true,
                        'the hold slate, program silenced');
    await pressed(producer, 'graphics-slate-hold').waitFor();
    await producer.locator(testid('graphics-silenced')).waitFor({ state: 'visible' });
    check(await remaining.isHidden(), 'producer: a countdown is shown under the hold slate');
    await producer.screenshot({ path: path.join(artifactsDir, 'producer-graphics.png') });
    log('ok - hold slate, program silenced');
    await producer.locator(testid('graphics-slate-none')).click();
    await expectOverlay((o) => o.slate.kind === 'none' && o.program_silenced === false, 'no slate');
    await pressed(producer, 'graphics-slate-none').waitFor();
    await producer.locator(testid('graphics-silenced')).waitFor({ state: 'hidden' });
    log('ok - slate down');

    // 13. The theme, switched live and back.
    const theme = producer.locator(testid('graphics-theme'));
    for (const name of ['cinnabar', 'default']) {
      await theme.selectOption(name);
      await expectOverlay((o) => o.theme === name, `theme ${name}`);
      await producer.locator(`${testid('graphics-theme')}:has(option[value="${name}"]:checked)`).waitFor();
    }
    log('ok - theme cinnabar, then default');
    await assertNoImages(producer, 'producer');
    await snapshot(viewer, producer, 'graphics');

    // 14. English is one click away, on both pages.
    await viewer.locator(testid('lang-toggle')).click();
    await producer.locator(testid('lang-toggle')).click();
    const send = (await viewer.locator(testid('question-submit')).textContent()).trim();
    check(send === 'Send', `viewer in English: the submit button reads "${send}"`);
    const login = (await producer.locator(testid('logout')).textContent()).trim();
    check(/^[\x20-\x7e]+$/.test(login), `producer in English: logout reads "${login}"`);
    const graphicsHeading = (await producer.locator(testid('graphics-heading')).textContent()).trim();
    check(graphicsHeading === 'Graphics', `producer in English: the graphics heading reads "${graphicsHeading}"`);
    await snapshot(viewer, producer, 'english');
    log('ok - English');

    // 15. A reload keeps the viewer's id and their question; an id the
    // studio did not issue (an earlier version's page made them up) is
    // replaced, and the page keeps the new one.
    await viewer.reload({ waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    check(await viewer.evaluate(() => localStorage.getItem('yst.viewer')) === viewerId,
          'viewer: the id changed over a reload');
    await myQuestion(viewer).first().waitFor();
    const madeUp = 'madeUpByAnOldPage_0123456789';
    await viewer.evaluate((id) => localStorage.setItem('yst.viewer', id), madeUp);
    await viewer.reload({ waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    const replaced = await viewer.evaluate(() => localStorage.getItem('yst.viewer'));
    check(/^[A-Za-z0-9_-]{44}$/.test(replaced || '') && replaced !== viewerId,
          `viewer: a made-up id was not replaced: "${replaced}"`);
    check(await myQuestion(viewer).count() === 0, 'viewer: a new id still lists the old questions');
    log('ok - the viewer id is the studio\'s: kept over a reload, a made-up one replaced');

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

if (!producerToken) {
  log('YST_PRODUCER_TOKEN must be set');
  log('0 passed, 1 failed');
  process.exitCode = 1;
} else {
  await runBrowserTest(run);
}
