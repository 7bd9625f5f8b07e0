// End-to-end: a remote guest in Firefox (Debian's firefox-esr, driven over
// WebDriver BiDi by puppeteer-core), whose fake camera is a full-frame
// colour that slowly cycles round the hues, and fake microphone a tone. Firefox offers VP8, VP9 and AV1 (no H.264 without
// OpenH264) and words its SDP its own way; the studio must take it as it
// takes Chromium's.
//
//   1. The invitation link opens the guest page in Firefox; they join and
//      wait in the green room (the slot names them; their frames arrive).
//   2. guests.admit: the page says "on air"; the program comes back to
//      Firefox on the same connection (the return feed), with Firefox's
//      vivid colour in their tile (not the black of a held guest, nor the
//      slate's dark blue); the producer's talkback (660 Hz) is heard in it.
//   3. Leaving ends the session: the slot waits again.
//
// This script runs in the guest's network (test_guests starts node there):
// Firefox's BiDi port is on that network's loopback.
//
//   YST_URL=http://10.77.N.1:PORT YST_PRODUCER_TOKEN=… YST_GUEST_LINK=/g/<token>
//   YST_ARTIFACTS=dir node tests/e2e/guest-firefox.test.mjs
//
// Screenshots go to YST_ARTIFACTS, named guest-firefox-*.

import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer from 'puppeteer-core';
import { guestTileColour, until } from './guest_support.mjs';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, getJson, log, problems, testid,
} from './support.mjs';

const kSource = 'remote1';
const run = promisify(execFile);

// Firefox's fake camera: one saturated colour over the whole frame.
const isVivid = (rgb) => Math.max(...rgb) > 150 && Math.max(...rgb) - Math.min(...rgb) > 120;

async function slot() {
  return (await getJson('/api/status')).sources.find((s) => s.id === kSource);
}

async function slotIs(predicate, what, timeoutMs) {
  return until(async () => {
    const s = await slot();
    return { ok: predicate(s), value: s, seen: { state: s.state, webrtc: s.webrtc, frames: s.frames } };
  }, what, timeoutMs);
}

async function phase(page, name) {
  await page.waitForSelector(`${testid('phase')}[data-phase="${name}"]`, { timeout: 20000 });
}

// The level (dBFS) of the talkback's 660 Hz in 1.5 s of what the return
// feed brings, recorded in the page (MediaRecorder: Firefox runs no
// AudioContext without a sound device) and decoded here; each recording is
// kept as guest-firefox-return-<name>.webm.
async function talkbackDb(page, name) {
  const recorded = await page.evaluate(async (selector) => {
    const track = document.querySelector(selector).srcObject.getAudioTracks()[0];
    const recorder = new MediaRecorder(new MediaStream([track]));
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  }, testid('return-view'));
  const file = path.join(artifactsDir, `guest-firefox-return-${name}.webm`);
  await writeFile(file, Buffer.from(recorded, 'base64'));
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    { encoding: 'buffer', timeout: 20000, maxBuffer: 16 * 1024 * 1024 });
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 2));
  // Goertzel: the amplitude of the 660 Hz component, against full scale.
  const w = 2 * Math.PI * 660 / 48000;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x / 32768 + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const amplitude = 2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / Math.max(1, samples.length);
  return 20 * Math.log10(amplitude || 1e-10);
}

async function main(browser) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 760 });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`guest (Firefox): console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`guest (Firefox): uncaught: ${error.message}`));
  const shot = (name) => page.screenshot({ path: path.join(artifactsDir, `guest-firefox-${name}.png`) });

  // 1. The link, the green room.
  const token = process.env.YST_GUEST_LINK.split('/').pop();
  await page.goto(`${baseUrl}/guest/?audio=raw#t=${token}`);
  await phase(page, 'setup');
  await page.waitForFunction((selector) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 2 && v.videoWidth > 0;
  }, { timeout: 15000 }, testid('self-view'));
  log(`ok - ${await page.evaluate(() => navigator.userAgent)}: camera open`);
  await page.click(testid('join'));
  await phase(page, 'green_room');
  const producer = await connectAs({ type: 'hello', role: 'producer', token: process.env.YST_PRODUCER_TOKEN }, 'producer');
  const waiting = await slotIs((s) => s.webrtc.state === 'green_room', 'the Firefox guest in the green room', 15000);
  check(waiting.webrtc.guest === '赵六' && waiting.webrtc.kind === 'guest', `the slot names the guest: ${JSON.stringify(waiting.webrtc)}`);
  await slotIs((s) => s.frames > waiting.frames + 25, 'Firefox\'s frames reaching the studio', 10000);
  await shot('green-room');

  // 2. On air: the return feed, with the guest in it, and the talkback.
  await producer.request({ type: 'guests.admit', source: kSource });
  await phase(page, 'live');
  await page.waitForFunction((selector) => {
    const v = document.querySelector(selector);
    return v && v.readyState >= 2 && v.videoWidth === 640 && v.srcObject && v.srcObject.getAudioTracks().length === 1;
  }, { timeout: 15000 }, testid('return-view')).catch(async (error) => {
    const seen = await page.$eval(testid('return-view'), (v) => ({
      readyState: v.readyState, width: v.videoWidth, height: v.videoHeight, paused: v.paused,
      tracks: v.srcObject ? v.srcObject.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'unmuted'}`) : null,
    }));
    throw new Error(`the return feed in Firefox: ${JSON.stringify(seen)} (${error.message})`);
  });
  const returned = await until(async () => {
    const colour = await page.$eval(testid('return-view'), guestTileColour);
    return { ok: isVivid(colour), value: colour, seen: colour };
  }, 'the program in Firefox\'s return feed, with its camera\'s colour in the guest\'s tile', 20000, 200);
  log(`ok - the return feed in Firefox, the guest's tile ${returned}`);
  const quiet = await talkbackDb(page, 'before');
  await producer.request({ type: 'guests.talk', source: kSource, on: true });
  const heard = await until(async () => {
    const db = await talkbackDb(page, 'talkback');
    return { ok: db > -55 && db > quiet + 20, value: db, seen: `${db.toFixed(1)} dB (before: ${quiet.toFixed(1)})` };
  }, 'the producer\'s talkback in the Firefox guest\'s ears', 15000);
  log(`[measured] talkback at the Firefox guest: ${heard.toFixed(1)} dBFS at 660 Hz, ${quiet.toFixed(1)} before`);
  await producer.request({ type: 'guests.talk', source: kSource, on: false });
  await shot('on-air');

  // 3. Leaving.
  await page.click(testid('leave'));
  await slotIs((s) => s.state === 'waiting', 'the slot empty after the Firefox guest left', 10000);
  producer.close();
  assertNoProblems('guest page in Firefox');
}

await mkdir(artifactsDir, { recursive: true });
const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: process.env.YST_FIREFOX || '/usr/bin/firefox-esr',
  headless: true,
  extraPrefsFirefox: {
    // Fake devices (a green picture, a tone), granted without asking.
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // The studio over plain HTTP on the guest's link: a secure context, as
    // HTTPS through the newsroom's proxy is.
    'dom.securecontext.allowlist': new URL(baseUrl).hostname,
    // The return feed plays without a click on it (the guest clicked 进入等候室).
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
  },
});
try {
  await main(browser);
  log('1 passed, 0 failed');
  process.exitCode = 0;
} catch (error) {
  log(`not ok - ${error && error.stack ? error.stack : error}`);
  if (problems.length > 0) log(`# also seen:\n#   ${problems.join('\n#   ')}`);
  log('0 passed, 1 failed');
  process.exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  // A producer socket a failed check left open must not keep Node running.
  process.exit();
}
