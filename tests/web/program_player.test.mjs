// Where the viewer page finds the program's playlist: the studio's own, or
// the one a public edge names in /api/public-status.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { playlistOf } from '../../assets/web/program_player.js';

test('the studio names no playlist, or names its own: /hls/program.m3u8', () => {
  assert.equal(playlistOf(null), '/hls/program.m3u8');
  assert.equal(playlistOf({ hls: { state: 'stopped', playlist: null } }), '/hls/program.m3u8');
  assert.equal(playlistOf({ hls: { state: 'running', playlist: '/hls/program.m3u8' } }), '/hls/program.m3u8');
});

test('an edge names a path on its origin or the CDN\'s http(s) URL', () => {
  assert.equal(playlistOf({ hls: { playlist: '/live/program.m3u8' } }), '/live/program.m3u8');
  assert.equal(playlistOf({ hls: { playlist: 'https://live.example.cn/hls/program.m3u8' } }),
    'https://live.example.cn/hls/program.m3u8');
});

test('anything else falls back to the studio\'s own playlist', () => {
  for (const bad of ['//evil.example/x.m3u8', 'javascript:alert(1)', 'data:text/plain,x', 42, {},
    'https://', 'https://host', `/${'a'.repeat(3000)}`]) {
    assert.equal(playlistOf({ hls: { playlist: bad } }), '/hls/program.m3u8', String(bad));
  }
});
