// End-to-end: the live text (图文直播). A typist logs in on /typist/ (a wrong
// token first), switches the speaker with F1/F2, types lines and corrects and
// deletes them; an open viewer page shows every change in its live text at
// once; a question a producer puts on air becomes a line on both pages; and
// /api/status counts the lines. Runs real pages in headless Chromium against
// a running studio.
//
//   YST_URL=http://127.0.0.1:18080 YST_TYPIST_TOKEN=… YST_PRODUCER_TOKEN=… \
//     YST_ARTIFACTS=dir node tests/e2e/typist.test.mjs
//
// Exit status 0 when every check passes, 1 otherwise; the last line is
// "1 passed, 0 failed" or "0 passed, 1 failed". Screenshots go to
// YST_ARTIFACTS (default tests/artifacts/e2e), named typist-*.
//
// The pages must load without a console error, an uncaught exception, a
// Content-Security-Policy violation or a dialog (a line carries an
// <img onerror> that must stay text). The only console errors tolerated are
// failed loads under /hls/: the program playlist may not be written yet.
//
// Selectors: data-testid attributes of assets/web/typist/index.html and
// typist/view.js (typist), assets/web/index.html and viewer/view.js (viewer).
//   typist: typist-login, typist-token, typist-name, typist-login-submit,
//           typist-login-error, typist-conn (data-state), typist-speakers >
//           typist-speaker-<speaker> (aria-pressed), typist-input,
//           typist-count, typist-error, typist-lines > transcript-line
//           (data-line-id, data-speaker, data-kind) with transcript-line-text,
//           transcript-line-speaker, transcript-line-time,
//           transcript-line-edited, and while corrected
//           transcript-line-edit-input, transcript-line-save,
//           transcript-line-delete, transcript-line-delete-confirm;
//           <body data-hello="ok"> once logged in with the record loaded
//   viewer: live-text (data-loaded="true" once transcript.list arrived) >
//           live-text-line (data-line-id, data-kind) with
//           live-text-line-text, live-text-line-speaker, live-text-line-time;
//           live-text-empty; <body data-hello="ok">

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, kSlack, log, measured, missingHls,
  runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const kLiveWithinMs = 1000; // the budget for a committed line to reach an open viewer page

const typistToken = process.env.YST_TYPIST_TOKEN || '';
const producerToken = process.env.YST_PRODUCER_TOKEN || '';

// A tag per run keeps reruns against the same studio apart.
const runTag = Date.now().toString(36);
const xss = '<img src=x onerror=alert(1)>';
const firstLine = `医保卡异地就医，先在网上备案 ${xss}（e2e ${runTag}）`;
const correctedLine = `医保卡异地就医，先在“浙里办”备案 ${xss}（e2e ${runTag} 已更正）`;
const doomedLine = `这一句稍后删除（e2e ${runTag}）`;
const questionText = `退休人员异地安置怎么报销？（e2e ${runTag}）`;
const questionNickname = '热线听众';
const typistName = '速记 e2e';

async function snapshot(typist, viewer, label) {
  await typist.screenshot({ path: path.join(artifactsDir, `typist-${label}-typist.png`) });
  await viewer.screenshot({ path: path.join(artifactsDir, `typist-${label}-viewer.png`), fullPage: true });
}

async function assertNoImages(page, name) {
  const count = await page.locator('img').count();
  check(count === 0, `${name}: ${count} <img> element(s) on the page: user text was parsed as HTML`);
}

function studioStatus() {
  return getJson('/api/status');
}


function typistLine(typist, text) {
  return typist.locator(`${testid('typist-lines')} ${testid('transcript-line')}`)
    .filter({ has: typist.locator(testid('transcript-line-text'), { hasText: text }) });
}

function viewerLine(viewer, text) {
  return viewer.locator(`${testid('live-text')} ${testid('live-text-line')}`)
    .filter({ has: viewer.locator(testid('live-text-line-text'), { hasText: text }) });
}

function viewerLineById(viewer, id) {
  return viewer.locator(`${testid('live-text')} ${testid('live-text-line')}[data-line-id="${id}"]`);
}

async function pressedSpeaker(typist) {
  return typist.locator(`${testid('typist-speakers')} [aria-pressed="true"]`).getAttribute('data-testid');
}

async function activeTestid(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid'));
}

// Types a line key by key (so that the page's clock runs) and presses Enter;
// returns when the line is in the typist's record, with the time the Enter
// was pressed.
async function typeLine(typist, text) {
  const input = typist.locator(testid('typist-input'));
  await input.focus();
  await typist.keyboard.type(text, { delay: 12 });
  const count = (await typist.locator(testid('typist-count')).textContent()).trim();
  check(count === `${[...text].length}/1000`, `typist: the count shows "${count}"`);
  const sentAt = Date.now();
  await typist.keyboard.press('Enter');
  const line = typistLine(typist, text);
  await line.waitFor();
  const left = await input.inputValue();
  check(left === '', `typist: the box still holds ${JSON.stringify(left)} after the line was stored`);
  return { line, sentAt, id: await line.getAttribute('data-line-id') };
}

async function run(browser) {
  const viewerContext = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const typistContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const viewer = await viewerContext.newPage();
  const typist = await typistContext.newPage();
  await watch(viewer, 'viewer', missingHls);
  await watch(typist, 'typist', missingHls);
  viewer.setDefaultTimeout(kStepTimeoutMs);
  typist.setDefaultTimeout(kStepTimeoutMs);

  try {
    // 1. The viewer page is open with its live text loaded; the typist page
    // asks for the token.
    const linesBefore = (await studioStatus()).transcript.lines;
    check(Number.isInteger(linesBefore), `/api/status: transcript.lines is ${linesBefore}`);
    await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    await viewer.locator(`${testid('live-text')}[data-loaded="true"]`).waitFor();
    if (linesBefore === 0) await viewer.locator(testid('live-text-empty')).waitFor({ state: 'visible' });
    await typist.goto(`${baseUrl}/typist/`, { waitUntil: 'load' });
    await typist.locator(testid('typist-login')).waitFor({ state: 'visible' });
    log(`ok - pages open (${linesBefore} line(s) before)`);

    // 2. A wrong token is refused in words; the right one logs in.
    await typist.locator(testid('typist-token')).fill(`wrong-${runTag}`);
    await typist.locator(testid('typist-login-submit')).click();
    const loginError = typist.locator(testid('typist-login-error'));
    await loginError.waitFor({ state: 'visible' });
    const refusal = (await loginError.textContent()).trim();
    check(refusal === '口令错误，请重新输入', `typist: the login error reads "${refusal}"`);
    log('ok - a wrong token is refused');
    await typist.locator(testid('typist-token')).fill(typistToken);
    await typist.locator(testid('typist-name')).fill(typistName);
    await typist.locator(testid('typist-login-submit')).click();
    await typist.locator('body[data-hello="ok"]').waitFor();
    await typist.locator(`${testid('typist-conn')}[data-state="open"]`).waitFor();
    check(await activeTestid(typist) === 'typist-input', 'typist: the text box does not have the focus');
    const stored = await typist.evaluate(() => ({
      session: sessionStorage.getItem('yst.typist_token'),
      local: Object.keys(localStorage).map((k) => localStorage.getItem(k)),
    }));
    check(stored.session === typistToken, 'typist: the token is not in sessionStorage');
    check(!stored.local.includes(typistToken), 'typist: the token leaked into localStorage');
    log('ok - typist logged in');

    // 3. Speakers: the first guest by default; F1 and F2 switch.
    const chips = await typist.locator(`${testid('typist-speakers')} button`).evaluateAll(
      (nodes) => nodes.map((n) => n.getAttribute('data-testid')));
    check(JSON.stringify(chips) === JSON.stringify(['typist-speaker-host', 'typist-speaker-guest1',
                                                    'typist-speaker-narration']),
          `typist: the speakers are ${JSON.stringify(chips)}`);
    check(await pressedSpeaker(typist) === 'typist-speaker-guest1', 'typist: the first guest is not the default');
    await typist.keyboard.press('F1');
    check(await pressedSpeaker(typist) === 'typist-speaker-host', 'typist: F1 did not pick the host');
    await typist.keyboard.press('F2');
    check(await pressedSpeaker(typist) === 'typist-speaker-guest1', 'typist: F2 did not pick guest1');
    check(new URL(typist.url()).pathname === '/typist/', `typist: the page moved to ${typist.url()}`);
    log('ok - F1/F2 switch the speaker');

    // 4. A line for guest1, with markup in it: on the typist's record as
    // text, and on the viewer's live text within a second.
    const first = await typeLine(typist, firstLine);
    const onViewer = viewerLine(viewer, firstLine);
    await onViewer.waitFor({ timeout: kLiveWithinMs * kSlack * 2 });
    const latency = Date.now() - first.sentAt;
    measured('typed line to the viewer page', latency, kLiveWithinMs);
    check(await first.line.getAttribute('data-speaker') === 'guest1', 'typist: the line is not credited to guest1');
    check(await first.line.getAttribute('data-kind') === 'typed', 'typist: the line is not of kind typed');
    const shown = await first.line.locator(testid('transcript-line-text')).textContent();
    check(shown === firstLine, `typist: the line reads ${JSON.stringify(shown)}`);
    const speaker = (await first.line.locator(testid('transcript-line-speaker')).textContent()).trim();
    check(speaker === '张三', `typist: the line's speaker is "${speaker}"`);
    const time = (await first.line.locator(testid('transcript-line-time')).textContent()).trim();
    check(/^\d+:[0-5]\d:[0-5]\d$/.test(time), `typist: the timecode reads "${time}"`);
    check(await onViewer.getAttribute('data-line-id') === first.id, 'viewer: the line has another id');
    const viewerText = await onViewer.locator(testid('live-text-line-text')).textContent();
    check(viewerText === firstLine, `viewer: the line reads ${JSON.stringify(viewerText)}`);
    const viewerSpeaker = (await onViewer.locator(testid('live-text-line-speaker')).textContent()).trim();
    check(viewerSpeaker === '张三', `viewer: the line's speaker is "${viewerSpeaker}"`);
    await assertNoImages(typist, 'typist');
    await assertNoImages(viewer, 'viewer');
    log(`ok - line on the typist's record and on the viewer page in ${latency} ms, literally`);

    // 5. The line was timed from its first keystroke: the studio's record
    // says it started well before it was committed.
    const reader = await connectAs({ type: 'hello', role: 'typist', token: typistToken, name: 'e2e读者' },
                                   'second typist');
    try {
      const list = await reader.request({ type: 'transcript.list' });
      const stored = list.lines.find((l) => String(l.id) === first.id);
      check(stored, `transcript.list: line ${first.id} is missing`);
      const typedMs = stored.end_ms - stored.start_ms;
      check(typedMs >= 300 && typedMs < 60000, `transcript.list: the line was typed for ${typedMs} ms`);
      check(stored.by === typistName, `transcript.list: the line is by "${stored.by}"`);
      log(`ok - the line spans ${typedMs} ms of typing`);
    } finally {
      reader.close();
    }

    // 6. Refused lines stay in the box, with the reason in words.
    const input = typist.locator(testid('typist-input'));
    const inputError = typist.locator(testid('typist-error'));
    await input.focus();
    await typist.keyboard.press('Enter');
    await inputError.waitFor({ state: 'visible' });
    const emptyText = (await inputError.textContent()).trim();
    check(emptyText === '内容为空，没有发布', `typist: the empty error reads "${emptyText}"`);
    const tooLong = '长'.repeat(1001);
    await input.fill(tooLong);
    check((await typist.locator(testid('typist-count')).textContent()).trim() === '1001/1000',
          'typist: the count does not show 1001/1000');
    await input.press('Enter');
    await inputError.waitFor({ state: 'visible' });
    const longText = (await inputError.textContent()).trim();
    check(longText === '太长了：每条最多 1000 字', `typist: the too-long error reads "${longText}"`);
    check(await input.inputValue() === tooLong, 'typist: a refused line left the box');
    await input.fill('');
    await inputError.waitFor({ state: 'hidden' });
    await input.press('Shift+Enter');
    check(await input.inputValue() === '', 'typist: Shift+Enter put a line break in the box');
    log('ok - empty and too-long lines are refused in words and kept');

    // 7. A second line, for the host (F1).
    await typist.keyboard.press('F1');
    check(await pressedSpeaker(typist) === 'typist-speaker-host', 'typist: F1 did not pick the host');
    const doomed = await typeLine(typist, doomedLine);
    check(await doomed.line.getAttribute('data-speaker') === 'host', 'typist: the second line is not the host\'s');
    await viewerLine(viewer, doomedLine).waitFor();
    // Newest first on the viewer page.
    const order = await viewer.locator(`${testid('live-text')} ${testid('live-text-line')}`).evaluateAll(
      (nodes) => nodes.map((n) => n.getAttribute('data-line-id')));
    check(order.indexOf(doomed.id) < order.indexOf(first.id), `viewer: not newest first: ${order}`);
    log('ok - a second line, for the host, newest first on the viewer page');
    await snapshot(typist, viewer, 'lines');

    // 8. Correct the first line: click it, change it, Enter. (While it is
    // being corrected its text is in the editor: find it by id.)
    const corrected = typist.locator(`${testid('transcript-line')}[data-line-id="${first.id}"]`);
    await first.line.locator(testid('transcript-line-text')).click();
    const editInput = corrected.locator(testid('transcript-line-edit-input'));
    await editInput.waitFor();
    check(await editInput.inputValue() === firstLine, 'typist: the editor does not hold the line');
    await editInput.fill(correctedLine);
    await editInput.press('Enter');
    await corrected.locator(testid('transcript-line-text'), { hasText: correctedLine }).waitFor();
    await corrected.locator(testid('transcript-line-edited')).waitFor();
    await viewerLineById(viewer, first.id).locator(testid('live-text-line-text'), { hasText: correctedLine }).waitFor();
    check(await viewerLine(viewer, firstLine).count() === 0, 'viewer: the uncorrected line is still shown');
    check(await activeTestid(typist) === 'typist-input', 'typist: the focus did not go back to the text box');
    log('ok - corrected, on both pages');

    // 9. ↑ in the empty box opens the last line; Esc leaves it; delete asks
    // first, then the line goes from both pages.
    await typist.keyboard.press('ArrowUp');
    const doomedEdit = typist.locator(`${testid('transcript-line')}[data-line-id="${doomed.id}"] ` +
                                      testid('transcript-line-edit-input'));
    await doomedEdit.waitFor();
    check(await activeTestid(typist) === 'transcript-line-edit-input', 'typist: ↑ did not focus the editor');
    await typist.keyboard.press('Escape');
    await doomedEdit.waitFor({ state: 'detached' });
    check(await activeTestid(typist) === 'typist-input', 'typist: Esc did not go back to the text box');
    await typist.keyboard.press('ArrowUp');
    await doomedEdit.waitFor();
    await typist.locator(testid('transcript-line-delete')).click();
    const confirm = typist.locator(testid('transcript-line-delete-confirm'));
    await confirm.waitFor();
    check(await typist.locator(`${testid('transcript-line')}[data-line-id="${doomed.id}"]`).count() === 1,
          'typist: the line went before the delete was confirmed');
    await typist.screenshot({ path: path.join(artifactsDir, 'typist-delete-confirm-typist.png') });
    await confirm.click();
    await typist.locator(`${testid('transcript-line')}[data-line-id="${doomed.id}"]`).waitFor({ state: 'detached' });
    await viewerLineById(viewer, doomed.id).waitFor({ state: 'detached' });
    log('ok - deleted after a confirmation, gone from both pages');

    // 10. A question a producer puts on air is a line on both pages.
    const producer = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: 'e2e导播' },
                                     'producer');
    try {
      const received = await producer.request({ type: 'question.submit', text: questionText,
                                                nickname: questionNickname });
      await producer.request({ type: 'question.on_air', question: received.question.id });
      const typistQuestion = typist.locator(`${testid('transcript-line')}[data-kind="question"]`)
        .filter({ hasText: questionText });
      await typistQuestion.waitFor();
      const viewerQuestion = viewer.locator(`${testid('live-text-line')}[data-kind="question"]`)
        .filter({ hasText: questionText });
      await viewerQuestion.waitFor();
      const lineText = await viewerQuestion.locator(testid('live-text-line-text')).textContent();
      check(lineText.includes(questionNickname) && lineText.endsWith(questionText),
            `viewer: the question line reads ${JSON.stringify(lineText)}`);
      const label = (await viewerQuestion.locator(testid('live-text-line-speaker')).textContent()).trim();
      check(label === '网友提问', `viewer: the question line's speaker is "${label}"`);
      check(await typistQuestion.getAttribute('data-speaker') === 'question',
            'typist: the question line has another speaker');
      await producer.request({ type: 'question.answered', question: received.question.id });
    } finally {
      producer.close();
    }
    log('ok - the question on air is a line on both pages');

    // 11. The studio counts the lines: the first and the question's (the
    // second was deleted); the typist's record has them all.
    const status = await studioStatus();
    check(status.transcript && status.transcript.lines === linesBefore + 2,
          `/api/status: transcript is ${JSON.stringify(status.transcript)}, expected ${linesBefore + 2} lines`);
    const onTypist = await typist.locator(`${testid('typist-lines')} ${testid('transcript-line')}`).count();
    check(onTypist === status.transcript.lines, `typist: ${onTypist} lines shown, the studio has ${status.transcript.lines}`);
    const onViewerCount = await viewer.locator(testid('live-text-line')).count();
    check(onViewerCount === Math.min(200, status.transcript.lines), `viewer: ${onViewerCount} lines shown`);
    log(`ok - /api/status counts ${status.transcript.lines} line(s)`);
    await snapshot(typist, viewer, 'final');

    // 12. English on the typist page.
    await typist.locator(testid('lang-toggle')).click();
    const heading = (await typist.locator(testid('typist-heading')).textContent()).trim();
    check(heading === 'Live text typist', `typist in English: the heading reads "${heading}"`);
    const questionLabel = (await typist.locator(`${testid('transcript-line')}[data-kind="question"] ` +
                                                testid('transcript-line-speaker')).first().textContent()).trim();
    check(questionLabel === 'Audience question', `typist in English: the question line says "${questionLabel}"`);
    await typist.screenshot({ path: path.join(artifactsDir, 'typist-english-typist.png') });
    log('ok - English');

    await assertNoImages(typist, 'typist');
    await assertNoImages(viewer, 'viewer');
    await assertNoProblems('console, page errors, CSP or dialogs');
    log('ok - no console errors, CSP violations or dialogs');
  } catch (error) {
    await viewer.screenshot({ path: path.join(artifactsDir, 'typist-failure-viewer.png'), fullPage: true })
      .catch(() => {});
    await typist.screenshot({ path: path.join(artifactsDir, 'typist-failure-typist.png') }).catch(() => {});
    throw error;
  } finally {
    await viewerContext.close().catch(() => {});
    await typistContext.close().catch(() => {});
  }
}

if (!typistToken || !producerToken) {
  log('YST_TYPIST_TOKEN and YST_PRODUCER_TOKEN must be set');
  log('0 passed, 1 failed');
  process.exitCode = 1;
} else {
  await runBrowserTest(run);
}
