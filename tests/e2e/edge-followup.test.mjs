// End-to-end: 问政跟踪 where the public is, at a public edge (`yishiting
// edge`), in headless Chromium.
//
// - The department opens its link at the edge (/d/<token>): its desk signs
//   in through the edge (the studio checks the link), lists the forwarded
//   question and publishes a reply with an XSS string, shown as text.
// - The citizen who asked opens the viewer page at the edge: 我的提问 shows
//   the reply (the studio said so with questions.mine, the page asked
//   followup.mine, the edge relayed it) and takes one rating.
//
//   YST_URL=http://127.0.0.1:<edge port> YST_DEPT_LINK=…/d/<token> YST_DEPT_NAME=… \
//     YST_VIEWER_ID=… YST_ITEM=N node tests/e2e/edge-followup.test.mjs
//
// No console error, CSP violation or dialog is allowed. Screenshots:
// edge-followup-*.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, check, log, openMyFollowup, runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
const link = process.env.YST_DEPT_LINK || '';
const departmentName = process.env.YST_DEPT_NAME || '';
const viewerId = process.env.YST_VIEWER_ID || '';
const itemId = Number(process.env.YST_ITEM || 0);
const kReply = '已转交城管部门，下周起增设夜间停车位。<img src=x onerror="alert(1)">';

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `edge-followup-${name}.png`), fullPage: true });
}

async function departmentDesk(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await watch(page, 'dept');
  await page.goto(link);
  await page.waitForFunction(([sel, name]) => document.querySelector(sel)?.textContent === name,
    [testid('dept-name'), departmentName], { timeout: kStepTimeoutMs });
  check(!page.url().includes('#d='), `the token stays in the address bar: ${page.url()}`);
  const card = `${testid('items')} [data-item-id="${itemId}"]`;
  await page.waitForSelector(card, { timeout: kStepTimeoutMs });
  await page.click(`${card} ${testid('item-open')}`);
  await page.fill(`${card} ${testid('reply-text')}`, kReply);
  await page.click(`${card} ${testid('reply-send')}`);
  await page.waitForSelector(`${card}[data-status="answered"] ${testid('item-reply')}`, { timeout: kStepTimeoutMs });
  const shown = await page.$eval(`${card} ${testid('item-reply')}`, (n) => ({ text: n.textContent, imgs: n.querySelectorAll('img').length }));
  check(shown.text.includes('<img src=x') && shown.imgs === 0, `the reply is not shown as text: ${JSON.stringify(shown)}`);
  await shot(page, 'dept');
  assertNoProblems('department desk at the edge');
  await context.close();
}

async function viewer(browser) {
  const { context, page, block } = await openMyFollowup(browser, viewerId, itemId, kStepTimeoutMs);
  await page.click(`${block} ${testid('rate-satisfied')}`);
  await page.waitForSelector(`${block} ${testid('my-followup-rated')}[data-rating="satisfied"]`, { timeout: kStepTimeoutMs });
  await shot(page, 'viewer');
  assertNoProblems('viewer page at the edge');
  await context.close();
}

runBrowserTest(async (browser) => {
  check(link.includes('/d/') && departmentName && viewerId && itemId > 0,
    'YST_DEPT_LINK, YST_DEPT_NAME, YST_VIEWER_ID and YST_ITEM must be set');
  await departmentDesk(browser);
  log(`department desk at the edge: replied to item ${itemId}`);
  await viewer(browser);
  log('viewer at the edge: reply seen, rated');
});
