// End-to-end: the viewer page through the nginx in front of two public edges
// (deploy/nginx/yishiting-edges.conf, over https:// and wss://) when the
// edge serving it dies. tests/integration/test_edge_cloud.py kills that edge
// (kill -9) once the studio counts this page at an edge. The page sees its
// connection drop, comes back by itself to the same address (nginx passes
// it to the other edge), resumes, and a question asked then is acknowledged
// after the studio's commit.
//
//   YST_URL=https://localhost:<front port> YST_TRUST_SPKI=<base64 SHA-256 SPKI> \
//     YST_ARTIFACTS=dir node tests/e2e/edge-failover.test.mjs
//
// Prints "[ready]" once the page is in, "[back] MS" (from the drop to the
// next hello.ok) and "[question] ID". Exit status 0 when every check passes.

import path from 'node:path';
import { artifactsDir, askAndAwaitAck, assertNoProblems, baseUrl, check, log, missingHls, runBrowserTest, testid,
  watch } from './support.mjs';

// How long the test waits for the kill, and then for the page to be back
// (the page retries within 0.5-1 s; nginx skips the dead edge at once).
const kKillTimeoutMs = 60000;
const kBackTimeoutMs = 15000;

const text = `边缘节点宕机后提问：公交线路调整在哪里查？（failover ${Date.now().toString(36)}）`;

async function run(browser) {
  check(baseUrl.startsWith('https://'), `YST_URL must be the front's https:// address, not ${baseUrl}`);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const viewer = await context.newPage();
  await watch(viewer, 'viewer', missingHls);
  const sockets = [];
  viewer.on('websocket', (socket) => sockets.push(socket.url()));
  const shot = (label) => viewer.screenshot({ path: path.join(artifactsDir, `edge-failover-${label}.png`),
    fullPage: true });

  await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
  await viewer.waitForSelector('body[data-hello="ok"]', { timeout: 15000 });
  console.log('[ready]');
  log('the page is in; waiting for its edge to be killed');

  await viewer.waitForSelector('body:not([data-hello])', { timeout: kKillTimeoutMs });
  const dropped = Date.now();
  log('the connection dropped');
  await shot('01-dropped');

  await viewer.waitForSelector('body[data-hello="ok"]', { timeout: kBackTimeoutMs });
  const back = Date.now() - dropped;
  console.log(`[back] ${back}`);
  log(`back after ${back} ms`);
  const wanted = `${baseUrl.replace(/^https:/, 'wss:')}/ws`;
  check(sockets.length >= 2 && sockets.every((url) => url === wanted),
    `the page came back to the same address ${wanted}: ${JSON.stringify(sockets)}`);
  const banner = viewer.locator(testid('connection-banner'));
  check(await banner.isHidden(), 'no banner once the page is back');

  const id = await askAndAwaitAck(viewer, text, 'the question acknowledged by the studio, through the other edge');
  console.log(`[question] ${id}`);
  await shot('02-back-and-asked');
  assertNoProblems('the viewer page through the front, across an edge failure');
  await context.close();
}

await runBrowserTest(run);
