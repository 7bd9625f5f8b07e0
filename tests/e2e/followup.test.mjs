// End-to-end: 问政跟踪's pages in headless Chromium.
//
// - The department desk: the department opens its link (/d/<token>), the
//   token leaves the address bar, the desk shows its own items only (the
//   other department's overdue question is not there), and a reply with an
//   XSS string is published and stays text. Its token cannot read another
//   department's item over /ws either.
// - The public tracker: the chart shows both departments, the overdue one
//   flagged; the status filter leaves the overdue item; its shareable page
//   has its history; the promise's "watch" link opens the archive's video at
//   the promise's moment.
// - The viewer page: the citizen who asked sees the reply under 我的提问
//   (as text), rates it once, and after a reload sees the rating and no
//   buttons.
// - The producer page: the comment waits in 问政跟踪's panel with the
//   sensitive word it holds flagged; approved, it is on the item's public
//   page.
//
//   YST_URL=… YST_PRODUCER_TOKEN=… YST_DEPT_LINK=…/d/<token> YST_VIEWER_ID=… YST_COMMITMENT=N \
//     YST_OVERDUE_ITEM=N YST_COMMITMENT_MS=ms YST_SESSION=N node tests/e2e/followup.test.mjs
//
// No console error, CSP violation or dialog is allowed. Screenshots:
// followup-*. Selectors: the top of assets/web/dept/view.js,
// assets/web/followup/view.js and assets/web/viewer/view.js.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, log, missingHls, openMyFollowup, pollUntil, runBrowserTest, testid,
  watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const link = process.env.YST_DEPT_LINK || '';
const viewerId = process.env.YST_VIEWER_ID || '';
const commitmentId = Number(process.env.YST_COMMITMENT || 0);
const overdueId = Number(process.env.YST_OVERDUE_ITEM || 0);
const commitmentMs = Number(process.env.YST_COMMITMENT_MS || -1);
const sessionId = Number(process.env.YST_SESSION || 0);
const producerToken = process.env.YST_PRODUCER_TOKEN || '';
// The test's sensitive-word list holds 代开发票.
const kComment = '希望按时办结，别再有代开发票的事';
const kReply = '已协调不动产登记中心，本月底前办结。<img src=x onerror="alert(1)">';

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `followup-${name}.png`), fullPage: true });
}

async function departmentDesk(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'dept');
  await page.goto(link);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '市住建局',
    testid('dept-name'), { timeout: kStepTimeoutMs });
  check(!page.url().includes('#d='), `the token stays in the address bar: ${page.url()}`);
  await page.waitForSelector(`${testid('items')} ${testid('item')}`, { timeout: kStepTimeoutMs });
  const ids = await page.$$eval(`${testid('items')} ${testid('item')}`, (nodes) => nodes.map((n) => Number(n.dataset.itemId)));
  check(ids.includes(commitmentId), `the desk lists its promise ${commitmentId}: ${ids}`);
  check(!ids.includes(overdueId), `the desk lists another department's item ${overdueId}: ${ids}`);
  const question = await page.$eval(`${testid('items')} [data-kind="question"]`, (n) => Number(n.dataset.itemId));
  const card = `${testid('items')} [data-item-id="${question}"]`;
  await page.click(`${card} ${testid('item-open')}`);
  await page.fill(`${card} ${testid('reply-text')}`, kReply);
  await shot(page, 'dept-writing');
  await page.click(`${card} ${testid('reply-send')}`);
  await page.waitForSelector(`${card}[data-status="answered"] ${testid('item-reply')}`, { timeout: kStepTimeoutMs });
  const shown = await page.$eval(`${card} ${testid('item-reply')}`, (n) => ({ text: n.textContent, imgs: n.querySelectorAll('img').length }));
  check(shown.text.includes('<img src=x') && shown.imgs === 0, `the reply is not shown as text: ${JSON.stringify(shown)}`);
  await page.waitForSelector(`${card} ${testid('history-entry')}`, { timeout: kStepTimeoutMs });
  await shot(page, 'dept');

  // The same token over /ws: another department's item is "not found".
  const token = link.slice(link.lastIndexOf('/') + 1);
  const answer = await page.evaluate(async ([url, tok, item]) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', role: 'department', token: tok }));
    ws.onmessage = (event) => {
      const m = JSON.parse(event.data);
      if (m.type === 'hello.ok') ws.send(JSON.stringify({ type: 'followup.item', item, id: 1 }));
      else if (m.id === 1) { ws.close(); resolve(m); }
    };
  }), [`${baseUrl.replace(/^http/, 'ws')}/ws`, token, overdueId]);
  check(answer.type === 'error' && answer.code === 'not_found', `another department's item: ${JSON.stringify(answer)}`);
  assertNoProblems('department desk');
  await context.close();
  return question;
}

async function tracker(browser, question) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'tracker');
  await page.goto(`${baseUrl}/followup/`);
  await page.waitForSelector(`${testid('dept-chart')} ${testid('dept-row')}`, { timeout: kStepTimeoutMs });
  const rows = await page.$$eval(`${testid('dept-chart')} ${testid('dept-row')}`, (nodes) => nodes.map((n) => ({
    name: n.querySelector('[data-testid="dept-name"]').textContent,
    overdue: Boolean(n.querySelector('[data-testid="dept-overdue"]')),
    onTime: n.querySelector('[data-testid="bar-ontime"]').dataset.value,
  })));
  check(rows.length === 2 && rows[0].name === '市医保局' && rows[0].overdue, `the chart: ${JSON.stringify(rows)}`);
  const housing = rows.find((r) => r.name === '市住建局');
  check(housing && housing.onTime === '100', `市住建局 answered on time: ${JSON.stringify(rows)}`);
  await page.waitForSelector(`${testid('list-card')}[data-loaded="true"] ${testid('item')}`, { timeout: kStepTimeoutMs });
  const replyText = await page.$eval(`${testid('items')} [data-item-id="${question}"] ${testid('item-reply')}`, (n) => n.textContent);
  check(replyText.includes('<img src=x'), `the tracker shows the reply as text: ${replyText}`);
  await shot(page, 'tracker');

  await page.selectOption(testid('filter-status'), 'overdue');
  await pollUntil(async () => {
    const ids = await page.$$eval(`${testid('items')} ${testid('item')}`, (nodes) => nodes.map((n) => Number(n.dataset.itemId)));
    return { ok: ids.length === 1 && ids[0] === overdueId, value: ids, seen: ids };
  }, 'the overdue filter', kStepTimeoutMs);
  check(page.url().includes('status=overdue'), `the filter is in the address: ${page.url()}`);
  const label = await page.$eval(`${testid('items')} ${testid('item-status')}`, (n) => n.textContent);
  check(label === '逾期未答复', `the overdue question reads ${label}`);
  await page.click(`${testid('items')} ${testid('item-share')}`);
  await page.waitForSelector(`${testid('item-view')}[data-loaded="true"] ${testid('history-entry')}`, { timeout: kStepTimeoutMs });
  check(page.url().endsWith(`#item=${overdueId}`), `the item's own address: ${page.url()}`);
  await shot(page, 'item');

  // The promise's moment in the archive.
  await page.goto(`${baseUrl}/followup/#item=${commitmentId}`);
  await page.waitForSelector(`${testid('item-view')}[data-loaded="true"] ${testid('item-archive')}`, { timeout: kStepTimeoutMs });
  const href = await page.$eval(`${testid('item-view')} ${testid('item-archive')}`, (n) => n.getAttribute('href'));
  check(href === `/archive/#s=${sessionId}&t=${commitmentMs}`, `the promise's link: ${href}`);
  await page.click(`${testid('item-view')} ${testid('item-archive')}`);
  await page.waitForSelector(`${testid('session-view')}[data-loaded="true"]`, { timeout: kStepTimeoutMs });
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.readyState >= 1 && v.currentTime > 0;
  }, testid('archive-video'), { timeout: kStepTimeoutMs });
  await shot(page, 'archive-moment');
  assertNoProblems('tracker');
  await context.close();
}

async function viewer(browser, question) {
  const { context, page, block } = await openMyFollowup(browser, viewerId, question, kStepTimeoutMs);
  await page.fill(`${block} ${testid('my-followup-comment')}`, kComment);
  await shot(page, 'viewer-rate');
  await page.click(`${block} ${testid('rate-satisfied')}`);
  await page.waitForSelector(`${block} ${testid('my-followup-rated')}[data-rating="satisfied"]`, { timeout: kStepTimeoutMs });
  await page.reload();
  await page.waitForSelector(`${block} ${testid('my-followup-rated')}`, { timeout: kStepTimeoutMs });
  check(await page.$(`${block} ${testid('my-followup-rate')}`) === null, 'the rating buttons are back after a reload');
  await shot(page, 'viewer');
  assertNoProblems('viewer');
  await context.close();
}

async function producer(browser, question) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'producer', missingHls);
  await page.goto(`${baseUrl}/producer/`, { waitUntil: 'load' });
  await page.locator(testid('login-token')).fill(producerToken);
  await page.locator(testid('login-name')).fill('值班导播');
  await page.locator(testid('login-submit')).click();
  await page.waitForSelector('body[data-hello="ok"]', { timeout: kStepTimeoutMs });
  const comment = `${testid('comments')} ${testid('pending-comment')}`;
  await page.waitForSelector(comment, { timeout: kStepTimeoutMs });
  const shown = await page.$eval(comment, (n) => ({
    text: n.textContent,
    flag: n.querySelector('[data-testid="comment-flag-sensitive"]')?.textContent || '',
  }));
  check(shown.text.includes(kComment), `the comment waits for a producer: ${JSON.stringify(shown)}`);
  check(shown.flag.includes('代开发票'), `the comment's sensitive word is flagged: ${JSON.stringify(shown)}`);
  await page.locator(testid('followup-panel')).screenshot({ path: path.join(artifactsDir, 'followup-producer-comment.png') });
  await page.click(`${comment} ${testid('comment-approve')}`);
  await page.waitForSelector(comment, { state: 'detached', timeout: kStepTimeoutMs });
  const item = await (await fetch(`${baseUrl}/api/followup/item?id=${question}`)).json();
  check(item.comments.some((c) => c.comment === kComment), `the approved comment is public: ${JSON.stringify(item.comments)}`);
  assertNoProblems('producer');
  await context.close();
}

runBrowserTest(async (browser) => {
  check(link.includes('/d/') && producerToken && viewerId && commitmentId > 0 && overdueId > 0 && sessionId > 0 && commitmentMs >= 0,
    'YST_PRODUCER_TOKEN, YST_DEPT_LINK, YST_VIEWER_ID, YST_COMMITMENT, YST_OVERDUE_ITEM, YST_SESSION and YST_COMMITMENT_MS must be set');
  const question = await departmentDesk(browser);
  log(`department desk: replied to item ${question}`);
  await tracker(browser, question);
  log('tracker: chart, filter, item page, archive moment');
  await viewer(browser, question);
  log('viewer: reply seen, rated once');
  await producer(browser, question);
  log('producer: the comment flagged, approved, public');
});
