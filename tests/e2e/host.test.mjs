// End-to-end: the host's monitor in a browser (/host/). A wrong token is
// refused; with the host token the page shows the show's clocks; a producer
// (a WebSocket client) approves three questions and puts one on air — a
// question carrying markup — and the page shows it in large type with the
// asker, and the next ones in air order, within a second; a cue from the
// producer appears and is marked fresh; answering clears the question.
// Runs in headless Chromium against a running studio.
//
//   YST_URL=… YST_HOST_TOKEN=… YST_PRODUCER_TOKEN=… node tests/e2e/host.test.mjs
//
// No console error, CSP violation or dialog is allowed (failed loads under
// /hls/ excepted). Screenshots go to YST_ARTIFACTS, named host-*.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, log, measured, missingHls, runBrowserTest,
  testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const kWithinMs = 1000; // the budget for a question on air to reach the host's page
const hostToken = process.env.YST_HOST_TOKEN || '';
const producerToken = process.env.YST_PRODUCER_TOKEN || '';
const runTag = Date.now().toString(36);
const markup = '<img src=x onerror=alert(1)>';

async function waitText(page, id, want, what) {
  const started = Date.now();
  await page.waitForFunction(([selector, text]) => {
    const node = document.querySelector(selector);
    return node && node.textContent.includes(text);
  }, [testid(id), want], { timeout: kStepTimeoutMs }).catch((error) => {
    throw new Error(`expected ${what} to read "${want}": ${error.message}`);
  });
  return Date.now() - started;
}

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'host', missingHls);
  await page.goto(`${baseUrl}/host/`);

  // A wrong token first.
  await page.fill(testid('host-token'), 'not-the-host-token');
  await page.click(testid('host-login-submit'));
  await page.waitForSelector(`${testid('host-login-error')}:not([hidden])`, { timeout: kStepTimeoutMs });
  await page.fill(testid('host-token'), hostToken);
  await page.click(testid('host-login-submit'));
  await page.waitForSelector('body[data-hello="ok"]', { timeout: kStepTimeoutMs });
  const first = await page.textContent(testid('host-elapsed'));
  await page.waitForFunction(([selector, before]) => document.querySelector(selector).textContent !== before,
    [testid('host-elapsed'), first], { timeout: 3000 });
  check(!(await page.isHidden(testid('host-remaining-box'))), 'the remaining time is not shown');
  log('ok - the host signs in (a wrong token refused) and the clock runs');

  const producer = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: 'e2e导播' },
    'producer');
  const ids = [];
  for (const [text, nickname] of [[`${markup}医保卡异地怎么用？（${runTag}）`, '瓯海小李'],
    [`公交卡能在手机上充值吗？（${runTag}）`, '鹿城老陈'], [`老小区加装电梯怎么申请？（${runTag}）`, '']]) {
    const submitted = await producer.request({ type: 'question.submit', text, nickname, category: 'question' });
    ids.push(submitted.question.id);
    await producer.request({ type: 'question.approve', question: submitted.question.id });
  }
  await producer.request({ type: 'question.on_air', question: ids[0] });
  const took = await waitText(page, 'host-onair-text', `医保卡异地怎么用？（${runTag}）`, 'the question on air');
  measured('question on air to the host page', took, kWithinMs);
  check((await page.textContent(testid('host-onair-text'))).startsWith(markup), 'the markup is not shown as text');
  check((await page.locator('img').count()) === 0, 'user text became markup');
  check((await page.textContent(testid('host-onair-asker'))).includes('瓯海小李'), 'the asker is not shown');
  const next = await page.$$eval(`${testid('host-next')} li`, (nodes) => nodes.map((n) => n.textContent));
  check(next.length === 2 && next[0].includes('公交卡') && next[1].includes('加装电梯'),
    `the next questions: ${JSON.stringify(next)}`);
  log('ok - the question on air and the next ones reach the host at once');

  await producer.request({ type: 'cue.send', text: `还有一分钟（${runTag}）` });
  await waitText(page, 'host-cue', `还有一分钟（${runTag}）`, 'the cue');
  check((await page.getAttribute(testid('host-cue'), 'data-fresh')) === 'true', 'a new cue is not marked');
  await page.screenshot({ path: path.join(artifactsDir, 'host-monitor-web.png') });
  log('ok - a cue appears, marked new');

  await producer.request({ type: 'question.answered' });
  await page.waitForSelector(`${testid('host-onair')}[data-state="none"]`, { timeout: kStepTimeoutMs });
  producer.close();
  assertNoProblems('host page');
  await context.close();
  log('ok - answering clears the question');
}

if (!hostToken || !producerToken) {
  log('YST_HOST_TOKEN and YST_PRODUCER_TOKEN must be set');
  log('0 passed, 1 failed');
  process.exitCode = 1;
} else {
  await runBrowserTest(run);
}
