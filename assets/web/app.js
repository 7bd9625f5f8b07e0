// Viewer page: the live program (HLS), the question on air, the live text
// (图文直播), the question form, the viewer's own questions and the public
// (approved) list with votes.
//
// The studio is the single source of truth: every (re)connect says hello and
// the hello.ok rebuilds all lists (the live text comes with the
// transcript.list asked for right after); then the page applies the studio's
// events (question.updated, questions.public, transcript.public) as they
// come. The protocol is assets/protocol.md, "Audience questions" and "Live
// transcript".

import { t, applyStatic, mountLangToggle, onLangChange } from './i18n.js';
import {
  h, icon, codePoints, clockTime, timecode, StudioSocket, ConnState, loadJson, saveJson, retrySeconds,
} from './common.js';
import { ProgramPlayer } from './program_player.js';

const kViewerKey = 'yst.viewer';
const kObserverKey = 'yst.observer_token';
const kVotesKeyPrefix = 'yst.votes.';
const kViewerIdPattern = /^[A-Za-z0-9_-]{16,64}$/;
const kCategories = ['question', 'suggestion', 'complaint'];
const kLiveTextLimit = 200; // lines kept in the page, the newest

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  title: $('show-title'),
  people: $('show-people'),
  live: $('live-indicator'),
  liveText: document.querySelector('[data-testid="live-indicator"] .live-text'),
  observer: $('viewer-observer'),
  banner: $('connection-banner'),
  notice: $('notice'),
  video: $('video'),
  videoStatus: $('video-status'),
  onAirCard: $('onair-card'),
  onAirText: $('onair-text'),
  onAirMeta: $('onair-meta'),
  form: $('question-form'),
  nickname: $('question-nickname'),
  text: $('question-text'),
  counter: $('question-counter'),
  submit: $('question-submit'),
  formMessage: $('question-message'),
  mine: $('my-questions'),
  mineEmpty: $('my-questions-empty'),
  publicList: $('public-questions'),
  publicEmpty: $('public-empty'),
  publicMessage: $('public-message'),
  liveBlog: $('live-text'), // (liveText above is the LIVE badge's label)
  liveBlogList: $('live-text-list'),
  liveBlogEmpty: $('live-text-empty'),
};

// ---------------------------------------------------------------------------
// Identity: the viewer id (kept for good) and an observer invitation token.

// The studio issues viewer ids (signed: a made-up one is replaced): the page
// keeps the one hello.ok gave it and sends it with its next hello. Null
// before the first hello.ok (and with storage disabled, on every load).
function loadViewerId() {
  try {
    const id = localStorage.getItem(kViewerKey);
    return id && kViewerIdPattern.test(id) ? id : null;
  } catch {
    return null; // Storage disabled: a fresh id per page load.
  }
}

// An invitation link lands on /#o=<token>: keep the token, then take it out
// of the address bar so that it is not bookmarked, shared or shown on screen.
function takeObserverTokenFromHash() {
  const match = /^#o=(.+)$/.exec(location.hash);
  if (match) {
    let token = match[1];
    try {
      token = decodeURIComponent(token);
    } catch {
      // Keep it as it came.
    }
    try {
      localStorage.setItem(kObserverKey, token);
    } catch {
      // Used for this page load only.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  try {
    return localStorage.getItem(kObserverKey);
  } catch {
    return null;
  }
}

function forgetObserverToken() {
  state.observerToken = null;
  try {
    localStorage.removeItem(kObserverKey);
  } catch {
    // Nothing stored.
  }
}

// ---------------------------------------------------------------------------
// State. Everything shown is derived from here by the render functions.

const state = {
  viewerId: loadViewerId(),
  observerToken: takeObserverTokenFromHash(),
  helloRole: null, // the role of the hello awaiting its hello.ok, or null
  helloTimer: null, // a hello the studio asked to wait for (rate_limited)
  observerName: null,
  show: null,
  limits: { max_chars: 300, max_nickname_chars: 20 },
  mine: [], // own questions, oldest first
  publicQuestions: [], // approved questions, in the studio's order
  onAir: null,
  voted: new Set(),
  submitRequest: null, // request id of the question being submitted
  voteRequests: new Map(), // request id → question id
  liveRequest: null, // request id of the transcript.list asked for
  liveTimer: null, // asking again after a rate_limited
  formMessage: null, // {key, vars, kind: 'ok' | 'error'}
  publicMessage: null, // {key, vars}
  retryUntilMs: 0, // rate-limited until then
  connection: ConnState.CONNECTING,
  noticeKey: null,
  noticeVars: null,
  liveLines: [], // public transcript lines, newest first, at most kLiveTextLimit
  liveLoaded: false, // the transcript.list of this connection has arrived
};
state.voted = new Set(state.viewerId ? loadJson(kVotesKeyPrefix + state.viewerId, []) : []);

function rememberVote(questionId) {
  state.voted.add(questionId);
  if (state.viewerId) saveJson(kVotesKeyPrefix + state.viewerId, [...state.voted]);
}

// ---------------------------------------------------------------------------
// The studio connection.

const socket = new StudioSocket({
  onOpen: sayHello,
  onMessage: handleMessage,
  onState: (connection) => {
    state.connection = connection;
    if (connection !== ConnState.OPEN) {
      delete document.body.dataset.hello;
      // Answers to requests on a closed socket never come.
      state.submitRequest = null;
      state.voteRequests.clear();
      state.helloRole = null;
      state.liveRequest = null;
      state.liveLoaded = false; // Asked again after the next hello.
      clearTimeout(state.helloTimer);
      clearTimeout(state.liveTimer);
    }
    renderConnection();
    renderForm();
    renderPublic();
  },
});

function sayHello() {
  const hello = { type: 'hello', role: 'viewer' };
  if (state.viewerId) hello.viewer = state.viewerId;
  if (state.observerToken) {
    hello.role = 'observer';
    hello.token = state.observerToken;
  }
  state.helloRole = hello.role;
  socket.send(hello, { withId: false });
}

// The live text is not part of hello.ok: asked for once the connection is a
// viewer's (and gets transcript.public from then on).
function askLiveText() {
  state.liveRequest = socket.send({ type: 'transcript.list' });
}

function handleMessage(message) {
  switch (message.type) {
    case 'hello.ok':
      onHelloOk(message);
      break;
    case 'error':
      onError(message);
      break;
    case 'question.received':
      onQuestionReceived(message);
      break;
    case 'question.updated':
      if (message.question) upsertMine(message.question);
      renderMine();
      break;
    case 'questions.mine':
      if (Array.isArray(message.questions)) state.mine = message.questions.slice();
      renderMine();
      break;
    case 'questions.public':
      applyPublicChanges(message);
      break;
    case 'vote':
      onVote(message);
      break;
    case 'transcript.list':
      onLiveTextList(message);
      break;
    case 'transcript.public':
      applyLiveLine(message.line);
      renderLiveText();
      break;
    default:
      break; // Events for other roles, or newer than this page.
  }
}

function onHelloOk(message) {
  state.helloRole = null;
  document.body.dataset.hello = 'ok'; // for tests: the lists are in place
  if (typeof message.viewer === 'string' && kViewerIdPattern.test(message.viewer) &&
      message.viewer !== state.viewerId) {
    // The studio issued an id (the first visit, or one it did not sign, as
    // an earlier version's page made up): use it from now on. The votes
    // remembered under the old one go with it.
    try {
      if (state.viewerId) localStorage.removeItem(kVotesKeyPrefix + state.viewerId);
      localStorage.setItem(kViewerKey, message.viewer);
    } catch {
      // See loadViewerId.
    }
    state.viewerId = message.viewer;
    state.voted = new Set(loadJson(kVotesKeyPrefix + state.viewerId, []));
  }
  state.observerName = typeof message.observer === 'string' && message.observer ? message.observer : null;
  if (message.show) state.show = message.show;
  if (message.limits) state.limits = { ...state.limits, ...message.limits };
  state.mine = Array.isArray(message.mine) ? message.mine.slice() : [];
  const publicPart = message.public || {};
  state.publicQuestions = Array.isArray(publicPart.questions) ? publicPart.questions.slice() : [];
  state.onAir = publicPart.on_air || null;
  renderAll();
  if (state.liveRequest === null && !state.liveLoaded) askLiveText();
}

function onError(message) {
  const { code } = message;
  const retryS = retrySeconds(message);
  // Answers to the hello (it has no request id). The studio carries a
  // refused observer on as a viewer: its hello.ok follows.
  if (message.id === undefined && state.helloRole !== null) {
    if (code === 'forbidden' && state.helloRole === 'observer') {
      // The invitation is not (or no longer) valid.
      forgetObserverToken();
      state.noticeKey = 'observer.invalid';
      state.noticeVars = null;
      renderNotice();
      return;
    }
    if (code === 'too_many_attempts' && state.helloRole === 'observer') {
      // Too many wrong tokens from this address (not necessarily ours): the
      // invitation is kept and checked again at the next visit.
      state.noticeKey = 'observer.later';
      state.noticeVars = { n: retryS };
      renderNotice();
      return;
    }
    if (code === 'rate_limited') {
      // Hellos are limited per connection: say it again when allowed.
      clearTimeout(state.helloTimer);
      state.helloTimer = setTimeout(() => { if (socket.isOpen()) sayHello(); }, retryS * 1000);
      return;
    }
    if (code === 'identity_locked') {
      // The connection has another viewer id than the one kept here (another
      // tab changed it): a fresh connection takes the kept one.
      state.helloRole = null;
      socket.restart();
      return;
    }
  }
  if (message.id !== undefined && message.id === state.liveRequest) {
    state.liveRequest = null;
    if (code === 'rate_limited') {
      clearTimeout(state.liveTimer);
      state.liveTimer = setTimeout(() => { if (socket.isOpen()) askLiveText(); }, retryS * 1000);
    }
    return;
  }
  if (message.id !== undefined && message.id === state.submitRequest) {
    state.submitRequest = null;
    if (code === 'rate_limited') startRateLimit(message.retry_after_s);
    else state.formMessage = { key: errorKey(code), vars: errorVars(code), kind: 'error' };
    renderForm();
    return;
  }
  if (message.id !== undefined && state.voteRequests.has(message.id)) {
    const questionId = state.voteRequests.get(message.id);
    state.voteRequests.delete(message.id);
    if (code === 'already_voted') rememberVote(questionId);
    state.publicMessage = code === 'rate_limited'
      ? { key: 'error.vote_rate_limited', vars: { n: retryS } }
      : { key: errorKey(code), vars: errorVars(code) };
    renderPublic();
    return;
  }
  // Not tied to a request of ours (e.g. a flood warning before a disconnect).
  if (code === 'rate_limited') {
    state.formMessage = { key: 'error.rate_limited_plain', kind: 'error' };
    renderForm();
  }
}

function errorKey(code) {
  const known = ['too_long', 'empty', 'busy', 'bad_message', 'forbidden', 'not_found', 'already_voted',
                 'invalid'];
  if (code === 'rate_limited') return 'error.rate_limited_plain';
  return known.includes(code) ? `error.${code}` : 'error.unknown';
}

function errorVars(code) {
  return {
    code: String(code),
    max: state.limits.max_chars,
    nick: state.limits.max_nickname_chars,
  };
}

function startRateLimit(retryAfterS) {
  const seconds = Number.isFinite(retryAfterS) && retryAfterS > 0 ? Math.ceil(retryAfterS) : 10;
  state.retryUntilMs = Date.now() + seconds * 1000;
  tickRateLimit();
}

let rateLimitTimer = null;
function tickRateLimit() {
  clearTimeout(rateLimitTimer);
  const left = Math.ceil((state.retryUntilMs - Date.now()) / 1000);
  if (left > 0) {
    state.formMessage = { key: 'error.rate_limited', vars: { n: left }, kind: 'error' };
    rateLimitTimer = setTimeout(tickRateLimit, 1000);
  } else {
    state.retryUntilMs = 0;
    if (state.formMessage && state.formMessage.key === 'error.rate_limited') state.formMessage = null;
  }
  renderForm();
}

function onQuestionReceived(message) {
  state.submitRequest = null;
  if (message.question) upsertMine(message.question);
  ui.text.value = '';
  state.formMessage = { key: 'form.received', kind: 'ok' };
  renderForm();
  renderMine();
}

function onVote(message) {
  const questionId = message.question;
  for (const [requestId, votedId] of state.voteRequests) {
    if (votedId === questionId) state.voteRequests.delete(requestId);
  }
  if (message.voted !== false) rememberVote(questionId);
  const entry = state.publicQuestions.find((q) => q.id === questionId);
  if (entry && Number.isFinite(message.votes)) entry.votes = message.votes;
  state.publicMessage = null;
  renderPublic();
}

function upsertMine(question) {
  const index = state.mine.findIndex((q) => q.id === question.id);
  if (index >= 0) state.mine[index] = question;
  else state.mine.push(question);
}

// questions.public: replace changed entries by id, drop removed ones, append
// new ones; on_air (when present) replaces the card on top.
function applyPublicChanges(message) {
  const removed = new Set(Array.isArray(message.removed) ? message.removed : []);
  const list = state.publicQuestions.filter((q) => !removed.has(q.id));
  for (const question of Array.isArray(message.questions) ? message.questions : []) {
    if (removed.has(question.id)) continue;
    const index = list.findIndex((q) => q.id === question.id);
    if (index >= 0) list[index] = question;
    else list.push(question);
  }
  state.publicQuestions = list;
  if ('on_air' in message) state.onAir = message.on_air || null;
  renderOnAir();
  renderPublic();
}

// The order shown: the question on air, then the queue in air order, then
// the answered ones. Inside the queue the studio's order is kept, unless
// every entry carries a position, which then decides.
function publicDisplayOrder() {
  const rank = { on_air: 0, approved: 1, answered: 2 };
  const entries = state.publicQuestions.map((question, index) => ({ question, index }));
  const queue = entries.filter((e) => e.question.status === 'approved' || !(e.question.status in rank));
  const byPosition = queue.length > 0 && queue.every((e) => Number.isFinite(e.question.position));
  entries.sort((a, b) => {
    const ra = rank[a.question.status] ?? 1;
    const rb = rank[b.question.status] ?? 1;
    if (ra !== rb) return ra - rb;
    if (ra === 1 && byPosition) return a.question.position - b.question.position || a.index - b.index;
    return a.index - b.index;
  });
  return entries.map((e) => e.question);
}

// ---------------------------------------------------------------------------
// The live text (图文直播): what the typists type, plus a line of the studio's
// for every question that goes on air. A live blog reads newest first.

function onLiveTextList(message) {
  state.liveRequest = null;
  state.liveLines = [];
  for (const line of Array.isArray(message.lines) ? message.lines : []) applyLiveLine(line);
  state.liveLoaded = true;
  renderLiveText();
}

// Adds a line, replaces a corrected one (same id) or removes a deleted one;
// only the newest kLiveTextLimit stay.
function applyLiveLine(line) {
  if (!line || typeof line !== 'object' || line.id === undefined) return;
  const lines = state.liveLines.filter((l) => l.id !== line.id);
  if (!line.deleted) lines.push(line);
  lines.sort((a, b) => (b.start_ms ?? 0) - (a.start_ms ?? 0) || b.id - a.id);
  state.liveLines = lines.slice(0, kLiveTextLimit);
}

// The studio names question lines and the narration in Chinese.
function liveSpeaker(line) {
  if (line.kind === 'question') return t('transcript.question_speaker');
  if (line.speaker === 'narration') return t('transcript.narration');
  return line.speaker_name || '';
}

// ---------------------------------------------------------------------------
// The question form.

function formProblem() {
  const text = ui.text.value;
  if (text.trim() === '') return 'empty';
  if (codePoints(text) > state.limits.max_chars) return 'too_long';
  if (codePoints(ui.nickname.value.trim()) > state.limits.max_nickname_chars) return 'too_long';
  return null;
}

function selectedCategory() {
  const checked = ui.form.querySelector('input[name="category"]:checked');
  return checked && kCategories.includes(checked.value) ? checked.value : 'question';
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (formProblem() || state.submitRequest !== null || Date.now() < state.retryUntilMs) return;
  if (!socket.isOpen()) {
    state.formMessage = { key: 'error.offline', kind: 'error' };
    renderForm();
    return;
  }
  const message = { type: 'question.submit', text: ui.text.value, category: selectedCategory() };
  const nickname = ui.nickname.value.trim();
  if (nickname) message.nickname = nickname;
  state.submitRequest = socket.send(message);
  state.formMessage = null;
  renderForm();
});

ui.text.addEventListener('input', () => {
  if (state.formMessage && state.formMessage.kind === 'ok') state.formMessage = null;
  renderForm();
});
ui.nickname.addEventListener('input', renderForm);

// Ctrl/⌘+Enter in the textarea sends, as in most chat boxes.
ui.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    ui.form.requestSubmit();
  }
});

// ---------------------------------------------------------------------------
// Rendering.

function renderAll() {
  renderHeader();
  renderNotice();
  renderConnection();
  renderOnAir();
  renderForm();
  renderMine();
  renderPublic();
  renderLiveText();
}

function renderHeader() {
  const show = state.show;
  const title = show && show.title ? show.title : t('viewer.title_default');
  ui.title.textContent = title;
  if (show && show.title) document.title = show.title;
  const people = [];
  if (show && show.host && show.host.name) {
    people.push(h('span', { class: 'person' },
                  h('span', { class: 'person-role' }, t('viewer.host')), ' ',
                  h('span', { class: 'person-name' }, show.host.name)));
  }
  const guests = show && Array.isArray(show.guests) ? show.guests.filter((g) => g && g.name) : [];
  if (guests.length > 0) {
    people.push(h('span', { class: 'person' },
                  h('span', { class: 'person-role' }, t('viewer.guests')), ' ',
                  guests.map((guest, i) => [
                    i > 0 ? '、' : null,
                    h('span', { class: 'person-name', testid: 'show-guest' }, guest.name),
                    guest.title ? h('span', { class: 'person-title' }, guest.title) : null,
                  ])));
  }
  ui.people.replaceChildren(...people);
  ui.people.hidden = people.length === 0;
  ui.observer.hidden = !state.observerName;
  ui.observer.textContent = state.observerName ? t('observer.badge', { name: state.observerName }) : '';
}

function renderNotice() {
  ui.notice.hidden = !state.noticeKey;
  ui.notice.textContent = state.noticeKey ? t(state.noticeKey, state.noticeVars || undefined) : '';
}

function renderConnection() {
  const closed = state.connection === ConnState.CLOSED;
  ui.banner.hidden = !closed;
  ui.banner.textContent = closed ? t('conn.closed') : '';
}

function renderOnAir() {
  const q = state.onAir;
  ui.onAirCard.dataset.state = q ? 'on_air' : 'none';
  if (q) {
    ui.onAirCard.dataset.questionId = String(q.id);
    ui.onAirText.textContent = q.text || '';
    ui.onAirMeta.replaceChildren(...questionMeta(q).filter(Boolean));
  } else {
    delete ui.onAirCard.dataset.questionId;
    ui.onAirText.textContent = t('onair.none');
    ui.onAirMeta.replaceChildren();
  }
}

function questionMeta(q) {
  return [
    h('span', { class: 'nickname', testid: 'question-nickname-label' }, q.nickname || t('anonymous')),
    q.observer ? h('span', { class: 'observer-tag', testid: 'observer-badge' },
                   t('observer.badge', { name: q.observer })) : null,
    kCategories.includes(q.category)
      ? h('span', { class: ['category', `category-${q.category}`] }, t(`category.${q.category}`)) : null,
  ];
}

function renderForm() {
  const count = codePoints(ui.text.value);
  const max = state.limits.max_chars;
  ui.counter.textContent = `${count}/${max}`;
  ui.counter.classList.toggle('over', count > max);
  ui.nickname.classList.toggle('over', codePoints(ui.nickname.value.trim()) > state.limits.max_nickname_chars);
  const waiting = state.submitRequest !== null;
  const limited = Date.now() < state.retryUntilMs;
  const offline = state.connection !== ConnState.OPEN;
  ui.submit.disabled = Boolean(formProblem()) || waiting || limited || offline;
  ui.submit.textContent = waiting ? t('form.sending') : t('form.submit');
  ui.form.setAttribute('aria-busy', waiting ? 'true' : 'false');

  let message = state.formMessage;
  if (offline && (!message || message.kind === 'ok')) message = { key: 'error.offline', kind: 'error' };
  ui.formMessage.hidden = !message;
  ui.formMessage.textContent = message ? t(message.key, message.vars) : '';
  ui.formMessage.dataset.kind = message ? message.kind : '';
}

function statusBadge(status, testid) {
  const known = ['pending', 'approved', 'on_air', 'answered', 'rejected', 'merged'];
  const value = known.includes(status) ? status : 'pending';
  return h('span', { class: ['badge', `status-${value}`], testid, dataset: { status: value } },
           t(`status.${value}`));
}

function renderMine() {
  // Newest first: the one just sent is where the eye is.
  const items = state.mine.slice().reverse().map((q) =>
    h('li', { class: 'question mine-item', testid: 'my-question', dataset: { questionId: q.id, status: q.status } },
      h('div', { class: 'question-head' },
        statusBadge(q.status, 'my-question-status'),
        kCategories.includes(q.category) ? h('span', { class: 'category' }, t(`category.${q.category}`)) : null,
        h('time', { class: 'time', datetime: q.received_utc || null }, clockTime(q.received_utc))),
      h('p', { class: 'question-text', testid: 'my-question-text' }, q.text || ''),
      q.status === 'merged' && q.merged_into != null
        ? h('p', { class: 'question-note' }, t('mine.merged_into', { id: q.merged_into })) : null));
  ui.mine.replaceChildren(...items);
  ui.mineEmpty.hidden = items.length > 0;
}

function renderPublic() {
  const canVote = state.connection === ConnState.OPEN;
  const pendingVotes = new Set(state.voteRequests.values());
  const items = publicDisplayOrder().map((q) => {
    const voted = state.voted.has(q.id);
    const button = h('button', {
      type: 'button',
      class: ['vote', voted ? 'voted' : null],
      testid: 'public-question-vote',
      disabled: voted || !canVote || pendingVotes.has(q.id) || q.status === 'answered',
      'aria-pressed': voted ? 'true' : 'false',
      title: voted ? t('public.voted') : t('public.vote'),
      'aria-label': `${voted ? t('public.voted') : t('public.vote')} (${q.votes ?? 0})`,
      onclick: () => vote(q.id),
    }, icon('thumb'), h('span', { class: 'vote-count', testid: 'public-question-votes' }, String(q.votes ?? 0)));
    return h('li', {
      class: ['question', 'public-item', q.status === 'on_air' ? 'is-on-air' : null],
      testid: 'public-question',
      dataset: { questionId: q.id, status: q.status },
    },
    h('div', { class: 'question-head' },
      questionMeta(q),
      q.status === 'on_air' || q.status === 'answered' ? statusBadge(q.status, 'public-question-status') : null),
    h('div', { class: 'question-body' },
      h('p', { class: 'question-text', testid: 'public-question-text' }, q.text || ''),
      button));
  });
  ui.publicList.replaceChildren(...items);
  ui.publicEmpty.hidden = items.length > 0;
  const message = state.publicMessage;
  ui.publicMessage.hidden = !message;
  ui.publicMessage.textContent = message ? t(message.key, message.vars) : '';
}

// Items are kept by id and rebuilt only when their line (or the language)
// changes, so that a new line is one insertion for a screen reader, not a
// new list.
const liveItems = new Map(); // id → {key, el}

function renderLiveText() {
  const seen = new Set();
  const items = state.liveLines.map((line) => {
    seen.add(line.id);
    const key = JSON.stringify([line, liveSpeaker(line)]);
    const cached = liveItems.get(line.id);
    if (cached && cached.key === key) return cached.el;
    const el = liveTextItem(line);
    liveItems.set(line.id, { key, el });
    return el;
  });
  for (const id of [...liveItems.keys()]) {
    if (!seen.has(id)) liveItems.delete(id);
  }
  let index = 0;
  for (const item of items) {
    const current = ui.liveBlogList.children[index];
    if (current !== item) ui.liveBlogList.insertBefore(item, current || null);
    index += 1;
  }
  while (ui.liveBlogList.children.length > items.length) ui.liveBlogList.lastElementChild.remove();
  ui.liveBlogEmpty.hidden = items.length > 0;
  ui.liveBlog.dataset.loaded = state.liveLoaded ? 'true' : 'false';
}

function liveTextItem(line) {
  const question = line.kind === 'question';
  return h('li', {
    class: ['live-line', question ? 'live-line-question' : null],
    testid: 'live-text-line',
    dataset: { lineId: line.id, speaker: line.speaker, kind: line.kind },
  },
  h('div', { class: 'live-line-head' },
    h('time', { class: 'live-line-time', testid: 'live-text-line-time' }, timecode(line.start_ms)),
    h('span', { class: 'live-line-speaker', testid: 'live-text-line-speaker' }, liveSpeaker(line))),
  h('p', { class: 'live-line-text', testid: 'live-text-line-text' }, line.text || ''));
}

function vote(questionId) {
  if (state.voted.has(questionId)) return;
  const requestId = socket.send({ type: 'question.vote', question: questionId });
  if (requestId === null) return;
  state.voteRequests.set(requestId, questionId);
  renderPublic();
}

// ---------------------------------------------------------------------------
// The live video (program_player.js).

function setVideoState(next) {
  ui.videoStatus.hidden = next === 'playing';
  ui.videoStatus.dataset.i18n = next === 'unsupported' ? 'video.unsupported' : 'video.soon';
  ui.videoStatus.textContent = t(ui.videoStatus.dataset.i18n);
  const live = next === 'playing';
  ui.live.dataset.live = live ? 'true' : 'false';
  ui.liveText.dataset.i18n = live ? 'viewer.live' : 'viewer.not_live';
  ui.liveText.textContent = t(ui.liveText.dataset.i18n);
}

const player = new ProgramPlayer(ui.video, setVideoState);

// ---------------------------------------------------------------------------
// Start.

mountLangToggle($('lang-toggle'));
onLangChange(() => {
  renderAll();
  setVideoState(player.state);
});
applyStatic();
setVideoState('soon');
renderAll();
socket.connect();
player.start();
