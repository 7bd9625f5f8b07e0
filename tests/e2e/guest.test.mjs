// End-to-end: a remote guest joins the show from their invitation link in
// Chromium, whose fake camera shows a known solid colour, from a network of
// their own (a namespace the test made; the studio's ICE ignores loopback).
// The producer works from the producer page's 远程嘉宾 panel.
//
//   1. The producer makes the invitation on their page (name, title): its
//      link, shown once, opens the guest page: who they are invited as,
//      their devices, the self view; they join and wait in the green room.
//   2. The producer's page shows them in the green room, by name; a cut to
//      them is refused, and the program's tile for them stays black (held
//      off air) although their picture reaches the studio.
//   3. 接入 on the producer's page: the guest's page says "on air", and the
//      guest's colour is in their tile of the program the partner site
//      receives; the program comes back to their page (the return feed);
//      the producer's cue typed on their page shows on it; the producer's
//      talkback (对讲) is heard in it and the page says so, until it is
//      turned off; a cut to them alone brings up their lower-third from
//      the invitation.
//   4. Their network drops (the host's end of their link taken down): the
//      slot's slate within 2.5 s; the network back, the page rejoins by
//      itself into the same slot and they are on air again within 5 s.
//
//   YST_URL=http://10.77.N.1:PORT YST_PRODUCER_TOKEN=…
//   YST_CHROMIUM=<a wrapper running chromium in the namespace>
//   YST_FAKE_VIDEO=red.y4m YST_FAKE_AUDIO=tone.wav YST_PROGRAM_URL=rtmp://…
//   YST_GUEST_IF=ygN YST_ARTIFACTS=dir node tests/e2e/guest.test.mjs
//
// Screenshots go to YST_ARTIFACTS, named guest-*.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { guestTileColour, isDark, isRed, programFrame, rightHalf, until } from './guest_support.mjs';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, measured, missingHls, runBrowserTest,
  testid, watch,
} from './support.mjs';

const run = promisify(execFile);
const kSource = 'remote1';

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `guest-${name}.png`) });
}

async function waitProgram(name, accept, what) {
  return until(async () => {
    const colour = rightHalf(await programFrame(name)).map(Math.round);
    return { ok: accept(colour), value: colour, seen: colour };
  }, what, 40000, 200);
}

async function slotIs(predicate, what, timeoutMs, pollMs = 100) {
  return until(async () => {
    const s = await slot();
    return { ok: predicate(s), value: s, seen: { state: s.state, webrtc: s.webrtc } };
  }, what, timeoutMs, pollMs);
}

async function slot() {
  const status = await getJson('/api/status');
  return status.sources.find((s) => s.id === kSource);
}

async function setLink(up) {
  await run('ip', ['link', 'set', process.env.YST_GUEST_IF, up ? 'up' : 'down']);
}

// The producer's page, signed in: its row for the slot.
async function producerPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  const desk = await context.newPage();
  await watch(desk, 'producer', missingHls);
  await desk.goto(`${baseUrl}/producer/`, { waitUntil: 'load' });
  await desk.locator(testid('login-token')).fill(process.env.YST_PRODUCER_TOKEN);
  await desk.locator(testid('login-submit')).click();
  await desk.waitForSelector('body[data-hello="ok"]', { timeout: 15000 });
  await desk.waitForSelector(`${testid('guests-panel')}:not([hidden])`, { timeout: 15000 });
  return desk;
}

const row = `${testid('guest-slot')}[data-source="${kSource}"]`;

// Waits until the slot's row on the producer's page is in `state` (its
// data-state, as the studio said) and returns its text.
async function rowIs(desk, state, what) {
  await desk.waitForSelector(`${row}[data-state="${state}"]`, { timeout: 15000 }).catch(async () => {
    throw new Error(`expected ${what}; the row says: ${await desk.textContent(row)}`);
  });
  return desk.textContent(row);
}

await runBrowserTest(async (browser) => {
  // 1. The invitation, made on the producer's page.
  const desk = await producerPage(browser);
  check((await rowIs(desk, 'waiting', 'the empty slot')).includes('等待嘉宾'), 'the slot waits for a guest');
  await desk.locator(`${row} ${testid('guest-invite-name')}`).fill('张三');
  await desk.locator(`${row} ${testid('guest-invite-title')}`).fill('温州市医疗保障局局长');
  await desk.locator(`${row} ${testid('guest-invite-make')}`).click();
  await desk.waitForSelector(`${row} ${testid('guest-link')}:not([hidden])`, { timeout: 15000 }).catch(() => {});
  const link = await desk.locator(`${row} ${testid('guest-link')}`).inputValue({ timeout: 15000 });
  // The show has no public_url and listens on every address: the link is on
  // the address the producer's page reached the studio at.
  check(new RegExp(`^${baseUrl}/g/[A-Za-z0-9_-]{32}$`).test(link), `the invitation's link: ${link}`);
  await desk.screenshot({ path: path.join(artifactsDir, 'guest-producer-invitation.png') });

  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  await watch(page, 'guest', (text) => /Failed to load resource|ERR_NETWORK_CHANGED|net::ERR_/.test(text));

  // The link's path, on the studio's address as the guest's network reaches it.
  await page.goto(`${baseUrl}${new URL(link, baseUrl).pathname}`);
  check(new URL(page.url()).pathname === '/guest/', `the link leads to the guest page (at ${page.url()})`);
  check(!page.url().includes('#t='), 'the token left the address bar');
  await page.waitForSelector(`${testid('phase')}[data-phase="setup"]`, { timeout: 15000 });
  const who = await page.textContent(testid('who'));
  check(who.includes('张三') && who.includes('温州市医疗保障局局长'), `who they are invited as: ${who}`);
  await page.waitForFunction((selector) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 2 && v.videoWidth > 0;
  }, testid('self-view'), { timeout: 15000 });
  const cameras = await page.$$eval(`${testid('camera')} option`, (options) => options.length);
  check(cameras >= 1, 'the cameras are listed');
  await shot(page, 'setup');
  await page.click(testid('join'));
  await page.waitForSelector(`${testid('phase')}[data-phase="green_room"]`, { timeout: 20000 });
  await shot(page, 'green-room');

  // 2. The producer's side: in the green room, held off air.
  const producer = await connectAs({ type: 'hello', role: 'producer', token: process.env.YST_PRODUCER_TOKEN }, 'producer');
  const waiting = await slotIs((s) => s.webrtc.state === 'green_room', 'the slot in the green room', 15000);
  check(waiting.webrtc.guest === '张三' && waiting.webrtc.kind === 'guest', `the slot names the guest: ${JSON.stringify(waiting.webrtc)}`);
  const greenRoom = await rowIs(desk, 'green_room', 'the guest in the green room on the producer\'s page');
  check(greenRoom.includes('等候室') && greenRoom.includes('张三 · 温州市医疗保障局局长'),
    `the producer's page names the guest in the green room: ${greenRoom}`);
  await desk.screenshot({ path: path.join(artifactsDir, 'guest-producer-green-room.png') });
  const refused = await producer.send({ type: 'program.set', layout: 'single', tiles: [kSource, 'cam'] });
  check(refused.type === 'error' && refused.code === 'not_admitted', `a cut to a guest in the green room is refused: ${JSON.stringify(refused)}`);
  const frames = waiting.frames;
  await slotIs((s) => s.frames > frames + 10, 'the guest\'s frames reaching the studio', 10000);
  const held = await waitProgram('held', isDark, 'the guest\'s tile black while in the green room');
  log(`held tile ${held.map(Math.round)}`);

  // 3. Admitted (接入 on the producer's page): on air, in their colour.
  const admitted = Date.now();
  await desk.locator(`${row} ${testid('guest-admit')}`).click();
  await waitProgram('admitted', isRed, 'the guest\'s red in their tile');
  measured('admission to the guest\'s picture at the partner site', Date.now() - admitted, 6000);
  await page.waitForSelector(`${testid('phase')}[data-phase="live"]`, { timeout: 10000 });
  // The return feed on the same connection: the program (with the guest in
  // it) and their mix-minus.
  await page.waitForFunction((selector) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 2 && v.videoWidth === 640 && v.srcObject && v.srcObject.getAudioTracks().length === 1;
  }, testid('return-view'), { timeout: 15000 });
  const returned = await until(async () => {
    const colour = await page.$eval(testid('return-view'), guestTileColour);
    return { ok: isRed(colour), value: colour, seen: colour };
  }, 'the program in the return feed, with the guest\'s red in their tile', 15000, 200);
  log(`return feed's right half ${returned}`);
  await shot(page, 'on-air');
  check((await rowIs(desk, 'live', 'the guest on air on the producer\'s page')).includes('退回'),
    'the producer\'s page offers 退回 for a guest on air');
  // The producer's cue, typed on their page, reaches the guest's.
  await desk.locator(`${row} ${testid('guest-cue-text')}`).fill('请看镜头 <b>1</b>');
  await desk.locator(`${row} ${testid('guest-cue-send')}`).click();
  await page.waitForFunction(([selector, text]) => {
    const cue = document.querySelector(selector);
    return cue && cue.textContent === text && !cue.closest('[hidden]');
  }, [testid('cue-text'), '请看镜头 <b>1</b>'], { timeout: 10000 });
  check(await page.$(`${testid('cue')} b`) === null, 'the cue is shown as text, not markup');
  // The producer talks to them (对讲): their page says so, and the
  // talkback's tone (660 Hz) is in what they hear; off again, it is gone.
  const talkbackDb = () => page.evaluate(async (selector) => {
    const stream = document.querySelector(selector).srcObject;
    if (!stream || stream.getAudioTracks().length === 0) return -200;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(stream).connect(analyser);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const at = (hz) => Math.round(hz / (context.sampleRate / analyser.fftSize));
    let level = -200; // dB; no sound at all reads -Infinity
    for (let i = at(640); i <= at(680); i++) level = Math.max(level, bins[i]);
    await context.close();
    return level;
  }, testid('return-view'));
  const quiet = await talkbackDb();
  const talk = desk.locator(`${row} ${testid('guest-talk')}`);
  await talk.click();
  await desk.waitForSelector(`${row} ${testid('guest-talk')}[aria-pressed="true"]`, { timeout: 10000 });
  await page.waitForFunction((selector) => !document.querySelector(selector).hidden,
    testid('talkback'), { timeout: 10000 });
  const heard = await until(async () => {
    const db = await talkbackDb();
    return { ok: db > -70 && db > quiet + 30, value: db, seen: `${db.toFixed(1)} dB (before: ${quiet.toFixed(1)})` };
  }, 'the producer\'s talkback in the guest\'s ears', 10000);
  log(`[measured] talkback at the guest: ${heard.toFixed(1)} dB at 660 Hz, ${quiet.toFixed(1)} before`);
  await shot(page, 'talkback');
  await desk.screenshot({ path: path.join(artifactsDir, 'guest-producer-on-air.png') });
  await talk.click();
  await desk.waitForSelector(`${row} ${testid('guest-talk')}[aria-pressed="false"]`, { timeout: 10000 });
  await page.waitForFunction((selector) => document.querySelector(selector).hidden,
    testid('talkback'), { timeout: 10000 });
  await until(async () => {
    const db = await talkbackDb();
    return { ok: db < heard - 30, value: db, seen: `${db.toFixed(1)} dB (with it: ${heard.toFixed(1)})` };
  }, 'the talkback gone from the guest\'s ears', 10000);
  // A cut to them alone brings up their lower-third, with their invitation's name and title.
  await producer.request({ type: 'program.set', layout: 'single', tiles: [kSource, 'cam'] });
  await until(async () => {
    const overlay = (await getJson('/api/status')).overlay;
    const shown = Object.values(overlay.lower_thirds || {}).filter(Boolean);
    const ok = shown.some((p) => p.name === '张三' && p.title === '温州市医疗保障局局长');
    return { ok, seen: overlay.lower_thirds };
  }, 'the guest\'s lower-third after a cut to them', 10000);

  // 4. The network drops and comes back.
  await setLink(false);
  const dropped = Date.now();
  try {
    await slotIs((s) => s.state === 'retrying', 'the slot\'s slate after the drop', 10000, 50);
    measured('the network dropped to the slot\'s slate', Date.now() - dropped, 2500);
    await page.waitForSelector(`${testid('phase')}[data-phase="rejoining"]`, { timeout: 15000 });
    await shot(page, 'rejoining');
  } finally {
    await setLink(true);
  }
  const restored = Date.now();
  await slotIs((s) => s.state === 'live' && s.webrtc.state === 'live', 'the guest back on air by themselves',
    20000);
  const back = Date.now() - restored;
  measured('the network back to the guest on air again', back, 5000);
  check(back <= 8000, `back on air ${back} ms after the network returned`);
  await waitProgram('rejoined', isRed, 'the guest\'s red on air again');
  await page.waitForSelector(`${testid('phase')}[data-phase="live"]`, { timeout: 10000 });
  await shot(page, 'back-on-air');

  // Leaving ends the session: the slot waits again.
  await page.click(testid('leave'));
  await slotIs((s) => s.state === 'waiting', 'the slot empty after the guest left', 10000);
  await rowIs(desk, 'waiting', 'the empty slot on the producer\'s page after the guest left');
  producer.close();
  assertNoProblems('guest page and producer page');
}, {
  executablePath: process.env.YST_CHROMIUM,
  args: [
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${process.env.YST_FAKE_VIDEO}`,
    `--use-file-for-fake-audio-capture=${process.env.YST_FAKE_AUDIO}`,
    // The studio is reached over plain HTTP on the guest's link: a secure
    // context for the camera, as HTTPS through the newsroom's proxy is.
    `--unsafely-treat-insecure-origin-as-secure=${baseUrl}`,
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--autoplay-policy=no-user-gesture-required',
  ],
});
