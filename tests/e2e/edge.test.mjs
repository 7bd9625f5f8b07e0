// End-to-end: the viewer page served by a public edge (`yishiting edge`),
// as a phone would open it. It says hello to the edge, shows the show's
// title from the studio's snapshot, and sends a question that is listed as
// acknowledged only once the studio has committed it (data-question-id set).
// tests/integration/test_edge.py then finds it once at the studio.
//
//   YST_URL=http://127.0.0.1:<edge port> YST_ARTIFACTS=dir YST_TITLE=… \
//     node tests/e2e/edge.test.mjs
//
// Exit status 0 when every check passes. Screenshots go to YST_ARTIFACTS.

import path from 'node:path';
import { artifactsDir, askAndAwaitAck, assertNoProblems, baseUrl, check, log, missingHls, runBrowserTest, testid,
  watch } from './support.mjs';

const title = process.env.YST_TITLE || '';
const text = `在边缘节点提问：老城区停车难怎么解决？（edge ${Date.now().toString(36)}）`;

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const viewer = await context.newPage();
  await watch(viewer, 'viewer', missingHls);
  await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
  await viewer.waitForSelector('body[data-hello="ok"]', { timeout: 15000 });
  const shown = (await viewer.locator(testid('show-title')).textContent()).trim();
  check(!title || shown === title, `the show's title from the studio (${shown} vs ${title})`);

  const id = await askAndAwaitAck(viewer, text, 'the question acknowledged by the studio, through the edge');
  log(`acknowledged as question ${id}`);
  console.log(`[question] ${id}`);
  await viewer.screenshot({ path: path.join(artifactsDir, 'edge-01-acknowledged.png'), fullPage: true });
  const banner = viewer.locator(testid('connection-banner'));
  check(await banner.isHidden(), 'no banner while the studio is reachable');
  assertNoProblems('the viewer page at the edge');
  await context.close();
}

await runBrowserTest(run);
