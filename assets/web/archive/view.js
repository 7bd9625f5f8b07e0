// The archive page drawn from its state (state.js): the list of past shows,
// the open one (video, people, links, chapters and the text record with the
// line being said marked) and the search results. Everything people typed
// reaches the page through h() and textContent only.
//
// What is costly to build is built again only when it changed: the list
// when the sessions (or the one open) change, the session when another is
// loaded, the hits when new ones come; the mark moves by itself. forget()
// has everything built again (a new language).
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
import { lang, t } from '../i18n.js';
import { LineKind, Speaker } from '../protocol.js';
import { chapters, hashFor } from './state.js';

// createView({seek}) finds the page's elements and returns what draws them;
// seek(ms, index) acts on a click on a line or a chapter (the line's start
// on the show's timeline, and its index).
export function createView({ seek }) {
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
    langToggle: $('lang-toggle'),
  };

  // What was last drawn, to draw again only what changed.
  let drawnList = null; // {sessions, loadedId}
  let drawnSession = null; // the {session, lines} drawn
  let stale = false; // the session is drawn again even if the same
  let drawnHits = null;
  let drawnQuery = null; // the query last put into the search field
  let lineNodes = []; // in timeline order, parallel to the session's lines
  let marked = -1;

  function forget() {
    drawnList = null;
    stale = true;
    drawnHits = null;
  }

  function render(state) {
    ui.notice.textContent = state.notice ? t(state.notice.key, state.notice.vars || undefined) : '';
    ui.notice.hidden = !state.notice;
    renderSessions(state);
    renderSession(state);
    renderSearch(state);
  }

  // -------------------------------------------------------------------------
  // The list of sessions.

  function renderSessions(state) {
    if (!state.sessions) return;
    if (drawnList && drawnList.sessions === state.sessions && drawnList.loadedId === state.loadedId) return;
    drawnList = { sessions: state.sessions, loadedId: state.loadedId };
    ui.sessions.replaceChildren(...state.sessions.map((session) => sessionCard(session, state.loadedId)));
    ui.sessionsEmpty.hidden = state.sessions.length > 0;
    ui.sessionList.dataset.loaded = 'true';
  }

  function sessionCard(session, openId) {
    const video = session.video;
    const badge = session.live ? t('archive.live')
      : session.package === 'pending' ? t('archive.pending') : null;
    const counts = [t('archive.count_lines', { n: session.lines })];
    if (session.aired > 0) counts.push(t('archive.count_questions', { n: session.aired }));
    if (video && video.duration_ms) counts.unshift(timecode(video.duration_ms));
    return h('li', {
      class: ['session-card', session.id === openId ? 'is-open' : null],
      testid: 'session-card',
      dataset: { sessionId: session.id, package: session.package },
    },
    h('a', { class: 'session-link', href: hashFor({ session: session.id }) },
      h('div', { class: 'session-thumb' },
        video && video.poster ? h('img', { src: video.poster, alt: '', loading: 'lazy' })
          : h('span', { class: 'thumb-none' }, session.live ? t('archive.live')
            : session.package === 'unpublished' ? t('archive.unpublished') : t('archive.no_video')),
        badge ? h('span', { class: ['badge', session.live ? 'badge-live' : null] }, badge) : null),
      h('div', { class: 'session-card-body' },
        h('h3', { class: 'session-card-title', testid: 'session-card-title' }, session.title),
        h('p', { class: 'session-card-meta' }, dateText(session.started_at)),
        h('p', { class: 'session-card-meta' }, counts.join(' · ')))));
  }

  // -------------------------------------------------------------------------
  // One session: video and text record.

  function renderSession(state) {
    ui.sessionView.hidden = state.sessionStatus === 'none' || state.sessionStatus === 'failed';
    ui.sessionView.dataset.loaded = state.sessionStatus === 'loaded' ? 'true' : 'false';
    if (state.session !== drawnSession || stale) {
      stale = false;
      const closed = drawnSession && !state.session;
      drawnSession = state.session;
      lineNodes = [];
      marked = -1;
      if (state.session) drawSession(state.session);
      else if (closed) clearVideo();
    }
    mark(state.current);
  }

  function drawSession({ session, lines }) {
    const video = session.video;
    ui.title.textContent = session.title;
    const meta = [dateText(session.started_at)];
    if (video && video.duration_ms) meta.push(t('archive.duration', { time: timecode(video.duration_ms) }));
    ui.meta.textContent = meta.join(' · ');
    ui.people.replaceChildren(...peopleNodes(session));

    // The video, with the text record as subtitles to switch on. Left alone
    // when it is the same, so that drawing again does not stop it.
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
        : session.package === 'unpublished' ? t('archive.unpublished_note')
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
    lineNodes = lines.map((line, index) => h('li', {
      class: ['line', line.kind === LineKind.QUESTION ? 'line-question' : null],
      testid: 'line',
      dataset: { lineId: line.id, startMs: line.start_ms, kind: line.kind, current: 'false' },
      onclick: () => seek(line.start_ms, index),
    },
    h('button', {
      type: 'button', class: 'line-time', testid: 'line-time',
      'aria-label': t('archive.seek_to', { time: timecode(line.start_ms) }),
    }, timecode(line.start_ms)),
    h('span', { class: 'line-speaker', testid: 'line-speaker' }, speakerText(line)),
    h('p', { class: 'line-text', testid: 'line-text' }, line.text)));
    ui.transcript.replaceChildren(...lineNodes);
    ui.transcriptEmpty.hidden = lines.length > 0;

    const items = chapters(lines).map(({ line, index }) =>
      h('li', { class: 'chapter', testid: 'chapter', dataset: { question: line.question } },
        h('button', { type: 'button', onclick: () => seek(line.start_ms, index) },
          h('span', { class: 'chapter-time' }, timecode(line.start_ms)),
          h('span', { class: 'chapter-text' }, `Q${line.question} · ${line.text}`))));
    ui.chapters.replaceChildren(...items);
    ui.chaptersCard.hidden = items.length === 0;
  }

  // No session: the video stops and lets its file go.
  function clearVideo() {
    ui.video.pause();
    ui.video.removeAttribute('src');
    ui.video.replaceChildren();
    ui.video.load();
  }

  function mark(index) {
    if (index === marked) return;
    const previous = lineNodes[marked];
    if (previous) previous.dataset.current = 'false';
    marked = index;
    const node = lineNodes[index];
    if (node) node.dataset.current = 'true';
  }

  // Brings the line into the transcript's view, within the list only: the
  // page itself stays where the reader put it.
  function followLine(index) {
    const node = lineNodes[index];
    if (!node) return;
    const list = ui.transcript;
    const top = node.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + node.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }

  // -------------------------------------------------------------------------
  // Search.

  function renderSearch(state) {
    ui.results.hidden = state.query === null;
    if (state.query === null) {
      drawnQuery = null;
      return;
    }
    if (state.query !== drawnQuery) {
      drawnQuery = state.query;
      ui.searchInput.value = state.query;
    }
    const hits = state.hits || [];
    ui.resultsHeading.textContent = state.searching ? t('archive.searching', { q: state.query.trim() })
      : state.problem ? t(state.problem.key, state.problem.vars || undefined)
        : t('archive.hits', { n: hits.length, q: state.query.trim() });
    // While a search is on, the last one's hits stay.
    if (state.searching || state.hits === null) return;
    if (state.hits !== drawnHits) {
      drawnHits = state.hits;
      ui.hits.replaceChildren(...hits.map((hit) => hitItem(hit, state.query)));
    }
    ui.hitsEmpty.hidden = Boolean(state.problem) || hits.length > 0;
  }

  return { ui, render, followLine, forget };
}

function hitItem(hit, query) {
  const snippet = (hit.snippet || []).map((piece) =>
    (piece.match ? h('mark', null, piece.text) : piece.text));
  return h('li', { class: 'hit', testid: 'hit', dataset: { sessionId: hit.session, lineId: hit.line } },
    h('a', { class: 'hit-link', href: hashFor({ session: hit.session, at: hit.start_ms, query }) },
      h('span', { class: 'hit-where' },
        h('span', { class: 'hit-title' }, hit.title), ' · ', dateText(hit.started_at)),
      h('span', { class: 'hit-who' },
        h('span', { class: 'hit-time' }, timecode(hit.start_ms)), ' ', speakerText(hit)),
      h('span', { class: 'hit-snippet', testid: 'hit-snippet' }, snippet)));
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
