// What every page shares (assets/web/common.js): the reconnect's wait.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { reconnectDelayMs } from '../../assets/web/common.js';

test('a reconnect waits between half of the back-off and all of it', () => {
  assert.equal(reconnectDelayMs(1000, 0), 500);
  assert.equal(reconnectDelayMs(1000, 0.999999), 1000);
  assert.equal(reconnectDelayMs(10000, 0.5), 7500);
});

test('many pages that lost their edge at once come back spread over the window', () => {
  const delays = Array.from({ length: 1000 }, () => reconnectDelayMs(1000));
  assert.ok(delays.every((d) => d >= 500 && d <= 1000), 'within the window');
  // Ten 50 ms bins over the window: none empty, none with most of them.
  const bins = new Array(10).fill(0);
  for (const d of delays) bins[Math.min(9, Math.floor((d - 500) / 50))] += 1;
  assert.ok(bins.every((n) => n > 20 && n < 300), `spread: ${bins.join(' ')}`);
});
