// End-to-end: the producer console's moderation, done as a producer does it.
// Five questions come in; on /producer/ the producer walks them with j/k and
// the arrow keys, approves with A, orders the air queue with Alt+↑/↓ and by
// dragging a card, rejects with R (and with the mouse), undoes with Ctrl+Z
// and U, edits with E (Ctrl+Enter saves, Esc cancels), merges with M, and
// puts a question on air and off with O, F and D. After every action the
// studio's own state is read back through a second producer connection
// (questions.list) and /api/status, and the page must show the same.
// Bad input: an edit carrying <img onerror> is saved and shown as text; an
// edit of 2,000 characters (the limit is 300) is held back by the page with
// its counter in red, and refused by the studio when sent anyway; a merge
// into the question itself or into a number that does not exist is refused
// with a message beside the field.
//
//   YST_URL=http://127.0.0.1:18080 YST_PRODUCER_TOKEN=… YST_ARTIFACTS=dir \
//     node tests/e2e/producer.test.mjs
//
// Exit status 0 when every check passes, 1 otherwise; the last line is
// "1 passed, 0 failed" or "0 passed, 1 failed". Screenshots of the console at
// every step go to YST_ARTIFACTS (default tests/artifacts/e2e), named
// moderate-*. Expects a studio of its own (the counters are compared with
// /api/status, which counts every question of the session).
//
// Selectors: data-testid attributes of assets/web/producer/index.html and
// producer/view.js: login-token, login-name, login-submit, login-error, board,
// pending-list, approved-list, onair-slot, recent-list > question-card
// (data-question-id, data-status, aria-selected) with card-text,
// card-edited, card-original-text, card-reject-reason, card-merged-into and
// the actions action-approve|reject|edit|merge; while rejecting
// reject-reason, reject-confirm; while editing edit-text, edit-counter,
// edit-save; while merging merge-into; count-pending … count-merged,
// producer-message (the toast, data-kind), last-action; <body data-hello="ok">
// once logged in.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, missingHls, pollUntil,
  runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;

const producerToken = process.env.YST_PRODUCER_TOKEN || '';

// A tag per run keeps reruns against the same studio apart.
const runTag = Date.now().toString(36);
const xss = '<img src=x onerror=alert(1)>';
const producerName = 'e2e导播';
const otherProducerName = 'e2e第二导播';
const texts = [
  `医保卡异地就医怎么备案？（e2e ${runTag} 一）`,
  `门诊慢特病的待遇什么时候能办下来？（e2e ${runTag} 二）`,
  `长护险的申请条件有哪些？（e2e ${runTag} 三）`,
  `这条留言和节目无关（e2e ${runTag} 四）`,
  `灵活就业人员的医保怎么交？（e2e ${runTag} 五）`,
];
// What the producer types over the fifth question: markup and letters that
// are shortcut keys elsewhere on the page (a, r, e, m, o, f, d, u, j, k).
const editedText = `${xss} 灵活就业人员医保缴费标准是多少？（e2e ${runTag} 已编辑 jkarmofdu）`;
// 2,000 characters of markup: far over the 300 a question may have.
const hugeText = xss.repeat(Math.ceil(2000 / xss.length)).slice(0, 2000);
const kMaxChars = 300;

let step = 0;

async function snapshot(page, label) {
  step += 1;
  await page.screenshot({
    path: path.join(artifactsDir, `moderate-${String(step).padStart(2, '0')}-${label}.png`),
    fullPage: true,
  });
}

// Polls `probe` ({ok, value, seen}) until ok, or fails with what it last saw.
function until(probe, what, timeoutMs = kStepTimeoutMs) {
  return pollUntil(probe, what, timeoutMs);
}

// ---------------------------------------------------------------------------
// The studio's side: a second producer connection that only reads (and, once,
// acts as the other producer on shift).

let studio = null;

async function serverQuestions() {
  const answer = await studio.request({ type: 'questions.list' });
  check(Array.isArray(answer.questions), `questions.list: no questions in ${JSON.stringify(answer)}`);
  return new Map(answer.questions.map((q) => [q.id, q]));
}

// Polls questions.list until `predicate(byId)` holds.
async function expectServer(predicate, what) {
  return until(async () => {
    const byId = await serverQuestions();
    return { ok: predicate(byId), value: byId, seen: summary(byId) };
  }, `the studio to hold ${what}`);
}

function summary(byId) {
  return [...byId.values()].map((q) => ({
    id: q.id, status: q.status, position: q.position, reason: q.reject_reason, into: q.merged_into,
    text: q.text.length > 60 ? `${q.text.slice(0, 60)}…` : q.text,
  }));
}

// The ids of the approved questions in air order, as the studio holds them.
function serverQueue(byId) {
  return [...byId.values()].filter((q) => q.status === 'approved')
    .sort((a, b) => a.position - b.position || a.id - b.id).map((q) => q.id);
}

function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------
// The page's side.

function card(page, list, id) {
  return page.locator(`${testid(list)} ${testid('question-card')}[data-question-id="${id}"]`);
}

async function listIds(page, list) {
  return page.locator(`${testid(list)} > ${testid('question-card')}`)
    .evaluateAll((cards) => cards.map((c) => Number(c.dataset.questionId)));
}

async function expectListed(page, list, ids, what) {
  await until(async () => {
    const shown = await listIds(page, list);
    return { ok: sameList(shown, ids), seen: shown };
  }, `${list} to list ${JSON.stringify(ids)} (${what})`);
}

async function selectedId(page) {
  const ids = await page.locator(`${testid('question-card')}[aria-selected="true"]`)
    .evaluateAll((cards) => cards.map((c) => Number(c.dataset.questionId)));
  return ids.length === 1 ? ids[0] : ids.length === 0 ? null : ids;
}

async function expectSelected(page, id, after) {
  await until(async () => {
    const shown = await selectedId(page);
    return { ok: shown === id, seen: shown };
  }, `#${id} selected after ${after}`);
}

// The page's counters equal the studio's (/api/status counts every question).
async function expectCounters(page, what) {
  const names = { pending: 'count-pending', approved: 'count-approved', on_air: 'count-on-air',
                  answered: 'count-answered', rejected: 'count-rejected', merged: 'count-merged' };
  await until(async () => {
    const counts = (await getJson('/api/status')).questions;
    const shown = {};
    for (const [status, id] of Object.entries(names)) {
      shown[status] = Number((await page.locator(testid(id)).textContent()).trim());
    }
    const ok = Object.keys(names).every((s) => shown[s] === counts[s]);
    return { ok, seen: { page: shown, studio: counts } };
  }, `the page's counters to match /api/status (${what})`);
}

async function expectToast(page, text, kind) {
  const toast = page.locator(`${testid('producer-message')}[data-kind="${kind}"]:visible`, { hasText: text });
  await toast.waitFor({ timeout: kStepTimeoutMs }).catch(async () => {
    const shown = await page.locator(testid('producer-message')).textContent();
    throw new Error(`producer: expected the ${kind} message "${text}", the page shows "${shown}"`);
  });
}

// Waits for `locator` to be on the page; fails saying what was expected.
async function shows(locator, what) {
  await locator.waitFor({ timeout: kStepTimeoutMs }).catch(() => {
    throw new Error(`producer: expected ${what}; it did not appear`);
  });
}

async function assertNoImages(page) {
  const count = await page.locator('img').count();
  check(count === 0, `producer: ${count} <img> element(s) on the page: question text was parsed as HTML`);
}

async function activeTestid(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid'));
}

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'producer', missingHls);
  page.setDefaultTimeout(kStepTimeoutMs);
  // Every command the page sends, to show what it held back.
  const sent = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      try {
        sent.push(JSON.parse(String(frame.payload)));
      } catch {
        // Not JSON: nothing the page sends.
      }
    });
  });

  studio = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: otherProducerName },
    'second producer', kStepTimeoutMs);
  try {
    // 1. Five questions come in (a producer may submit, as for a phone call;
    // that is not rate-limited).
    const ids = [];
    for (const text of texts) {
      const answer = await studio.request({ type: 'question.submit', text, nickname: '热线听众' });
      check(answer.type === 'question.received' && answer.question && answer.question.id > 0,
            `question.submit: ${JSON.stringify(answer)}`);
      ids.push(answer.question.id);
    }
    const [q1, q2, q3, q4, q5] = ids;
    log(`ok - five questions in: ${ids.map((id) => `#${id}`).join(' ')}`);

    // 2. The producer logs in; the five wait in 待审, oldest first.
    await page.goto(`${baseUrl}/producer/`, { waitUntil: 'load' });
    await page.locator(testid('login-token')).fill(producerToken);
    await page.locator(testid('login-name')).fill(producerName);
    await page.locator(testid('login-submit')).click();
    const loginError = page.locator(`${testid('login-error')}:visible`);
    await page.locator('body[data-hello="ok"]').or(loginError).first().waitFor();
    if (await loginError.count() > 0) {
      throw new Error(`producer: login refused: ${(await loginError.textContent()).trim()}`);
    }
    await expectListed(page, 'pending-list', ids, 'after login');
    for (const [i, id] of ids.entries()) {
      const shown = await card(page, 'pending-list', id).locator(testid('card-text')).textContent();
      check(shown === texts[i], `producer: #${id} reads ${JSON.stringify(shown)}`);
    }
    await expectCounters(page, 'after login');
    await snapshot(page, 'pending');
    log('ok - logged in; five questions in 待审');

    // 3. j/k and the arrow keys walk the cards; Esc lets go.
    await page.keyboard.press('j');
    await expectSelected(page, q1, 'j');
    await page.keyboard.press('j');
    await expectSelected(page, q2, 'j j');
    await page.keyboard.press('ArrowDown');
    await expectSelected(page, q3, 'j j ↓');
    await page.keyboard.press('k');
    await expectSelected(page, q2, 'j j ↓ k');
    await page.keyboard.press('ArrowUp');
    await expectSelected(page, q1, 'j j ↓ k ↑');
    await snapshot(page, 'selected');
    await page.keyboard.press('Escape');
    await expectSelected(page, null, 'Esc');
    log('ok - j/k/↑/↓ select, Esc lets go');

    // 4. A approves the selected card: three of them, in order.
    for (const id of [q1, q2, q3]) {
      await page.keyboard.press('j'); // the first pending card: the approved ones are below them
      await expectSelected(page, id, 'j');
      await page.keyboard.press('a');
      await shows(card(page, 'approved-list', id), `#${id} in the approved queue after A`);
      await page.keyboard.press('Escape');
      await expectSelected(page, null, 'Esc');
    }
    let byId = await expectServer((m) => sameList(serverQueue(m), [q1, q2, q3]), `#${q1} #${q2} #${q3} queued`);
    check(byId.get(q4).status === 'pending' && byId.get(q5).status === 'pending',
          `the studio: A approved more than the selected card: ${JSON.stringify(summary(byId))}`);
    await expectListed(page, 'approved-list', [q1, q2, q3], 'after A');
    await expectListed(page, 'pending-list', [q4, q5], 'after A');
    await expectCounters(page, 'after A');
    await snapshot(page, 'approved');
    log('ok - A approves the selected card');

    // 5. Alt+↓ and Alt+↑ move the selected card in the queue.
    await card(page, 'approved-list', q1).click();
    await expectSelected(page, q1, 'a click');
    await page.keyboard.press('Alt+ArrowDown');
    await expectServer((m) => sameList(serverQueue(m), [q2, q1, q3]), `#${q1} moved down one`);
    await expectListed(page, 'approved-list', [q2, q1, q3], 'after Alt+↓');
    await card(page, 'approved-list', q3).click();
    await page.keyboard.press('Alt+ArrowUp');
    await expectServer((m) => sameList(serverQueue(m), [q2, q3, q1]), `#${q3} moved up one`);
    await expectListed(page, 'approved-list', [q2, q3, q1], 'after Alt+↑');
    const rank = (await card(page, 'approved-list', q2).locator('.position').textContent()).trim();
    check(rank === '第 1 位', `producer: the head of the queue is labelled "${rank}"`);
    await snapshot(page, 'alt-arrows');
    log('ok - Alt+↑/↓ reorder the queue');

    // 6. Dragging the last card onto the first puts it first.
    await card(page, 'approved-list', q1).dragTo(card(page, 'approved-list', q2));
    await expectServer((m) => sameList(serverQueue(m), [q1, q2, q3]), `#${q1} dragged to the front`);
    await expectListed(page, 'approved-list', [q1, q2, q3], 'after the drag');
    // And the first onto the last: last.
    await card(page, 'approved-list', q1).dragTo(card(page, 'approved-list', q3));
    await expectServer((m) => sameList(serverQueue(m), [q2, q3, q1]), `#${q1} dragged to the end`);
    await expectListed(page, 'approved-list', [q2, q3, q1], 'after the second drag');
    await snapshot(page, 'dragged');
    log('ok - drag and drop reorders the queue');

    // 7. R rejects with a reason, from the keyboard; Ctrl+Z takes it back.
    await card(page, 'pending-list', q4).click();
    await page.keyboard.press('r');
    const reason = card(page, 'pending-list', q4).locator(testid('reject-reason'));
    await shows(reason, 'the reason list after R');
    check(await activeTestid(page) === 'reject-reason', 'producer: R did not put the keyboard on the reason');
    await reason.selectOption('off_topic');
    await snapshot(page, 'reject-form');
    await page.keyboard.press('Enter');
    byId = await expectServer((m) => m.get(q4).status === 'rejected', `#${q4} rejected`);
    check(byId.get(q4).reject_reason === 'off_topic', `the studio: reason ${byId.get(q4).reject_reason}`);
    const reasonShown = card(page, 'recent-list', q4).locator(testid('card-reject-reason'));
    await shows(reasonShown, `#${q4} in 最近 with its reason`);
    check((await reasonShown.textContent()).trim() === '拒绝原因：离题',
          `producer: the rejected card says "${(await reasonShown.textContent()).trim()}"`);
    await expectCounters(page, 'after R');
    await snapshot(page, 'rejected');
    await page.keyboard.press('Control+z');
    await expectServer((m) => m.get(q4).status === 'pending', `#${q4} back in 待审 after Ctrl+Z`);
    await shows(card(page, 'pending-list', q4), `#${q4} back in 待审 after Ctrl+Z`);
    await expectToast(page, '已撤销：拒绝', 'ok');
    await expectCounters(page, 'after Ctrl+Z');
    log('ok - R rejects with the chosen reason; Ctrl+Z undoes it');

    // 8. The same with the mouse, and U to undo.
    await card(page, 'pending-list', q4).locator(testid('action-reject')).click();
    await card(page, 'pending-list', q4).locator(testid('reject-reason')).selectOption('spam');
    await card(page, 'pending-list', q4).locator(testid('reject-confirm')).click();
    byId = await expectServer((m) => m.get(q4).status === 'rejected', `#${q4} rejected by mouse`);
    check(byId.get(q4).reject_reason === 'spam', `the studio: reason ${byId.get(q4).reject_reason}`);
    await shows(card(page, 'recent-list', q4).locator(testid('card-reject-reason'), { hasText: '广告/灌水' }),
                `#${q4} in 最近 with 广告/灌水`);
    await page.locator('body').click({ position: { x: 5, y: 5 } }); // the keyboard off any field
    await page.keyboard.press('u');
    await expectServer((m) => m.get(q4).status === 'pending', `#${q4} back in 待审 after U`);
    await shows(card(page, 'pending-list', q4), `#${q4} back in 待审 after U`);
    await expectToast(page, '已撤销：拒绝', 'ok');
    log('ok - the reject button rejects; U undoes it');

    // 9. E edits: markup and shortcut letters typed into the editor are text,
    // nothing else happens while typing, Ctrl+Enter saves.
    await card(page, 'pending-list', q5).click();
    await page.keyboard.press('e');
    const editor = card(page, 'pending-list', q5).locator(testid('edit-text'));
    await shows(editor, 'the editor after E');
    check(await activeTestid(page) === 'edit-text', 'producer: E did not put the keyboard in the editor');
    check(await editor.inputValue() === texts[4], 'producer: the editor does not start from the question');
    await page.keyboard.press('Control+a');
    await page.keyboard.type(editedText);
    const counter = (await card(page, 'pending-list', q5).locator(testid('edit-counter')).textContent()).trim();
    check(counter === `${[...editedText].length}/${kMaxChars}`, `producer: the editor counter reads "${counter}"`);
    await snapshot(page, 'editing');
    await page.keyboard.press('Control+Enter');
    byId = await expectServer((m) => m.get(q5).text === editedText, `#${q5} edited`);
    const edited = byId.get(q5);
    check(edited.edited === true && edited.original_text === texts[4],
          `the studio: the edit lost the original: ${JSON.stringify(edited)}`);
    check(Array.isArray(edited.edits) && edited.edits.length === 1 && edited.edits[0].by === producerName,
          `the studio: the edit is not recorded with its producer: ${JSON.stringify(edited.edits)}`);
    // Typing a, r, e, m, o, f, d, u, j, k in the editor moved nothing.
    check(edited.status === 'pending' && byId.get(q4).status === 'pending' &&
          sameList(serverQueue(byId), [q2, q3, q1]),
          `the studio: keys typed into the editor acted on the board: ${JSON.stringify(summary(byId))}`);
    const q5Card = card(page, 'pending-list', q5);
    await shows(q5Card.locator(testid('card-edited')), `#${q5} marked 已编辑`);
    const editedShown = await q5Card.locator(testid('card-text')).textContent();
    check(editedShown === editedText, `producer: the edited card reads ${JSON.stringify(editedShown)}`);
    check((await q5Card.locator(testid('card-original-text')).textContent()) === texts[4],
          'producer: the original text is not kept on the card');
    await assertNoImages(page);
    await q5Card.locator(testid('card-original')).locator('summary').click();
    await snapshot(page, 'edited');
    log('ok - E edits; markup stays text; the original is kept');

    // 10. Esc leaves the editor without saving.
    await q5Card.click();
    await page.keyboard.press('e');
    await shows(q5Card.locator(testid('edit-text')), 'the editor after E');
    await page.keyboard.type(' 不要保存');
    await page.keyboard.press('Escape');
    await q5Card.locator(testid('edit-text')).waitFor({ state: 'detached' });
    check(await q5Card.locator(testid('card-text')).textContent() === editedText,
          'producer: Esc changed the shown text');

    // 11. 2,000 characters of markup: the page holds it back (counter in red,
    // Save disabled, Ctrl+Enter says why beside the editor) and keeps it as
    // text; an empty text likewise.
    const sentBefore = sent.length;
    await page.keyboard.press('e');
    const bigEditor = q5Card.locator(testid('edit-text'));
    await shows(bigEditor, 'the editor after E');
    await bigEditor.fill(hugeText);
    const bigCounter = q5Card.locator(testid('edit-counter'));
    check((await bigCounter.textContent()).trim() === `2000/${kMaxChars}`,
          `producer: the counter reads "${(await bigCounter.textContent()).trim()}" for 2,000 characters`);
    check(await bigCounter.evaluate((n) => n.classList.contains('over')), 'producer: the counter is not marked over');
    check(await q5Card.locator(testid('edit-save')).isDisabled(), 'producer: Save is enabled for 2,000 characters');
    const overColor = await bigCounter.evaluate((n) => getComputedStyle(n).color);
    await bigEditor.press('Control+Enter');
    const editError = q5Card.locator('.mode-error');
    await editError.filter({ hasText: `内容太长（最多 ${kMaxChars} 字）` }).waitFor().catch(async () => {
      throw new Error(`producer: Ctrl+Enter on 2,000 characters: no "too long" beside the editor ` +
                      `(shown: ${JSON.stringify(await editError.allTextContents())})`);
    });
    check(await bigEditor.inputValue() === hugeText, 'producer: the refused text was not kept in the editor');
    await assertNoImages(page);
    await snapshot(page, 'too-long');
    await bigEditor.fill('');
    await bigEditor.press('Control+Enter');
    await shows(editError.filter({ hasText: '内容不能为空' }), '内容不能为空 beside the editor');
    await bigEditor.press('x');
    await editError.waitFor({ state: 'detached' });
    await bigEditor.press('Escape');
    await bigEditor.waitFor({ state: 'detached' });
    // The studio refuses it too, from a client that does not check first.
    const refused = await studio.request({ type: 'question.edit', question: q5, text: hugeText })
      .then((answer) => answer, (error) => error);
    if (!(refused instanceof Error)) {
      const kept = refused.question ? [...refused.question.text].length : '?';
      throw new Error(`the studio accepted a 2,000-character edit (${refused.type}, kept ${kept} characters)`);
    }
    check(/too_long/.test(refused.message), `the studio refused 2,000 characters otherwise: ${refused.message}`);
    byId = await serverQuestions();
    check(byId.get(q5).text === editedText, `the studio: the refused edit changed #${q5}`);
    log(`ok - 2,000 characters held back by the page (counter ${overColor}, Save disabled, the reason beside ` +
        'the editor) and refused by the studio');

    // 12. M merges: into itself and into a number that does not exist is
    // refused beside the field; into #q1 it is done.
    await q5Card.click();
    await page.keyboard.press('m');
    const into = q5Card.locator(testid('merge-into'));
    await shows(into, 'the merge field after M');
    check(await activeTestid(page) === 'merge-into', 'producer: M did not put the keyboard on the number');
    await into.fill(String(q5));
    await into.press('Enter');
    await shows(q5Card.locator('.mode-error', { hasText: '请输入另一个问题的编号' }),
                '请输入另一个问题的编号 beside the merge field');
    const missing = Math.max(...ids) + 1000;
    await into.fill(String(missing));
    await into.press('Enter');
    await shows(q5Card.locator('.mode-error', { hasText: '找不到该问题' }),
                '找不到该问题 beside the merge field');
    await expectToast(page, '操作失败：找不到该问题', 'error');
    await snapshot(page, 'merge-refused');
    byId = await serverQuestions();
    check(byId.get(q5).status === 'pending', `the studio: a refused merge changed #${q5}: ${byId.get(q5).status}`);
    await into.fill(String(q1));
    await into.press('Enter');
    byId = await expectServer((m) => m.get(q5).status === 'merged', `#${q5} merged`);
    check(byId.get(q5).merged_into === q1, `the studio: #${q5} merged into ${byId.get(q5).merged_into}`);
    const mergedShown = card(page, 'recent-list', q5).locator(testid('card-merged-into'));
    await shows(mergedShown, `#${q5} in 最近, merged`);
    check((await mergedShown.textContent()).trim() === `已合并到 #${q1}`,
          `producer: the merged card says "${(await mergedShown.textContent()).trim()}"`);
    await expectCounters(page, 'after M');
    // The merges went out on the page's connection after the Ctrl+Enter of
    // step 11 and were answered: an edit sent then would be in the log.
    const leaked = sent.slice(sentBefore).filter((m) => m.type === 'question.edit');
    check(leaked.length === 0, `producer: the page sent ${leaked.length} question.edit of 2,000 characters`);
    await snapshot(page, 'merged');
    log('ok - M merges; a bad target is refused beside the field');

    // 13. O puts the head of the queue on air, F takes it off (back to the
    // front), O and D: answered.
    const head = q2;
    await card(page, 'approved-list', head).click();
    await page.keyboard.press('o');
    await expectServer((m) => m.get(head).status === 'on_air', `#${head} on air`);
    await shows(card(page, 'onair-slot', head), `#${head} in 正在回答 after O`);
    await until(async () => {
      const onAir = (await getJson('/api/status')).on_air_question;
      return { ok: Boolean(onAir) && onAir.id === head, seen: onAir };
    }, `/api/status to name #${head} on air`);
    await expectCounters(page, 'after O');
    await snapshot(page, 'on-air');
    await page.keyboard.press('f');
    byId = await expectServer((m) => m.get(head).status === 'approved', `#${head} off air`);
    check(serverQueue(byId)[0] === head, `the studio: F did not put #${head} back at the front`);
    await expectListed(page, 'approved-list', serverQueue(byId), 'after F');
    await page.keyboard.press('o');
    await expectServer((m) => m.get(head).status === 'on_air', `#${head} on air again`);
    await shows(card(page, 'onair-slot', head), `#${head} in 正在回答 after the second O`);
    await page.keyboard.press('d');
    await expectServer((m) => m.get(head).status === 'answered', `#${head} answered`);
    await shows(card(page, 'recent-list', head), `#${head} in 最近 after D`);
    await until(async () => {
      const onAir = (await getJson('/api/status')).on_air_question;
      return { ok: onAir === null, seen: onAir };
    }, '/api/status to name no question on air');
    await expectCounters(page, 'after D');
    log('ok - O on air, F off air (front of the queue), D answered');

    // 14. Another producer's action shows here, with their name.
    await studio.request({ type: 'question.reject', question: q4, reason: 'abusive' });
    await shows(card(page, 'recent-list', q4).locator(testid('card-reject-reason'), { hasText: '不当言论' }),
                `#${q4} in 最近 with 不当言论 (the other producer's reject)`);
    const otherAction = `${otherProducerName} · 拒绝 · #${q4}`;
    await shows(page.locator(testid('last-action'), { hasText: otherAction }), `the last action "${otherAction}"`);
    await expectCounters(page, 'after the other producer');
    await snapshot(page, 'other-producer');
    log('ok - another producer\'s reject shows, with their name');

    await assertNoImages(page);
    await assertNoProblems('console, page errors, CSP or dialogs');
    log('ok - no console errors, CSP violations or dialogs');
  } catch (error) {
    await page.screenshot({ path: path.join(artifactsDir, 'failure-moderate.png'), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    studio.close();
    await context.close().catch(() => {});
  }
}

if (!producerToken) {
  log('YST_PRODUCER_TOKEN must be set');
  log('0 passed, 1 failed');
  process.exitCode = 1;
} else {
  await runBrowserTest(run);
}
