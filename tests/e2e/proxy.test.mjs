// End-to-end through the reverse proxy: the viewer page over https:// from
// nginx running deploy/nginx/yishiting.conf in front of a studio. The page
// loads, its WebSocket connects over wss:// through the proxy, a question is
// submitted and acknowledged, and the live program's playlist and a segment
// come through the proxy's HLS location and play in the page's <video>.
// Driven by tests/integration/test_proxy.py, which makes the test CA and
// starts the studio and nginx.
//
//   YST_URL=https://localhost:18443 YST_TRUST_SPKI=<base64 SHA-256 SPKI> \
//     YST_ARTIFACTS=dir node tests/e2e/proxy.test.mjs
//
// Chromium trusts the proxy's certificate through YST_TRUST_SPKI only (see
// support.mjs); without it the page does not load. Exit status 0 when every
// check passes; the last line is "1 passed, 0 failed" or "0 passed, 1 failed".
//
// Selectors: data-testid attributes of assets/web/index.html, as in
// questions.test.mjs.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, log, missingHls, runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;
// The player asks for the playlist again every few seconds until it exists,
// then buffers a segment or two (2 s each) before it plays.
const kPlayTimeoutMs = 30000;

const runTag = Date.now().toString(36);
const questionText = `通过代理提问：医保卡异地使用怎么办？（proxy ${runTag}）`;

async function run(browser) {
  check(baseUrl.startsWith('https://'), `YST_URL must be the proxy's https:// address, not ${baseUrl}`);
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const viewer = await context.newPage();
  await watch(viewer, 'viewer', missingHls);
  viewer.setDefaultTimeout(kStepTimeoutMs);
  const sockets = [];
  viewer.on('websocket', (socket) => sockets.push(socket.url()));
  const shot = (label) => viewer.screenshot({ path: path.join(artifactsDir, `proxy-${label}.png`), fullPage: true });

  try {
    // 1. The page over https, its WebSocket over wss, both through nginx.
    const response = await viewer.goto(`${baseUrl}/`, { waitUntil: 'load' });
    check(response && response.status() === 200, `GET / answered ${response && response.status()}`);
    const security = await response.securityDetails();
    check(security && /^TLS/.test(security.protocol), `the page did not come over TLS: ${JSON.stringify(security)}`);
    const hsts = (await response.allHeaders())['strict-transport-security'] || '';
    check(/max-age=\d+/.test(hsts), `no Strict-Transport-Security from the proxy (got "${hsts}")`);
    await viewer.locator('body[data-hello="ok"]').waitFor();
    const wanted = `${baseUrl.replace(/^https:/, 'wss:')}/ws`;
    check(sockets.includes(wanted), `the page's WebSocket is not ${wanted}: ${JSON.stringify(sockets)}`);
    log(`ok - page over ${security.protocol} (${security.subjectName}), WebSocket ${wanted}`);
    await shot('opened');

    // 2. A question goes through the proxied WebSocket and is acknowledged
    // (question.received comes only after the studio's SQLite commit).
    await viewer.locator(testid('question-category-question')).check();
    await viewer.locator(testid('question-text')).fill(questionText);
    await viewer.locator(testid('question-submit')).click();
    const mine = viewer.locator(`${testid('my-questions')} ${testid('my-question')}`)
      .filter({ has: viewer.locator(testid('my-question-text'), { hasText: questionText }) });
    const refused = viewer.locator(`${testid('question-message')}[data-kind="error"]`);
    await mine.or(refused).first().waitFor();
    if (await refused.count() > 0) throw new Error(`the question was refused: ${(await refused.textContent()).trim()}`);
    await mine.locator(`${testid('my-question-status')}[data-status="pending"]`).waitFor();
    const ack = (await viewer.locator(testid('question-message')).textContent()).trim();
    check(ack === '已收到，等待审核', `acknowledgement is "${ack}"`);
    log('ok - question submitted and acknowledged over wss');
    await shot('asked');

    // 3. HLS through the proxy: the playlist, one of its segments, and the
    // page's player playing them.
    const hls = await viewer.evaluate(async () => {
      const playlist = await fetch('/hls/program.m3u8', { cache: 'no-store' });
      const text = await playlist.text();
      const segment = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).pop();
      const answer = { status: playlist.status, type: playlist.headers.get('content-type'), text, segment };
      if (segment) {
        const got = await fetch(new URL(segment, playlist.url), { cache: 'no-store' });
        answer.segmentStatus = got.status;
        answer.segmentType = got.headers.get('content-type');
        answer.segmentBytes = (await got.arrayBuffer()).byteLength;
      }
      return answer;
    });
    check(hls.status === 200 && hls.text.startsWith('#EXTM3U'),
      `/hls/program.m3u8 through the proxy: HTTP ${hls.status}, ${JSON.stringify(hls.text.slice(0, 200))}`);
    check(hls.segment, `the playlist lists no segment: ${JSON.stringify(hls.text)}`);
    check(hls.segmentStatus === 200 && hls.segmentBytes > 1000 && /mp2t/.test(hls.segmentType || ''),
      `${hls.segment} through the proxy: HTTP ${hls.segmentStatus}, ${hls.segmentType}, ${hls.segmentBytes} bytes`);
    log(`ok - playlist (${hls.type}) and ${hls.segment} (${hls.segmentBytes} bytes) through the proxy`);
    await viewer.waitForFunction((selector) => {
      const video = document.querySelector(selector);
      return video && video.readyState >= 2 && video.currentTime > 1;
    }, testid('video'), { timeout: kPlayTimeoutMs });
    const playing = await viewer.$eval(testid('video'), (v) => ({ time: v.currentTime, width: v.videoWidth, error: v.error && v.error.code }));
    check(!playing.error && playing.width > 0, `the player failed: ${JSON.stringify(playing)}`);
    log(`ok - the live program plays through the proxy (${playing.width} px wide, at ${playing.time.toFixed(1)} s)`);
    await shot('playing');

    assertNoProblems('viewer page through the proxy');
  } finally {
    await context.close();
  }
}

await runBrowserTest(run);
