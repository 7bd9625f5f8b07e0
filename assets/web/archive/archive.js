// The public archive (/archive/): past shows with their video and text
// record side by side, the line being said marked as the video plays, a
// click on a line seeking the video there, and a search across every show.
//
// The page reads the studio's JSON API (/api/archive/…, see
// assets/protocol.md) and nothing else; everything people typed reaches the
// page through h() and textContent only.
//
// The address says what is shown, so every moment can be linked:
//   #s=12            session 12
//   #s=12&t=754000   session 12 at 12:34 of the show's timeline
//   #q=医保          search results (with s and t: both)
//
// Selectors (data-testid): session-list > sessions > session-card
// (data-session-id, data-package live|ready|pending) with session-card-title;
// session-view (data-loaded) with archive-video, video-status,
// session-title, session-meta, session-links, chapters > chapter,
// transcript > line (data-line-id, data-start-ms, data-current) with
// line-time, line-speaker, line-text; search-form, search-input,
// search-results with search-heading, search-hits > hit (data-session-id,
// data-line-id) whose matches are <mark>, search-empty; notice.

import { h, timecode } from '../common.js';
import { applyStatic, lang, mountLangToggle, onLangChange, t } from '../i18n.js';
import { LineKind, Limits, Speaker } from '../protocol.js';

// After the reader scrolls the transcript, it stops following the video
// for this long.
const kFollowPauseMs = 5000;

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  notice: $('notice'),
  home: $('archive-home'),
  searchForm: $('search-form'),
  searchInput: $('search-input'),
  results: $('search-results'),
  resultsHeading: $('search-heading'),
  hits: $('search-hits'),
  hitsEmpty: $('search-empty'),
  sessionView: $('session-view'),
  video: $('archive-video'),
  videoStatus: $('video-status'),
  title: $('session-title'),
  meta: $('session-meta'),
  people: $('session-people'),
  links: $('session-links'),
  chaptersCard: $('chapters-card'),
  chapters: $('chapters'),
  transcript: $('transcript'),
  transcriptEmpty: $('transcript-empty'),
  transcriptHint: $('transcript-hint'),
  sessionList: $('session-list'),
  sessions: $('sessions'),
  sessionsEmpty: $('sessions-empty'),
};

const state = {
  sessions: null, // the list, once loaded
  session: null, // {session, lines} of the open one
  sessionId: 0,
  lineNodes: [], // in timeline order, parallel to state.session.lines
  current: -1, // index of the marked line
  pendingSeekS: null, // a seek asked for before the video's metadata
  query: null,
  hits: null,
  userScrolledAt: 0,
  loadToken: 0, // the latest session load; older answers are dropped
};

// ---------------------------------------------------------------------------
// Helpers

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    const error = new Error((body && body.message) || response.statusText);
    error.code = (body && body.code) || `http_${response.status}`;
    throw error;
  }
  return body;
}

function showNotice(text) {
  ui.notice.textContent = text || '';
  ui.notice.hidden = !text;
}

function dateText(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(date);
}

function peopleNodes(session) {
  const people = [];
  if (session.host && session.host.name) {
    people.push(h('span', { class: 'person' },
      h('span', { class: 'person-role' }, t('viewer.host')), ' ',
      h('span', { class: 'person-name' }, session.host.name)));
  }
  for (const guest of session.guests || []) {
    if (!guest || !guest.name) continue;
    people.push(h('span', { class: 'person' },
      h('span', { class: 'person-role' }, t('viewer.guests')), ' ',
      h('span', { class: 'person-name' }, guest.name),
      guest.title ? h('span', { class: 'person-title' }, guest.title) : null));
  }
  return people;
}

function speakerText(line) {
  if (line.kind === LineKind.QUESTION || line.speaker === Speaker.QUESTION) return t('transcript.question_speaker');
  if (line.speaker === Speaker.NARRATION) return t('transcript.narration');
  return line.name || '';
}

function parseHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const session = Number.parseInt(params.get('s') || '', 10);
  const at = Number.parseInt(params.get('t') || '', 10);
  return {
    session: session > 0 ? session : 0,
    at: Number.isFinite(at) && at >= 0 ? at : null,
    query: params.has('q') ? params.get('q') : null,
  };
}

function hashFor({ session, at, query }) {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (session) params.set('s', String(session));
  if (session && at !== null && at !== undefined) params.set('t', String(Math.round(at)));
  return `#${params.toString()}`;
}

// ---------------------------------------------------------------------------
// The list of sessions

async function loadSessions() {
  try {
    const body = await getJson('/api/archive/sessions');
    state.sessions = body.sessions || [];
    renderSessions();
  } catch (error) {
    showNotice(t('archive.error.load', { reason: error.message }));
  }
}

function sessionCard(session) {
  const video = session.video;
  const badge = session.live ? t('archive.live')
    : session.package === 'pending' ? t('archive.pending') : null;
  const counts = [t('archive.count_lines', { n: session.lines })];
  if (session.aired > 0) counts.push(t('archive.count_questions', { n: session.aired }));
  if (video && video.duration_ms) counts.unshift(timecode(video.duration_ms));
  return h('li', {
    class: ['session-card', session.id === state.sessionId ? 'is-open' : null],
    testid: 'session-card',
    dataset: { sessionId: session.id, package: session.package },
  },
  h('a', { class: 'session-link', href: hashFor({ session: session.id }) },
    h('div', { class: 'session-thumb' },
      video && video.poster ? h('img', { src: video.poster, alt: '', loading: 'lazy' })
        : h('span', { class: 'thumb-none' }, session.live ? t('archive.live') : t('archive.no_video')),
      badge ? h('span', { class: ['badge', session.live ? 'badge-live' : null] }, badge) : null),
    h('div', { class: 'session-card-body' },
      h('h3', { class: 'session-card-title', testid: 'session-card-title' }, session.title),
      h('p', { class: 'session-card-meta' }, dateText(session.started_at)),
      h('p', { class: 'session-card-meta' }, counts.join(' · ')))));
}

function renderSessions() {
  if (!state.sessions) return;
  ui.sessions.replaceChildren(...state.sessions.map(sessionCard));
  ui.sessionsEmpty.hidden = state.sessions.length > 0;
  ui.sessionList.dataset.loaded = 'true';
}

// ---------------------------------------------------------------------------
// One session: video and text record

async function openSession(id, atMs) {
  if (state.sessionId === id && state.session) {
    if (atMs !== null) seekTo(atMs, false);
    return;
  }
  const token = ++state.loadToken;
  state.sessionId = id;
  ui.sessionView.hidden = false;
  ui.sessionView.dataset.loaded = 'false';
  let body;
  try {
    body = await getJson(`/api/archive/session?id=${id}`);
  } catch (error) {
    if (token !== state.loadToken) return;
    showNotice(error.code === 'not_found' ? t('archive.error.no_session')
      : t('archive.error.load', { reason: error.message }));
    ui.sessionView.hidden = true;
    return;
  }
  if (token !== state.loadToken) return;
  showNotice('');
  state.session = body;
  state.current = -1;
  state.pendingSeekS = null;
  renderSession();
  renderSessions();
  window.scrollTo({ top: 0 });
  if (atMs !== null) seekTo(atMs, false);
  ui.sessionView.dataset.loaded = 'true';
}

function closeSession() {
  state.loadToken += 1;
  state.session = null;
  state.sessionId = 0;
  ui.sessionView.hidden = true;
  ui.video.pause();
  ui.video.removeAttribute('src');
  ui.video.replaceChildren();
  ui.video.load();
  renderSessions();
}

function renderSession() {
  const { session, lines } = state.session;
  const video = session.video;
  ui.title.textContent = session.title;
  const meta = [dateText(session.started_at)];
  if (video && video.duration_ms) meta.push(t('archive.duration', { time: timecode(video.duration_ms) }));
  ui.meta.textContent = meta.join(' · ');
  ui.people.replaceChildren(...peopleNodes(session));

  // The video, with the text record as subtitles to switch on.
  const src = video ? video.url : null;
  if (ui.video.getAttribute('src') !== src) {
    ui.video.pause();
    ui.video.replaceChildren();
    if (src) {
      ui.video.src = src;
      if (video.poster) ui.video.poster = video.poster;
      else ui.video.removeAttribute('poster');
      if (video.subtitles) {
        ui.video.append(h('track', {
          kind: 'subtitles', srclang: 'zh', label: t('archive.subtitles'), src: video.subtitles,
        }));
      }
    } else {
      ui.video.removeAttribute('src');
      ui.video.removeAttribute('poster');
      ui.video.load();
    }
  }
  ui.video.hidden = !src;
  const status = session.live ? t('archive.live_note')
    : session.package === 'pending' ? t('archive.pending_note')
      : !src ? t('archive.no_video_note') : '';
  ui.videoStatus.textContent = status;
  ui.videoStatus.hidden = !status;
  ui.transcriptHint.hidden = !src;

  const files = session.files || {};
  const links = [];
  if (session.live) links.push(h('a', { href: '/' }, t('archive.watch_live')));
  if (files['transcript.html']) {
    links.push(h('a', { href: files['transcript.html'], target: '_blank', rel: 'noopener' },
      t('archive.record')));
  }
  if (files['subtitles.vtt']) {
    links.push(h('a', { href: files['subtitles.vtt'], download: '' }, t('archive.subtitles_file')));
  }
  ui.links.replaceChildren(...links);
  ui.links.hidden = links.length === 0;

  // The text record, and the questions as chapters.
  state.lineNodes = lines.map((line, index) => h('li', {
    class: ['line', line.kind === LineKind.QUESTION ? 'line-question' : null],
    testid: 'line',
    dataset: { lineId: line.id, startMs: line.start_ms, kind: line.kind, current: 'false' },
    onclick: () => seekTo(line.start_ms, true, index),
  },
  h('button', {
    type: 'button', class: 'line-time', testid: 'line-time',
    'aria-label': t('archive.seek_to', { time: timecode(line.start_ms) }),
  }, timecode(line.start_ms)),
  h('span', { class: 'line-speaker', testid: 'line-speaker' }, speakerText(line)),
  h('p', { class: 'line-text', testid: 'line-text' }, line.text)));
  ui.transcript.replaceChildren(...state.lineNodes);
  ui.transcriptEmpty.hidden = lines.length > 0;

  const chapters = [];
  lines.forEach((line, index) => {
    if (line.kind !== LineKind.QUESTION) return;
    chapters.push(h('li', { class: 'chapter', testid: 'chapter', dataset: { question: line.question } },
      h('button', { type: 'button', onclick: () => seekTo(line.start_ms, true, index) },
        h('span', { class: 'chapter-time' }, timecode(line.start_ms)),
        h('span', { class: 'chapter-text' }, `Q${line.question} · ${line.text}`))));
  });
  ui.chapters.replaceChildren(...chapters);
  ui.chaptersCard.hidden = chapters.length === 0;
  if (state.current >= 0) mark(state.current, false);
}

// The line being said at `ms` on the show's timeline: the last one begun.
function lineAt(ms) {
  const lines = state.session ? state.session.lines : [];
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

function mark(index, follow) {
  if (index === state.current && !follow) return;
  const previous = state.lineNodes[state.current];
  if (previous) previous.dataset.current = 'false';
  state.current = index;
  const node = state.lineNodes[index];
  if (!node) return;
  node.dataset.current = 'true';
  if (follow && Date.now() - state.userScrolledAt > kFollowPauseMs) {
    // Within the list only: the page itself stays where the reader put it.
    const list = ui.transcript;
    const top = node.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + node.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }
}

// `ms` on the show's timeline; the video's 0 is the timeline's offset_ms.
function seekTo(ms, play, index) {
  const video = state.session && state.session.session.video;
  mark(index !== undefined ? index : lineAt(ms), true);
  history.replaceState(null, '', hashFor({ session: state.sessionId, at: ms, query: state.query }));
  if (!video) return;
  const seconds = Math.max(0, (ms - video.offset_ms) / 1000);
  if (ui.video.readyState >= HTMLMediaElement.HAVE_METADATA) {
    ui.video.currentTime = Math.min(seconds, ui.video.duration || seconds);
  } else {
    state.pendingSeekS = seconds;
  }
  if (play) ui.video.play().catch(() => {});
}

ui.video.addEventListener('loadedmetadata', () => {
  if (state.pendingSeekS !== null) {
    ui.video.currentTime = Math.min(state.pendingSeekS, ui.video.duration || state.pendingSeekS);
    state.pendingSeekS = null;
  }
});

ui.video.addEventListener('timeupdate', () => {
  const video = state.session && state.session.session.video;
  if (!video || ui.video.seeking) return;
  const index = lineAt(ui.video.currentTime * 1000 + video.offset_ms);
  if (index !== state.current) mark(index, true);
});

for (const type of ['wheel', 'touchmove', 'keydown']) {
  ui.transcript.addEventListener(type, () => { state.userScrolledAt = Date.now(); },
    { passive: true });
}

// ---------------------------------------------------------------------------
// Search

async function search(query) {
  state.query = query;
  ui.results.hidden = false;
  ui.searchInput.value = query;
  const trimmed = query.trim();
  if (!trimmed) {
    state.hits = [];
    renderHits(t('archive.error.empty'));
    return;
  }
  if ([...trimmed].length > Limits.SEARCH_CHARS) {
    state.hits = [];
    renderHits(t('archive.error.too_long', { n: Limits.SEARCH_CHARS }));
    return;
  }
  ui.resultsHeading.textContent = t('archive.searching', { q: trimmed });
  try {
    const body = await getJson(`/api/archive/search?limit=50&q=${encodeURIComponent(trimmed)}`);
    if (state.query !== query) return;
    state.hits = body.hits || [];
    renderHits(null);
  } catch (error) {
    if (state.query !== query) return;
    state.hits = [];
    const known = ['empty', 'too_long', 'busy'];
    renderHits(known.includes(error.code)
      ? t(`archive.error.${error.code}`, { n: Limits.SEARCH_CHARS })
      : t('archive.error.load', { reason: error.message }));
  }
}

function hitItem(hit) {
  const snippet = (hit.snippet || []).map((piece) =>
    (piece.match ? h('mark', null, piece.text) : piece.text));
  return h('li', { class: 'hit', testid: 'hit', dataset: { sessionId: hit.session, lineId: hit.line } },
    h('a', { class: 'hit-link', href: hashFor({ session: hit.session, at: hit.start_ms, query: state.query }) },
      h('span', { class: 'hit-where' },
        h('span', { class: 'hit-title' }, hit.title), ' · ', dateText(hit.started_at)),
      h('span', { class: 'hit-who' },
        h('span', { class: 'hit-time' }, timecode(hit.start_ms)), ' ', speakerText(hit)),
      h('span', { class: 'hit-snippet', testid: 'hit-snippet' }, snippet)));
}

function renderHits(problem) {
  if (state.query === null) return;
  const hits = state.hits || [];
  ui.resultsHeading.textContent = problem
    || t('archive.hits', { n: hits.length, q: state.query.trim() });
  ui.hits.replaceChildren(...hits.map(hitItem));
  ui.hitsEmpty.hidden = Boolean(problem) || hits.length > 0;
}

ui.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const query = ui.searchInput.value.trim();
  location.hash = hashFor({ query: query || ' ' });
});

// ---------------------------------------------------------------------------
// Routing and language

function route() {
  const { session, at, query } = parseHash();
  if (query !== null) {
    if (query !== state.query) search(query);
  } else {
    state.query = null;
    state.hits = null;
    ui.results.hidden = true;
  }
  if (session) openSession(session, at);
  else if (state.sessionId) closeSession();
}

ui.home.addEventListener('click', (event) => {
  event.preventDefault();
  location.hash = '';
});

onLangChange(() => {
  document.title = t('archive.doc_title');
  renderSessions();
  if (state.session) renderSession();
  if (state.query !== null && state.hits) renderHits(null);
});

applyStatic();
mountLangToggle($('lang-toggle'));
window.addEventListener('hashchange', route);
loadSessions();
route();
