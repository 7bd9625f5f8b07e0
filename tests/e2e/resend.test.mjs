// End-to-end: the viewer page sends a question again after its connection
// dropped before the answer, and the question is there once. Between the
// page and the studio the test sits on the page's WebSocket (Playwright's
// routeWebSocket, forwarding both ways) and cuts it at the worst moments:
//
//   1. after the studio committed the question, before its question.received
//      reached the page, and the hello.ok after the reconnect does not list
//      it (the relay empties its `mine`, as a public edge that has no list
//      for the viewer would): the page shows it as 等待确认, sends it again
//      with the same client id, and the studio answers with the question it
//      stored;
//   2. the same, with hello.ok as the studio sends it: the question is in
//      its `mine` (with the client id), so the page takes it from there and
//      sends nothing again;
//   3. before the submission reached the studio, and the page is reloaded
//      while no connection lets it say hello: the question waits in
//      localStorage, is sent from there after the reload, and stored then.
//
// Each time the page lists it once, and the studio (questions.list, as a
// producer) has it once.
//
//   YST_URL=http://127.0.0.1:18080 YST_PRODUCER_TOKEN=… YST_ARTIFACTS=dir \
//     node tests/e2e/resend.test.mjs
//
// Exit status 0 when every check passes; the last line is "1 passed, 0
// failed" or "0 passed, 1 failed". Screenshots of every step go to
// YST_ARTIFACTS (default tests/artifacts/e2e).
//
// Selectors: data-testid attributes of assets/web/index.html and
// viewer/view.js: question-text, question-submit, question-message,
// my-questions > my-question (data-status: sending while unacknowledged,
// then the question's status; data-question-id once acknowledged) with
// my-question-text and my-question-status.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, log, missingHls, pollUntil, runBrowserTest, testid,
  watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const producerToken = process.env.YST_PRODUCER_TOKEN || '';
const runTag = Date.now().toString(36);
const texts = {
  notListed: `回执丢了：医保卡异地就医怎么备案？（resend ${runTag}）`,
  listed: `回执丢了，重连时已在我的提问里：公交 12 路为什么总晚点？（resend ${runTag}）`,
  reloaded: `没送到工作室，又刷新了页面：菜市场占道经营谁来管？（resend ${runTag}）`,
};

// What the route does to the next message that matches: pass it on, or cut
// the connection instead.
const Cut = Object.freeze({ NONE: 'none', BEFORE_ACK: 'before_ack', BEFORE_SUBMIT: 'before_submit' });

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  let cut = Cut.NONE;
  let hold = false; // new connections reach nothing (the page never hears hello.ok)
  let connections = 0;
  let connectionsAtCut = 0; // how many there had been when the last cut was made
  let hideMine = false; // the next hello.ok reaches the page without its `mine`
  const submitted = []; // {clientId, text} of every question.submit the page sent, in order
  await context.routeWebSocket(/\/ws$/, (page) => {
    connections += 1;
    if (hold) return; // open for the page, connected to nothing
    const studio = page.connectToServer();
    page.onMessage((message) => {
      const parsed = parse(message);
      if (parsed && parsed.type === 'question.submit') {
        submitted.push({ clientId: parsed.client_id, text: parsed.text });
        if (cut === Cut.BEFORE_SUBMIT) {
          cut = Cut.NONE;
          connectionsAtCut = connections;
          page.close({ code: 4000, reason: 'cut by the test' });
          studio.close();
          return;
        }
      }
      studio.send(message);
    });
    studio.onMessage((message) => {
      const parsed = parse(message);
      if (parsed && parsed.type === 'question.received' && cut === Cut.BEFORE_ACK) {
        cut = Cut.NONE;
        connectionsAtCut = connections;
        page.close({ code: 4000, reason: 'cut by the test' });
        studio.close();
        return;
      }
      if (parsed && parsed.type === 'hello.ok' && hideMine) {
        hideMine = false;
        page.send(JSON.stringify({ ...parsed, mine: [] }));
        return;
      }
      page.send(message);
    });
  });

  const viewer = await context.newPage();
  await watch(viewer, 'viewer', missingHls);
  viewer.setDefaultTimeout(kStepTimeoutMs);
  let step = 0;
  const shot = (label) => {
    step += 1;
    return viewer.screenshot({ path: path.join(artifactsDir, `resend-${String(step).padStart(2, '0')}-${label}.png`),
                               fullPage: true });
  };
  const producer = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: 'e2e重发' },
                                   'producer', kStepTimeoutMs);
  try {
    await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await viewer.locator('body[data-hello="ok"]').waitFor();
    log('ok - the page is connected through the test\'s relay');

    // 1. The question is committed; its acknowledgement is lost with the
    // connection, and the next hello.ok does not list it: sent again.
    cut = Cut.BEFORE_ACK;
    hideMine = true;
    const first = await ask(viewer, texts.notListed);
    await expectWaiting(viewer, texts.notListed);
    check(await viewer.locator(testid('question-text')).inputValue() === '',
          'the form still holds the text of the question that waits in the list');
    await shot('ack-lost-waiting');
    const one = await expectAcknowledgedOnce(viewer, producer, texts.notListed);
    expectSent(submitted, texts.notListed, first, 2);
    await shot('ack-lost-acknowledged');
    log(`ok - acknowledgement lost: 等待确认, sent again with client id ${first}, #${one} once`);

    // 2. Lost again; this time hello.ok lists it: taken from there.
    cut = Cut.BEFORE_ACK;
    const second = await ask(viewer, texts.listed);
    await expectWaiting(viewer, texts.listed);
    const two = await expectAcknowledgedOnce(viewer, producer, texts.listed);
    expectSent(submitted, texts.listed, second, 1);
    log(`ok - acknowledgement lost, listed in hello.ok's mine: #${two} once, not sent again`);

    // 3. Cut before the studio heard of it, and the page reloaded before it
    // could say hello again: the question comes back from localStorage.
    cut = Cut.BEFORE_SUBMIT;
    hold = true;
    const third = await ask(viewer, texts.reloaded);
    await expectWaiting(viewer, texts.reloaded);
    const stored = await viewer.evaluate(() => localStorage.getItem('yst.outbox'));
    check(stored && stored.includes(third) && stored.includes(texts.reloaded),
          `the waiting question is not in localStorage: ${stored}`);
    // The page reconnects (to nothing) and cannot send it: it must stay.
    await pollUntil(async () => ({ ok: connections > connectionsAtCut, seen: connections }),
                    'the page to reconnect (to nothing)', kStepTimeoutMs);
    await expectWaiting(viewer, texts.reloaded);
    await shot('reload-waiting');
    hold = false;
    await viewer.reload({ waitUntil: 'load' });
    const three = await expectAcknowledgedOnce(viewer, producer, texts.reloaded);
    expectSent(submitted, texts.reloaded, third, 2);
    check(await viewer.evaluate(() => JSON.parse(localStorage.getItem('yst.outbox') || '[]').length) === 0,
          'localStorage still holds an acknowledged question');
    await shot('reload-acknowledged');
    log(`ok - cut before the studio heard of it, page reloaded: sent from localStorage, #${three} once`);

    // Every question once on the page, none still waiting.
    check(await viewer.locator(`${testid('my-question')}[data-status="sending"]`).count() === 0,
          'a question still shows as 等待确认');
    for (const text of Object.values(texts)) {
      check(await myQuestions(viewer, text).count() === 1, `the page lists "${text}" more than once`);
    }
    assertNoProblems('viewer page');
  } finally {
    producer.close();
    await context.close();
  }
}

function parse(message) {
  try {
    return JSON.parse(String(message));
  } catch {
    return null;
  }
}

// Types `text` into the form and sends it; the client id it went with.
async function ask(viewer, text) {
  const before = (await viewer.evaluate(() => localStorage.getItem('yst.outbox'))) || '[]';
  await viewer.locator(testid('question-text')).fill(text);
  await viewer.locator(`${testid('question-submit')}:enabled`).click();
  return pollUntil(async () => {
    const outbox = JSON.parse((await viewer.evaluate(() => localStorage.getItem('yst.outbox'))) || '[]');
    const entry = outbox.find((e) => e.text === text);
    return { ok: Boolean(entry), value: entry && entry.clientId, seen: { before, outbox } };
  }, `"${text}" kept in localStorage while it is sent`, kStepTimeoutMs, 10).catch(async () => {
    // Acknowledged before the poll saw it (the cut missed): that is a failure of the test's cut.
    throw new Error(`"${text}" was never kept as waiting; the form says ` +
                    `"${await viewer.locator(testid('question-message')).textContent()}"`);
  });
}

// The page sent `text` `times` times, always with `clientId`.
function expectSent(submitted, text, clientId, times) {
  const sent = submitted.filter((s) => s.text === text);
  check(sent.length === times && sent.every((s) => s.clientId === clientId),
        `"${text}" was to be sent ${times} time(s) with client id ${clientId}: ${JSON.stringify(sent)}`);
}

function myQuestions(viewer, text) {
  return viewer.locator(`${testid('my-questions')} ${testid('my-question')}`)
    .filter({ has: viewer.locator(testid('my-question-text'), { hasText: text }) });
}

// The question shows once, as 等待确认.
async function expectWaiting(viewer, text) {
  const waiting = myQuestions(viewer, text).and(viewer.locator('[data-status="sending"]'));
  await waiting.waitFor();
  const badge = (await waiting.locator(testid('my-question-status')).textContent()).trim();
  check(badge === '等待确认', `the waiting question's badge says "${badge}"`);
  check(await myQuestions(viewer, text).count() === 1, `"${text}" is listed twice while it waits`);
}

// Acknowledged: listed once as received, and once in the studio. Its id.
async function expectAcknowledgedOnce(viewer, producer, text) {
  const received = myQuestions(viewer, text).and(viewer.locator('[data-status="pending"]'));
  await received.waitFor();
  check(await myQuestions(viewer, text).count() === 1, `"${text}" is listed twice once acknowledged`);
  const id = Number(await received.getAttribute('data-question-id'));
  const listed = (await producer.request({ type: 'questions.list' })).questions.filter((q) => q.text === text);
  check(listed.length === 1 && listed[0].id === id,
        `the studio has "${text}" ${listed.length} times: ${JSON.stringify(listed.map((q) => q.id))} (page: #${id})`);
  return id;
}

await runBrowserTest(run);
