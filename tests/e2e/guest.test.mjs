// End-to-end: a remote guest joins the show from their invitation link in
// Chromium, whose fake camera shows a known solid colour, from a network of
// their own (a namespace the test made; the studio's ICE ignores loopback).
//
//   1. The link opens the guest page: who they are invited as, their
//      devices, the self view; they join and wait in the green room.
//   2. The producer sees them in the slot's status (green_room); a cut to
//      them is refused, and the program's tile for them stays black (held
//      off air) although their picture reaches the studio.
//   3. guests.admit: the page says "on air", and the guest's colour is in
//      their tile of the program the partner site receives; the program
//      comes back to their page (the return feed); the producer's cue
//      shows on it; the producer's talkback (对讲) is heard in it and the
//      page says so, until it is turned off; a cut to them alone brings up
//      their lower-third from the invitation.
//   4. Their network drops (the host's end of their link taken down): the
//      slot's slate within 2.5 s; the network back, the page rejoins by
//      itself into the same slot and they are on air again within 5 s.
//
//   YST_URL=http://10.77.N.1:PORT YST_PRODUCER_TOKEN=… YST_GUEST_LINK=/g/<token>
//   YST_CHROMIUM=<a wrapper running chromium in the namespace>
//   YST_FAKE_VIDEO=red.y4m YST_FAKE_AUDIO=tone.wav YST_PROGRAM_URL=rtmp://…
//   YST_GUEST_IF=ygN YST_ARTIFACTS=dir node tests/e2e/guest.test.mjs
//
// Screenshots go to YST_ARTIFACTS, named guest-*.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { isDark, isRed, programFrame, rightHalf, until } from './guest_support.mjs';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, measured, runBrowserTest, testid,
  watch,
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

await runBrowserTest(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  await watch(page, 'guest', (text) => /Failed to load resource|ERR_NETWORK_CHANGED|net::ERR_/.test(text));

  // 1. The link, the setup, the green room.
  await page.goto(`${baseUrl}${process.env.YST_GUEST_LINK}`);
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
  const refused = await producer.send({ type: 'program.set', layout: 'single', tiles: [kSource, 'cam'] });
  check(refused.type === 'error' && refused.code === 'not_admitted', `a cut to a guest in the green room is refused: ${JSON.stringify(refused)}`);
  const frames = waiting.frames;
  await slotIs((s) => s.frames > frames + 10, 'the guest\'s frames reaching the studio', 10000);
  const held = await waitProgram('held', isDark, 'the guest\'s tile black while in the green room');
  log(`held tile ${held.map(Math.round)}`);

  // 3. Admitted: on air, in their colour.
  const admitted = Date.now();
  await producer.request({ type: 'guests.admit', source: kSource });
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
    const colour = await page.$eval(testid('return-view'), (v) => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 36;
      const g = canvas.getContext('2d');
      g.drawImage(v, 0, 0, 64, 36);
      return Array.from(g.getImageData(48, 18, 1, 1).data.slice(0, 3));
    });
    return { ok: isRed(colour), value: colour, seen: colour };
  }, 'the program in the return feed, with the guest\'s red in their tile', 15000, 200);
  log(`return feed's right half ${returned}`);
  await shot(page, 'on-air');
  // The producer's cue reaches their page.
  await producer.request({ type: 'guests.cue', source: kSource, text: '请看镜头 <b>1</b>' });
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
  await producer.request({ type: 'guests.talk', source: kSource, on: true });
  await page.waitForFunction((selector) => !document.querySelector(selector).hidden,
    testid('talkback'), { timeout: 10000 });
  const heard = await until(async () => {
    const db = await talkbackDb();
    return { ok: db > -70 && db > quiet + 30, value: db, seen: `${db.toFixed(1)} dB (before: ${quiet.toFixed(1)})` };
  }, 'the producer\'s talkback in the guest\'s ears', 10000);
  log(`[measured] talkback at the guest: ${heard.toFixed(1)} dB at 660 Hz, ${quiet.toFixed(1)} before`);
  await shot(page, 'talkback');
  await producer.request({ type: 'guests.talk', source: kSource, on: false });
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
  producer.close();
  assertNoProblems('guest page');
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
