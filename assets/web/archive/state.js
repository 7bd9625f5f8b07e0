// The archive page's state and the pure functions that change it: each takes
// the state and an answer of the studio's archive API, a change of the
// address or the reader's action (and the time, where it matters) and
// returns a new state. No DOM, no fetch, no history: archive.js does those
// and view.js draws the state.
//
// The address says what is shown, so every moment can be linked:
//   #s=12            session 12
//   #s=12&t=754000   session 12 at 12:34 of the show's timeline
//   #q=医保          search results (with s and t: both)
//
// Answers can come late and out of order: a session's answer counts only
// for the latest load asked for (loadToken), a search's only while its
// query is still the one asked.

import { LineKind, Limits } from '../protocol.js';

// After the reader scrolls the transcript, it stops following the video
// for this long.
export const kFollowPauseMs = 5000;
// Hits asked for per search.
export const kSearchHits = 50;

// Error codes of the search API that the page words itself.
const kSearchProblems = Object.freeze(['empty', 'too_long', 'busy']);

export function initialState() {
  return {
    sessions: null, // the list, once loaded
    sessionId: 0, // the session the address asks for; 0 for none
    sessionStatus: 'none', // 'none' | 'loading' | 'loaded' | 'failed'
    session: null, // {session, lines} of the loaded one
    loadedId: 0, // the id of `session`
    loadToken: 0, // the latest session load; older answers are dropped
    current: -1, // index in session.lines of the marked line
    pendingSeekS: null, // a seek asked for before the video's metadata, in video seconds
    userScrolledMs: -Infinity, // when the reader last scrolled the transcript
    query: null, // the search in the address, as typed; null for none
    searching: false,
    hits: null,
    problem: null, // {key, vars}: why the search has no hits
    notice: null, // {key, vars}: what went wrong loading
  };
}

// ---------------------------------------------------------------------------
// The address.

// '#s=12&t=754000&q=医保' → {session: 12, at: 754000, query: '医保'}; a part
// missing or malformed is 0 (session) or null.
export function parseHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const session = Number.parseInt(params.get('s') || '', 10);
  const at = Number.parseInt(params.get('t') || '', 10);
  return {
    session: session > 0 ? session : 0,
    at: Number.isFinite(at) && at >= 0 ? at : null,
    query: params.has('q') ? params.get('q') : null,
  };
}

export function hashFor({ session, at, query }) {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (session) params.set('s', String(session));
  if (session && at !== null && at !== undefined) params.set('t', String(Math.round(at)));
  return `#${params.toString()}`;
}

// ---------------------------------------------------------------------------
// The list of sessions.

export function sessionsLoaded(state, body) {
  return { ...state, sessions: (body && body.sessions) || [] };
}

export function sessionsFailed(state, error) {
  return { ...state, notice: { key: 'archive.error.load', vars: { reason: error.message } } };
}

// ---------------------------------------------------------------------------
// One session.

// Whether the session asked for is the one loaded: then a new moment in the
// address only seeks.
export function sessionReady(state, id) {
  return state.sessionStatus === 'loaded' && state.loadedId === id;
}

// A load of session `id` begins; the answer must come with the new
// loadToken. What was loaded stays until the answer replaces it.
export function sessionRequested(state, id) {
  return { ...state, sessionId: id, sessionStatus: 'loading', loadToken: state.loadToken + 1 };
}

export function sessionLoaded(state, token, body) {
  if (token !== state.loadToken) return state;
  return {
    ...state,
    notice: null,
    sessionStatus: 'loaded',
    session: body,
    loadedId: state.sessionId,
    current: -1,
    pendingSeekS: null,
  };
}

// The session did not load: the view closes and says why. The one loaded
// before goes too (its video must not go on playing unseen).
export function sessionFailed(state, token, error) {
  if (token !== state.loadToken) return state;
  return {
    ...state,
    notice: error.code === 'not_found' ? { key: 'archive.error.no_session', vars: null }
      : { key: 'archive.error.load', vars: { reason: error.message } },
    sessionStatus: 'failed',
    session: null,
    loadedId: 0,
    current: -1,
    pendingSeekS: null,
  };
}

export function sessionClosed(state) {
  return {
    ...state,
    sessionId: 0,
    sessionStatus: 'none',
    session: null,
    loadedId: 0,
    loadToken: state.loadToken + 1,
    current: -1,
    pendingSeekS: null,
  };
}

// The lines that are aired questions, with their index among all lines:
// the session's chapters.
export function chapters(lines) {
  const found = [];
  lines.forEach((line, index) => {
    if (line.kind === LineKind.QUESTION) found.push({ line, index });
  });
  return found;
}

// The index of the line being said at `ms` on the show's timeline: the last
// one begun (lines are in timeline order), or -1 before the first.
export function lineAt(lines, ms) {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].start_ms <= ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

// The line being said when the video is at `seconds` (the video's 0 is the
// timeline's offset_ms), or null without a video.
export function lineAtVideo(state, seconds) {
  const video = state.session && state.session.session.video;
  if (!video) return null;
  return lineAt(state.session.lines, seconds * 1000 + video.offset_ms);
}

export function lineMarked(state, index) {
  return index === state.current ? state : { ...state, current: index };
}

// Where in the video `ms` of the show's timeline is, in seconds (not before
// its start), or null without a video.
export function videoSeconds(state, ms) {
  const video = state.session && state.session.session.video;
  if (!video) return null;
  return Math.max(0, (ms - video.offset_ms) / 1000);
}

// A seek for when the video knows its length; taken once it does.
export function seekDeferred(state, seconds) {
  return { ...state, pendingSeekS: seconds };
}

export function seekTaken(state) {
  return state.pendingSeekS === null ? state : { ...state, pendingSeekS: null };
}

// The reader scrolled the transcript at nowMs: the mark stops pulling the
// list along for kFollowPauseMs.
export function userScrolled(state, nowMs) {
  return { ...state, userScrolledMs: nowMs };
}

export function follows(state, nowMs) {
  return nowMs - state.userScrolledMs > kFollowPauseMs;
}

// ---------------------------------------------------------------------------
// Search.

// The address asks for a search. A query this page can tell is wrong has
// its problem at once; otherwise the search is on (`searching`) and the
// hits of the last one stay until its answer.
export function searchAsked(state, query) {
  const trimmed = query.trim();
  const next = { ...state, query, searching: false, problem: null };
  if (!trimmed) return { ...next, hits: [], problem: { key: 'archive.error.empty', vars: null } };
  if ([...trimmed].length > Limits.SEARCH_CHARS) {
    return { ...next, hits: [], problem: { key: 'archive.error.too_long', vars: { n: Limits.SEARCH_CHARS } } };
  }
  return { ...next, searching: true };
}

// The API's path for the search on, or null when there is none to ask.
export function searchUrl(state) {
  if (!state.searching) return null;
  return `/api/archive/search?limit=${kSearchHits}&q=${encodeURIComponent(state.query.trim())}`;
}

export function hitsReceived(state, query, body) {
  if (query !== state.query) return state;
  return { ...state, searching: false, hits: (body && body.hits) || [], problem: null };
}

export function searchFailed(state, query, error) {
  if (query !== state.query) return state;
  const problem = kSearchProblems.includes(error.code)
    ? { key: `archive.error.${error.code}`, vars: { n: Limits.SEARCH_CHARS } }
    : { key: 'archive.error.load', vars: { reason: error.message } };
  return { ...state, searching: false, hits: [], problem };
}

export function searchClosed(state) {
  return { ...state, query: null, searching: false, hits: null, problem: null };
}
