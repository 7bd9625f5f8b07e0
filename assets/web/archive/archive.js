// The public archive (/archive/): past shows with their video and text
// record side by side, the line being said marked as the video plays, a
// click on a line seeking the video there, and a search across every show.
//
// The page reads the studio's JSON API (/api/archive/…, see
// assets/protocol.md) and nothing else. The address says what is shown
// (state.js has its form), so every moment can be linked.
//
// This module wires the page: the API, the address, the video's events and
// the reader's scrolling. What the page knows is state.js, changed only by
// its pure functions; view.js draws it (and lists the selectors). An
// answer is awaited into a variable before the state is read: the state may
// have changed while it was on its way.

import { fetchJson as getJson } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange, t } from '../i18n.js';
import {
  initialState, parseHash, hashFor, sessionsLoaded, sessionsFailed, sessionReady, sessionRequested, sessionLoaded,
  sessionFailed, sessionClosed, lineAt, lineAtVideo, lineMarked, videoSeconds, seekDeferred, seekTaken, userScrolled,
  follows, searchAsked, searchUrl, hitsReceived, searchFailed, searchClosed,
} from './state.js';
import { createView } from './view.js';

let state = initialState();

const view = createView({ seek: (ms, index) => seekTo(ms, true, index) });
const { ui } = view;

function render() {
  view.render(state);
}

// ---------------------------------------------------------------------------
// The list of sessions, and one session.

async function loadSessions() {
  try {
    const body = await getJson('/api/archive/sessions');
    state = sessionsLoaded(state, body);
  } catch (error) {
    state = sessionsFailed(state, error);
  }
  render();
}

async function openSession(id, atMs) {
  if (sessionReady(state, id)) {
    if (atMs !== null) seekTo(atMs, false);
    return;
  }
  state = sessionRequested(state, id);
  const token = state.loadToken;
  render();
  let body;
  try {
    body = await getJson(`/api/archive/session?id=${id}`);
  } catch (error) {
    state = sessionFailed(state, token, error);
    render();
    return;
  }
  if (token !== state.loadToken) return; // Another load, or a close, came since.
  state = sessionLoaded(state, token, body);
  render();
  window.scrollTo({ top: 0 });
  if (atMs !== null) seekTo(atMs, false);
}

function closeSession() {
  state = sessionClosed(state);
  render();
}

// Marks the line at `ms` on the show's timeline (or the line `index`),
// keeps the moment in the address and brings the video there.
function seekTo(ms, play, index) {
  const lines = state.session ? state.session.lines : [];
  state = lineMarked(state, index !== undefined ? index : lineAt(lines, ms));
  render();
  if (follows(state, Date.now())) view.followLine(state.current);
  history.replaceState(null, '', hashFor({ session: state.sessionId, at: ms, query: state.query }));
  const seconds = videoSeconds(state, ms);
  if (seconds === null) return;
  if (ui.video.readyState >= HTMLMediaElement.HAVE_METADATA) {
    ui.video.currentTime = Math.min(seconds, ui.video.duration || seconds);
  } else {
    state = seekDeferred(state, seconds);
  }
  if (play) ui.video.play().catch(() => {});
}

ui.video.addEventListener('loadedmetadata', () => {
  if (state.pendingSeekS === null) return;
  ui.video.currentTime = Math.min(state.pendingSeekS, ui.video.duration || state.pendingSeekS);
  state = seekTaken(state);
});

// The mark follows the video as it plays.
ui.video.addEventListener('timeupdate', () => {
  if (ui.video.seeking) return;
  const index = lineAtVideo(state, ui.video.currentTime);
  if (index === null || index === state.current) return;
  state = lineMarked(state, index);
  render();
  if (follows(state, Date.now())) view.followLine(index);
});

for (const type of ['wheel', 'touchmove', 'keydown']) {
  ui.transcript.addEventListener(type, () => { state = userScrolled(state, Date.now()); }, { passive: true });
}

// ---------------------------------------------------------------------------
// Search.

async function search(query) {
  state = searchAsked(state, query);
  render();
  const url = searchUrl(state);
  if (!url) return;
  try {
    const body = await getJson(url);
    state = hitsReceived(state, query, body);
  } catch (error) {
    state = searchFailed(state, query, error);
  }
  render();
}

ui.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const query = ui.searchInput.value.trim();
  location.hash = hashFor({ query: query || ' ' });
});

// ---------------------------------------------------------------------------
// The address, and the language.

function route() {
  const { session, at, query } = parseHash(location.hash);
  if (query === null) state = searchClosed(state);
  else if (query !== state.query) search(query);
  if (session) openSession(session, at);
  else if (state.sessionId) closeSession();
  render();
}

ui.home.addEventListener('click', (event) => {
  event.preventDefault();
  location.hash = '';
});

onLangChange(() => {
  document.title = t('archive.doc_title');
  view.forget();
  render();
});

applyStatic();
mountLangToggle(ui.langToggle);
window.addEventListener('hashchange', route);
loadSessions();
route();
