// End-to-end: the public archive (/archive/). A reader opens the list of
// past shows, opens the ended one, and its video plays; a click on a line of
// the text record seeks the video to it and marks it; the mark follows the
// video as it plays; a search for a one-character term finds the line with
// the term marked, and the hit seeks the video there; the page switches to
// English; a shared link with a time opens the show at that moment on a
// phone, and the moment stays marked in the other language. Runs in
// headless Chromium against a running studio whose data directory holds an
// ended, packaged show (YST_SESSION) and which runs the next one live
// (YST_LIVE_SESSION).
//
//   YST_URL=http://127.0.0.1:18080 YST_SESSION=1 YST_LIVE_SESSION=2 \
//     YST_ARTIFACTS=dir node tests/e2e/archive.test.mjs
//
// The ended show has a line containing "房" and one with a <script> string
// that must stay text. No console error, CSP violation or dialog is allowed.
// Screenshots go to YST_ARTIFACTS, named archive-*. Selectors: see the top
// of assets/web/archive/view.js.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, getJson, log, runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const kSeekToleranceS = 0.35;

const sessionId = Number(process.env.YST_SESSION || 0);
const liveSessionId = Number(process.env.YST_LIVE_SESSION || 0);

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `archive-${name}.png`) });
}

async function videoState(page) {
  return page.$eval(testid('archive-video'), (v) => ({
    ready: v.readyState, duration: v.duration, time: v.currentTime, paused: v.paused,
    error: v.error ? v.error.code : 0,
  }));
}

async function waitSeeked(page, seconds, what) {
  await page.waitForFunction(([selector, want, tolerance]) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 1 && !v.seeking && Math.abs(v.currentTime - want) <= tolerance + 3;
  }, [testid('archive-video'), seconds, kSeekToleranceS], { timeout: kStepTimeoutMs });
  const state = await videoState(page);
  // The player may already have moved on a little if it is playing.
  check(state.time >= seconds - kSeekToleranceS && state.time <= seconds + (state.paused ? kSeekToleranceS : 3),
    `${what}: the video is at ${state.time.toFixed(2)} s, want ${seconds.toFixed(2)} s`);
}

async function currentLineId(page) {
  return page.$eval(`${testid('transcript')} [data-current="true"]`, (n) => Number(n.dataset.lineId))
    .catch(() => 0);
}

async function run(browser) {
  check(sessionId > 0 && liveSessionId > 0, 'YST_SESSION and YST_LIVE_SESSION must be set');
  const { session, lines } = await getJson(`/api/archive/session?id=${sessionId}`);
  check(session.video, `session ${sessionId} has no video in the archive API`);
  const offset = session.video.offset_ms;
  const atVideo = (line) => Math.max(0, (line.start_ms - offset) / 1000);
  const rentLine = lines.find((l) => l.text.includes('房'));
  const xssLine = lines.find((l) => l.text.includes('<script>'));
  check(rentLine && xssLine, 'the recorded show lacks its test lines');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'archive');
  await page.goto(`${baseUrl}/archive/`);
  await page.waitForSelector(`${testid('session-list')}[data-loaded="true"]`, { timeout: kStepTimeoutMs });

  // The list: the live show first, then the ended one with its poster.
  const cards = await page.$$eval(testid('session-card'), (nodes) => nodes.map((n) => ({
    id: Number(n.dataset.sessionId), pkg: n.dataset.package, img: Boolean(n.querySelector('img')),
    title: n.querySelector('[data-testid="session-card-title"]').textContent,
  })));
  const ended = cards.find((c) => c.id === sessionId);
  const live = cards.find((c) => c.id === liveSessionId);
  check(ended && ended.pkg === 'ready' && ended.img, `the ended show's card: ${JSON.stringify(cards)}`);
  check(ended.title === session.title, `card title ${ended.title}`);
  check(live && live.pkg === 'live', `the live show's card: ${JSON.stringify(cards)}`);
  await page.waitForFunction((id) => {
    const img = document.querySelector(`[data-session-id="${id}"] img`);
    return img && img.complete && img.naturalWidth > 0;
  }, sessionId, { timeout: kStepTimeoutMs });
  await shot(page, 'list');
  log('ok - the list shows the live show and the ended one with its poster');

  // Open the ended show: video and text record.
  await page.click(`[data-session-id="${sessionId}"] a`);
  await page.waitForSelector(`${testid('session-view')}[data-loaded="true"]`, { timeout: kStepTimeoutMs });
  check((await page.textContent(testid('session-title'))) === session.title, 'session title');
  const shown = await page.$$eval(`${testid('transcript')} ${testid('line')}`,
    (nodes) => nodes.map((n) => ({ id: Number(n.dataset.lineId), text: n.querySelector('[data-testid="line-text"]').textContent })));
  check(shown.length === lines.length, `${shown.length} lines shown, ${lines.length} in the record`);
  check(shown.find((l) => l.id === xssLine.id).text === xssLine.text, 'the <script> line is not shown as text');
  check((await page.locator('script').count()) === 1, 'a <script> element appeared: user text became markup');
  check((await page.locator(testid('chapter')).count()) === lines.filter((l) => l.kind === 'question').length,
    'one chapter per aired question');
  await page.waitForFunction((selector) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 1 && v.duration > 0;
  }, testid('archive-video'), { timeout: kStepTimeoutMs });
  const loaded = await videoState(page);
  check(loaded.error === 0, `the video failed to load: MediaError ${loaded.error}`);
  check(Math.abs(loaded.duration * 1000 - session.video.duration_ms) < 1500,
    `video duration ${loaded.duration} s, package says ${session.video.duration_ms} ms`);
  log('ok - the ended show opens with its video and every line');

  // A click on a line seeks the video there and marks the line; it plays.
  await page.click(`${testid('line')}[data-line-id="${rentLine.id}"] ${testid('line-text')}`);
  await waitSeeked(page, atVideo(rentLine), 'after a click on a line');
  check((await currentLineId(page)) === rentLine.id, 'the clicked line is not marked');
  check(page.url().includes(`t=${rentLine.start_ms}`), `the address does not keep the moment: ${page.url()}`);
  const from = (await videoState(page)).time;
  await page.waitForFunction(([selector, t0]) => document.querySelector(selector).currentTime > t0 + 1,
    [testid('archive-video'), from], { timeout: kStepTimeoutMs });
  await shot(page, 'session');
  log('ok - a click on a line seeks the video to it, marks it, and the video plays');

  // The mark follows the video: seek to the first line from the player.
  await page.$eval(testid('archive-video'), (v) => v.pause());
  const first = lines[0];
  await page.$eval(testid('archive-video'), (v, s) => { v.currentTime = s; }, atVideo(first) + 0.05);
  await page.waitForFunction(([selector, id]) => {
    const node = document.querySelector(`${selector} [data-current="true"]`);
    return node && Number(node.dataset.lineId) === id;
  }, [testid('transcript'), lines[lineIndexAt(lines, first.start_ms + 50)].id], { timeout: kStepTimeoutMs });
  log('ok - the marked line follows the video');

  // Search: a one-character term, marked in the snippet; the hit seeks.
  await page.fill(testid('search-input'), '房');
  await page.press(testid('search-input'), 'Enter');
  await page.waitForSelector(`${testid('search-hits')} [data-line-id="${rentLine.id}"]`, { timeout: kStepTimeoutMs });
  const marked = await page.$$eval(`${testid('search-hits')} [data-line-id="${rentLine.id}"] mark`,
    (nodes) => nodes.map((n) => n.textContent));
  check(marked.includes('房'), `the hit does not mark 房: ${JSON.stringify(marked)}`);
  await shot(page, 'search');
  // Back to the start, then the hit brings the video to the line.
  await page.$eval(testid('archive-video'), (v) => { v.currentTime = 0; });
  await page.click(`${testid('search-hits')} [data-line-id="${rentLine.id}"] a`);
  await waitSeeked(page, atVideo(rentLine), 'after a click on a search hit');
  check((await currentLineId(page)) === rentLine.id, 'the hit\'s line is not marked');
  await page.fill(testid('search-input'), '医保');
  await page.press(testid('search-input'), 'Enter');
  await page.waitForFunction((selector) => document.querySelectorAll(`${selector} [data-testid="hit"]`).length >= 3,
    testid('search-hits'), { timeout: kStepTimeoutMs });
  log('ok - search finds one- and two-character terms, marks them, and a hit seeks the video');

  // English.
  await page.click(testid('lang-toggle'));
  check((await page.textContent(testid('archive-home'))) === 'Wenzhou Town Hall · Archive', 'English heading');
  await shot(page, 'english');
  assertNoProblems('desktop');
  await context.close();

  // A shared moment on a phone: the link opens the show at that time.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN',
  });
  const mobile = await phone.newPage();
  await watch(mobile, 'phone');
  await mobile.goto(`${baseUrl}/archive/#s=${sessionId}&t=${xssLine.start_ms}`);
  await mobile.waitForSelector(`${testid('session-view')}[data-loaded="true"]`, { timeout: kStepTimeoutMs });
  await waitSeeked(mobile, atVideo(xssLine), 'a shared link with a time');
  check((await currentLineId(mobile)) === xssLine.id, 'the shared moment\'s line is not marked');
  await mobile.screenshot({ path: path.join(artifactsDir, 'archive-phone.png'), fullPage: true });
  // The record is drawn again in English; the line stays marked.
  await mobile.click(testid('lang-toggle'));
  await mobile.waitForFunction((selector) => document.querySelector(selector).textContent === 'Transcript',
    '.transcript-card .card-heading', { timeout: kStepTimeoutMs });
  check((await currentLineId(mobile)) === xssLine.id, 'the marked line lost its mark when the language changed');
  assertNoProblems('phone');
  await phone.close();
  log('ok - a shared link opens the show at its moment on a phone, marked in either language');
}

function lineIndexAt(lines, ms) {
  let found = 0;
  lines.forEach((l, i) => { if (l.start_ms <= ms) found = i; });
  return found;
}

await runBrowserTest(run);
