// The archive page's state (assets/web/archive/state.js): the address, the
// archive API's answers (late ones included), the line being said and the
// search.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Limits } from '../../../assets/web/protocol.js';
import {
  initialState, parseHash, hashFor, sessionsLoaded, sessionsFailed, sessionReady, sessionRequested, sessionLoaded,
  sessionFailed, sessionClosed, chapters, lineAt, lineAtVideo, lineMarked, videoSeconds, seekDeferred, seekTaken,
  userScrolled, follows, searchAsked, searchUrl, hitsReceived, searchFailed, searchClosed, kFollowPauseMs, kSearchHits,
} from '../../../assets/web/archive/state.js';

const lines = [
  { id: 1, start_ms: 4000, kind: 'typed', text: '欢迎' },
  { id: 2, start_ms: 5000, kind: 'typed', text: '医保卡' },
  { id: 3, start_ms: 9000, kind: 'question', question: 1, text: '网友提问' },
  { id: 4, start_ms: 12000, kind: 'typed', text: '房租补贴' },
];

function body(id, video = { url: `/exports/${id}/program.mp4`, offset_ms: 3000, duration_ms: 9000 }) {
  return { session: { id, title: `第${id}期`, video }, lines };
}

function opened(id = 12, video) {
  const asked = sessionRequested(initialState(), id);
  return sessionLoaded(asked, asked.loadToken, body(id, video));
}

test('the address names a session, a moment in it and a search', () => {
  assert.deepEqual(parseHash('#s=12&t=754000'), { session: 12, at: 754000, query: null });
  assert.deepEqual(parseHash('#q=%E5%8C%BB%E4%BF%9D&s=3'), { session: 3, at: null, query: '医保' });
  assert.deepEqual(parseHash(''), { session: 0, at: null, query: null });
  assert.deepEqual(parseHash('#s=-4&t=abc'), { session: 0, at: null, query: null });
  assert.deepEqual(parseHash('#q='), { session: 0, at: null, query: '' });
  assert.equal(hashFor({ session: 12, at: 754000.4 }), '#s=12&t=754000');
  assert.equal(hashFor({ session: 12, at: 0, query: '医保' }), `#q=${encodeURIComponent('医保')}&s=12&t=0`);
  assert.equal(hashFor({ at: 5 }), '#');
  for (const where of [{ session: 12, at: 754000, query: null }, { session: 0, at: null, query: '房 租' }]) {
    assert.deepEqual(parseHash(hashFor(where)), where);
  }
});

test('the list of sessions, or why it did not load', () => {
  assert.deepEqual(sessionsLoaded(initialState(), { sessions: [{ id: 1 }] }).sessions, [{ id: 1 }]);
  assert.deepEqual(sessionsLoaded(initialState(), {}).sessions, []);
  const failed = sessionsFailed(initialState(), new Error('Bad Gateway'));
  assert.equal(failed.sessions, null);
  assert.deepEqual(failed.notice, { key: 'archive.error.load', vars: { reason: 'Bad Gateway' } });
});

test('a session loads; asked for again, it is ready and only seeks', () => {
  const asked = sessionRequested(initialState(), 12);
  assert.equal(asked.sessionStatus, 'loading');
  assert.equal(sessionReady(asked, 12), false);
  const state = sessionLoaded(asked, asked.loadToken, body(12));
  assert.equal(state.sessionStatus, 'loaded');
  assert.equal(state.loadedId, 12);
  assert.equal(state.current, -1);
  assert.equal(sessionReady(state, 12), true);
  assert.equal(sessionReady(state, 13), false);
});

test('an answer for a load that is no longer the latest is dropped', () => {
  const first = sessionRequested(initialState(), 12);
  const second = sessionRequested(first, 13);
  assert.equal(sessionLoaded(second, first.loadToken, body(12)), second);
  assert.equal(sessionFailed(second, first.loadToken, Object.assign(new Error('x'), { code: 'not_found' })), second);
  const closed = sessionClosed(first);
  assert.equal(sessionLoaded(closed, first.loadToken, body(12)), closed);
  const state = sessionLoaded(second, second.loadToken, body(13));
  assert.equal(state.loadedId, 13);
});

test('a session that does not load closes the view, says why and lets the last one go', () => {
  const loaded = { ...opened(12), notice: null };
  const asked = sessionRequested(lineMarked(loaded, 2), 99);
  assert.equal(asked.session, loaded.session, 'the last one stays while the next loads');
  const missing = sessionFailed(asked, asked.loadToken, Object.assign(new Error('no such session'), { code: 'not_found' }));
  assert.equal(missing.sessionStatus, 'failed');
  assert.equal(missing.session, null);
  assert.equal(missing.current, -1);
  assert.equal(sessionReady(missing, 12), false);
  assert.deepEqual(missing.notice, { key: 'archive.error.no_session', vars: null });
  const broken = sessionFailed(asked, asked.loadToken, Object.assign(new Error('Internal'), { code: 'http_500' }));
  assert.deepEqual(broken.notice, { key: 'archive.error.load', vars: { reason: 'Internal' } });
  // The next session that loads takes the notice away.
  const next = sessionRequested(missing, 12);
  assert.equal(sessionLoaded(next, next.loadToken, body(12)).notice, null);
});

test('closing forgets the session and its mark', () => {
  const state = sessionClosed(seekDeferred(lineMarked(opened(), 1), 4));
  assert.equal(state.sessionId, 0);
  assert.equal(state.sessionStatus, 'none');
  assert.equal(state.session, null);
  assert.equal(state.current, -1);
  assert.equal(state.pendingSeekS, null);
});

test('the chapters are the aired questions, with their place among the lines', () => {
  assert.deepEqual(chapters(lines).map(({ line, index }) => [line.id, index]), [[3, 2]]);
  assert.deepEqual(chapters([]), []);
});

test('the line being said is the last one begun', () => {
  assert.equal(lineAt(lines, 0), -1);
  assert.equal(lineAt(lines, 3999), -1);
  assert.equal(lineAt(lines, 4000), 0);
  assert.equal(lineAt(lines, 8999), 1);
  assert.equal(lineAt(lines, 9000), 2);
  assert.equal(lineAt(lines, 1e9), 3);
  assert.equal(lineAt([], 5000), -1);
});

test('the video\'s time is the timeline less the offset', () => {
  const state = opened();
  assert.equal(lineAtVideo(state, 1.0), 0); // 4000 ms
  assert.equal(lineAtVideo(state, 6.5), 2); // 9500 ms
  assert.equal(lineAtVideo(state, 0), -1);
  assert.equal(videoSeconds(state, 9000), 6);
  assert.equal(videoSeconds(state, 1000), 0, 'not before the video\'s start');
  const silent = opened(12, null);
  assert.equal(lineAtVideo(silent, 5), null);
  assert.equal(videoSeconds(silent, 9000), null);
  assert.equal(videoSeconds(initialState(), 9000), null);
});

test('marks and seeks waiting for the video change only what they say', () => {
  const state = opened();
  assert.equal(lineMarked(state, -1), state);
  assert.equal(lineMarked(state, 2).current, 2);
  const waiting = seekDeferred(state, 6);
  assert.equal(waiting.pendingSeekS, 6);
  assert.equal(seekTaken(waiting).pendingSeekS, null);
  assert.equal(seekTaken(state), state);
});

test('after the reader scrolls, the list stops following the video for a while', () => {
  const state = initialState();
  assert.equal(follows(state, 0), true);
  const scrolled = userScrolled(state, 100000);
  assert.equal(follows(scrolled, 100000 + kFollowPauseMs), false);
  assert.equal(follows(scrolled, 100001 + kFollowPauseMs), true);
});

test('a search asks the API; an empty or over-long one has its problem at once', () => {
  const state = searchAsked(initialState(), ' 医保 ');
  assert.equal(state.searching, true);
  assert.equal(searchUrl(state), `/api/archive/search?limit=${kSearchHits}&q=${encodeURIComponent('医保')}`);
  const empty = searchAsked(initialState(), ' ');
  assert.equal(searchUrl(empty), null);
  assert.deepEqual(empty.hits, []);
  assert.deepEqual(empty.problem, { key: 'archive.error.empty', vars: null });
  const long = searchAsked(initialState(), '房'.repeat(Limits.SEARCH_CHARS + 1));
  assert.equal(searchUrl(long), null);
  assert.deepEqual(long.problem, { key: 'archive.error.too_long', vars: { n: Limits.SEARCH_CHARS } });
  // Characters, not UTF-16 units: at the limit in astral characters is fine.
  assert.equal(searchAsked(initialState(), '𠮷'.repeat(Limits.SEARCH_CHARS)).searching, true);
});

test('hits count only for the search still asked; the last hits stay while the next is on', () => {
  let state = searchAsked(initialState(), '医保');
  state = hitsReceived(state, '医保', { hits: [{ line: 2 }] });
  assert.equal(state.searching, false);
  assert.deepEqual(state.hits, [{ line: 2 }]);
  const next = searchAsked(state, '房');
  assert.deepEqual(next.hits, [{ line: 2 }]);
  assert.equal(hitsReceived(next, '医保', { hits: [] }), next, 'a late answer to the last search');
  assert.equal(searchFailed(next, '医保', new Error('late')), next);
  assert.deepEqual(hitsReceived(next, '房', {}).hits, []);
});

test('a failed search says why in the page\'s words where it knows the code', () => {
  const asked = searchAsked(initialState(), '医保');
  const busy = searchFailed(asked, '医保', Object.assign(new Error('busy'), { code: 'busy' }));
  assert.deepEqual(busy.problem, { key: 'archive.error.busy', vars: { n: Limits.SEARCH_CHARS } });
  assert.deepEqual(busy.hits, []);
  assert.equal(busy.searching, false);
  const down = searchFailed(asked, '医保', Object.assign(new Error('Bad Gateway'), { code: 'http_502' }));
  assert.deepEqual(down.problem, { key: 'archive.error.load', vars: { reason: 'Bad Gateway' } });
  const closed = searchClosed(down);
  assert.equal(closed.query, null);
  assert.equal(closed.hits, null);
  assert.equal(closed.problem, null);
});
