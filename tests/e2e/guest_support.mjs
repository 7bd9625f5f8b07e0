// What the guest page's browser tests share: the program as the partner
// site receives it, read as 16x9 RGB cells, and the colours they look for.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { artifactsDir, pollUntil } from './support.mjs';

const run = promisify(execFile);

// One program frame from the partner site (YST_PROGRAM_URL), as 16x9 RGB
// cells; the frame is kept as guest-program-<name>.png.
export async function programFrame(name) {
  const png = path.join(artifactsDir, `guest-program-${name}.png`);
  await run('ffmpeg', ['-v', 'error', '-y', '-rw_timeout', '15000000', '-i', process.env.YST_PROGRAM_URL,
    '-frames:v', '1', png], { timeout: 20000 });
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', png, '-vf', 'scale=16:9', '-pix_fmt', 'rgb24',
    '-f', 'rawvideo', '-'], { encoding: 'buffer', timeout: 20000 });
  return stdout;
}

// The mean colour of the right half's middle rows (the guest's tile in side by side).
export function rightHalf(frame) {
  const sum = [0, 0, 0];
  let n = 0;
  for (let row = 3; row < 6; row++) {
    for (let col = 10; col < 15; col++) {
      for (let c = 0; c < 3; c++) sum[c] += frame[(row * 16 + col) * 3 + c];
      n++;
    }
  }
  return sum.map((v) => v / n);
}

// Run in the page on the return feed's <video> ($eval): the colour at the
// middle of its right half, the guest's tile in side by side.
export function guestTileColour(video) {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  const g = canvas.getContext('2d');
  g.drawImage(video, 0, 0, 64, 36);
  return Array.from(g.getImageData(48, 18, 1, 1).data.slice(0, 3));
}

export const isRed = ([r, g, b]) => r > 150 && g < 90 && b < 90;
export const isDark = ([r, g, b]) => r < 40 && g < 40 && b < 40;
// Chromium's fake cameras: green with a yellow-green pacman.
export const isGreen = ([r, g, b]) => g > 100 && r < 80 && b < 60;

// pollUntil with a probe that answers {ok, value, seen}.
export async function until(probe, what, timeoutMs, pollMs = 100) {
  return pollUntil(async () => {
    const result = await probe();
    return { ok: !!result.ok, value: result.value, seen: result.seen };
  }, what, timeoutMs, pollMs);
}
