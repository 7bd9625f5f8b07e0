// End-to-end: a remote guest whose network lets nothing through but TURN,
// and who changes camera and microphone while on air. Chromium's own fake
// devices: cameras that draw green (fake_device_0 at 640×480, fake_device_2
// an MJPEG one at 1280×720; fake_device_1 is a Y16 depth camera, of which
// no picture reaches the studio) and microphones playing the test's tone.
//
//   1. The page opened with ?relay=1 (iceTransportPolicy "relay"): the offer
//      it posts to the studio (WHIP) carries relay candidates only, on
//      coturn's address; the guest still joins, is admitted and goes on
//      air: the first camera's green is in their tile of the program the
//      partner site receives, at most 640×360 at the studio's input
//      (test_guests checks coturn's log for their allocation).
//   2. The other camera chosen on the page: the studio's input grows
//      (up to 1280×720, as Chromium's encoder allows) and its green stays
//      on air, with no new offer (replaceTrack: the page posts once) and
//      the slot live all along.
//   3. Another microphone chosen: no new offer either, and the guest's
//      sound still reaches the studio's meter.
//
//   YST_URL=http://10.77.N.1:PORT YST_PRODUCER_TOKEN=… YST_GUEST_LINK=/g/<token>
//   YST_CHROMIUM=<a wrapper running chromium in the namespace>
//   YST_FAKE_AUDIO=tone.wav YST_PROGRAM_URL=rtmp://… YST_TURN_ADDRESS=10.77.N.1
//   YST_ARTIFACTS=dir node tests/e2e/guest-devices.test.mjs
//
// Screenshots go to YST_ARTIFACTS, named guest-devices-*.

import path from 'node:path';
import { isGreen, programFrame, rightHalf, until } from './guest_support.mjs';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, pollUntil, runBrowserTest, testid,
  watch,
} from './support.mjs';

const kSource = 'remote1';

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `guest-devices-${name}.png`) });
}

async function slot() {
  return (await getJson('/api/status')).sources.find((s) => s.id === kSource);
}

// The program's colour in the guest's tile (side by side, the right half)
// until `accept` takes it; meanwhile the slot must stay live.
async function onAir(name, accept, what) {
  return until(async () => {
    const s = await slot();
    check(s.state === 'live', `the slot stayed live (${JSON.stringify({ state: s.state, webrtc: s.webrtc })})`);
    const colour = rightHalf(await programFrame(`devices-${name}`)).map(Math.round);
    return { ok: accept(colour), value: colour, seen: colour };
  }, what, 40000, 200);
}

// Picks the option of `select` whose label is `label`; returns its value.
async function choose(page, select, label) {
  const value = await page.$eval(testid(select), (node, wanted) => {
    const option = Array.from(node.options).find((o) => o.textContent === wanted);
    return option ? option.value : null;
  }, label);
  check(value, `the ${select} list offers ${label}`);
  await page.selectOption(testid(select), value);
  return value;
}

await runBrowserTest(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  await watch(page, 'guest', (text) => /Failed to load resource|net::ERR_/.test(text));
  const offers = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname.startsWith('/whip/')) {
      offers.push(request.postData() || '');
    }
  });

  // 1. Relay only: the offer, the green room, on air.
  const token = process.env.YST_GUEST_LINK.split('/').pop();
  // ?audio=raw: the tone as it is (no noise suppression eating a steady tone).
  await page.goto(`${baseUrl}/guest/?relay=1&audio=raw#t=${token}`);
  await page.waitForSelector(`${testid('phase')}[data-phase="setup"]`, { timeout: 15000 });
  // The list is filled once the camera is open.
  await page.waitForFunction((selector) => document.querySelectorAll(`${selector} option`).length >= 3,
    testid('camera'), { timeout: 15000 }).catch(() => {});
  const cameras = await page.$$eval(`${testid('camera')} option`, (options) => options.map((o) => o.textContent));
  check(cameras.includes('fake_device_0') && cameras.includes('fake_device_2'), `the cameras listed: ${cameras}`);
  await choose(page, 'camera', 'fake_device_0');
  await page.click(testid('join'));
  await page.waitForSelector(`${testid('phase')}[data-phase="green_room"]`, { timeout: 30000 });
  check(offers.length === 1, `one offer posted (${offers.length})`);
  const candidates = offers[0].split(/\r?\n/).filter((line) => line.startsWith('a=candidate:'));
  check(candidates.length > 0, 'the offer carries candidates');
  for (const line of candidates) {
    const [, , , , address, , , type] = line.split(' ');
    check(type === 'relay' && address === process.env.YST_TURN_ADDRESS,
      `every candidate is coturn's relay: ${line}`);
  }
  log(`ok - the offer's ${candidates.length} candidate(s) are all relayed by coturn`);

  const producer = await connectAs({ type: 'hello', role: 'producer', token: process.env.YST_PRODUCER_TOKEN }, 'producer');
  await pollUntil(async () => {
    const s = await slot();
    return { ok: s.webrtc.state === 'green_room', seen: s.webrtc };
  }, 'the relayed guest in the green room', 15000);
  await producer.request({ type: 'guests.admit', source: kSource });
  await page.waitForSelector(`${testid('phase')}[data-phase="live"]`, { timeout: 10000 });
  const first = await onAir('first', isGreen, 'the first camera\'s green on air');
  log(`first camera on air: ${first}`);
  await shot(page, 'first-camera');

  const before = await slot();
  // At most 640×360: the page asks for 16:9, Chromium crops the 640×480
  // camera (and may send it smaller while its bandwidth estimate is low).
  check(before.input && before.input.width <= 640 && before.input.width * 9 === before.input.height * 16,
    `the first camera's 16:9, at most 640×360, at the studio: ${JSON.stringify(before.input)}`);

  // 2. The other camera: in place, no new offer.
  await choose(page, 'camera', 'fake_device_2');
  const switched = Date.now();
  const input = await until(async () => {
    const s = await slot();
    check(s.state === 'live', `the slot stayed live (${JSON.stringify({ state: s.state, webrtc: s.webrtc })})`);
    // Larger than the first camera's; how much, Chromium's encoder decides
    // (it starts a new size lower while its bandwidth estimate grows).
    return { ok: s.input && s.input.width > before.input.width, value: s.input, seen: s.input };
  }, 'the other camera\'s larger picture at the studio', 45000, 100);
  // Chromium keeps the encoded size at first (1280×720 halved is the first
  // camera's 640×360) and raises it as its bandwidth estimate allows.
  log(`[measured] the other camera's larger picture at the studio after ${Date.now() - switched} ms ` +
      `(${input.width}×${input.height})`);
  const second = await onAir('second', isGreen, 'the other camera\'s picture on air');
  log(`other camera on air: ${second}`);
  const frames = (await slot()).frames;
  await until(async () => {
    const s = await slot();
    return { ok: s.state === 'live' && s.frames > frames + 25, seen: { state: s.state, frames: s.frames } };
  }, 'the other camera\'s frames going on arriving', 10000);
  const label = await page.$eval(testid('self-view'), (v) => v.srcObject.getVideoTracks()[0].label);
  check(label === 'fake_device_2', `the self view shows the other camera (${label})`);
  check(offers.length === 1, `the camera changed without a new offer (${offers.length} posted)`);
  await shot(page, 'second-camera');

  // 3. Another microphone: no new offer, the guest still heard.
  const microphone = await choose(page, 'microphone', 'Fake Audio Input 1');
  await page.waitForFunction(([selector, id]) => {
    const track = document.querySelector(selector).srcObject.getAudioTracks()[0];
    return track && track.getSettings().deviceId === id && track.readyState === 'live';
  }, [testid('self-view'), microphone], { timeout: 10000 });
  const level = await producer.waitEvent((m) => m.type === 'audio.levels' && m.levels[kSource] &&
    Math.max(...m.levels[kSource].peak_db) > -40, 'the guest\'s sound on the studio\'s meter after the change', 10000);
  log(`the guest heard after the microphone change: ${Math.max(...level.levels[kSource].peak_db).toFixed(1)} dBFS`);
  check(offers.length === 1, `the microphone changed without a new offer (${offers.length} posted)`);
  check((await slot()).state === 'live', 'the slot still live');

  await page.click(testid('leave'));
  await pollUntil(async () => {
    const s = await slot();
    return { ok: s.state === 'waiting', seen: s.state };
  }, 'the slot empty after the guest left', 10000);
  producer.close();
  assertNoProblems('guest page (relay only, devices changed)');
}, {
  executablePath: process.env.YST_CHROMIUM,
  args: [
    // Chromium's own fake cameras (three of them), not a file: a device to change to.
    '--use-fake-device-for-media-stream=device-count=3', '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${process.env.YST_FAKE_AUDIO}`,
    `--unsafely-treat-insecure-origin-as-secure=${baseUrl}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
});
