// Producer console for audience questions: log in with the producer token,
// then moderate — approve, edit, reject, merge, order the queue, put a
// question on air and mark it answered — with the mouse or the keyboard.
//
// The studio is the single source of truth. hello.ok brings every question
// of the session; after that each `questions.changed` event (from any
// producer, this one included) replaces the listed questions by id and the
// board is drawn again from that state. Replies to our own commands carry the
// changed question too and are applied the same way. The protocol is
// assets/protocol.md, "Audience questions".
//
// Cards are kept by id and rebuilt only when their question or their local
// mode (editing, rejecting, merging) changes, so a producer typing an edit is
// not interrupted by other questions arriving.

import { t, applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import {
  h, icon, codePoints, clockTime, StudioSocket, ConnState, sessionGet, sessionSet, localGet, localSet,
  retrySeconds,
} from '../common.js';
import { mountGraphics } from './graphics.js';

const kTokenKey = 'yst.producer_token'; // sessionStorage only
const kNameKey = 'yst.producer_name';
const kMaxChars = 300;
const kRecentLimit = 40;
const kToastMs = 6000;
const kReasons = ['off_topic', 'duplicate', 'abusive', 'personal_info', 'spam', 'other'];
const kCategories = ['question', 'suggestion', 'complaint'];
const kStatuses = ['pending', 'approved', 'on_air', 'answered', 'rejected', 'merged'];

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  showTitle: $('producer-show-title'),
  conn: $('producer-conn'),
  connText: document.querySelector('[data-testid="producer-conn"] .conn-text'),
  counts: {
    pending: $('count-pending'),
    approved: $('count-approved'),
    on_air: $('count-on-air'),
    answered: $('count-answered'),
    rejected: $('count-rejected'),
    merged: $('count-merged'),
  },
  counters: $('counters'),
  help: $('help'),
  undo: $('undo'),
  user: $('producer-user'),
  logout: $('logout'),
  lastAction: $('last-action'),
  toast: $('producer-message'),
  login: $('login'),
  loginForm: $('login-form'),
  loginToken: $('login-token'),
  loginName: $('login-name'),
  loginError: $('login-error'),
  loginSubmit: $('login-submit'),
  board: $('board'),
  graphics: $('graphics'),
  lists: {
    pending: $('pending-list'),
    approved: $('approved-list'),
    onAir: $('onair-slot'),
    recent: $('recent-list'),
  },
};

const state = {
  token: sessionGet(kTokenKey),
  name: localGet(kNameKey) || '',
  loggedIn: false,
  helloPending: false,
  loginError: null, // i18n key
  loginErrorVars: null,
  connection: ConnState.CONNECTING,
  status: null,
  questions: new Map(), // id → producer view
  onAir: null,
  touched: new Map(), // id → sequence number of the last change seen, for "recent"
  touchSeq: 0,
  selectedId: null,
  modes: new Map(), // id → {kind: 'edit'|'reject'|'merge', text?, reason?, into?, error?}
  requests: new Map(), // request id → {type, question}
  dragId: null,
  lastAction: null, // {by, action, ids} of the last questions.changed
};

// The graphics panel keeps its own state (overlay.*); it sends through
// command() so that its errors are toasts like every other.
const graphics = mountGraphics(ui.graphics, { send: (type, fields) => command(type, fields) });

// ---------------------------------------------------------------------------
// Connection and login.

const socket = new StudioSocket({
  staff: true,
  onOpen: () => {
    if (state.token) sayHello();
    render();
  },
  onMessage: handleMessage,
  onState: (connection) => {
    state.connection = connection;
    if (connection !== ConnState.OPEN) {
      state.loggedIn = false;
      state.helloPending = false;
      state.requests.clear();
    }
    render();
  },
});

function sayHello() {
  const hello = { type: 'hello', role: 'producer', token: state.token };
  if (state.name) hello.name = state.name;
  state.helloPending = true;
  socket.send(hello, { withId: false });
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.loginToken.value.trim();
  if (!token) {
    ui.loginToken.focus();
    return;
  }
  state.token = token;
  state.name = [...ui.loginName.value.trim()].slice(0, 24).join('');
  sessionSet(kTokenKey, token);
  localSet(kNameKey, state.name);
  state.loginError = null;
  ui.loginToken.value = '';
  if (socket.isOpen()) sayHello();
  render();
});

ui.logout.addEventListener('click', () => {
  state.token = null;
  sessionSet(kTokenKey, null);
  state.loggedIn = false;
  state.questions.clear();
  state.onAir = null;
  state.modes.clear();
  state.selectedId = null;
  state.lastAction = null;
  cardCache.clear();
  graphics.update(null);
  // A fresh connection has no role: nothing more reaches this page.
  socket.restart();
  render();
  ui.loginToken.focus();
});

function handleMessage(message) {
  switch (message.type) {
    case 'hello.ok':
      onHelloOk(message);
      break;
    case 'error':
      onError(message);
      break;
    case 'reply':
      onReply(message);
      break;
    case 'questions.changed':
      onQuestionsChanged(message);
      break;
    case 'questions.votes':
      onVotes(message);
      break;
    case 'overlay.changed':
      graphics.update(message.overlay);
      break;
    default:
      break; // Program, audio and destination events are for other consoles.
  }
}

function onHelloOk(message) {
  state.helloPending = false;
  if (message.role !== 'producer') {
    // The studio did not make us a producer: treat as a refused token.
    loginRefused();
    return;
  }
  state.loggedIn = true;
  state.loginError = null;
  state.status = message.status || null;
  graphics.update(state.status && state.status.overlay);
  state.questions.clear();
  for (const question of Array.isArray(message.questions) ? message.questions : []) {
    state.questions.set(question.id, question);
  }
  state.onAir = message.on_air || null;
  // The login form goes away; its field must not keep the keyboard.
  if (ui.login.contains(document.activeElement)) document.activeElement.blur();
  // Modes for questions that are gone or can no longer be edited are dropped.
  for (const id of [...state.modes.keys()]) {
    if (!state.questions.has(id)) state.modes.delete(id);
  }
  render();
}

function loginRefused(key = 'login.forbidden', vars = null) {
  state.loggedIn = false;
  state.token = null;
  sessionSet(kTokenKey, null);
  state.loginError = key;
  state.loginErrorVars = vars;
  render();
  ui.loginToken.focus();
}

function onError(message) {
  const request = message.id !== undefined ? state.requests.get(message.id) : undefined;
  if (request) state.requests.delete(message.id);
  if (!request && state.helloPending && message.code === 'forbidden') {
    state.helloPending = false;
    loginRefused();
    return;
  }
  if (!request && state.helloPending &&
      (message.code === 'too_many_attempts' || message.code === 'rate_limited')) {
    // Too many wrong tokens from this address (or hellos on this
    // connection): the token was not looked at; try again after the wait.
    state.helloPending = false;
    loginRefused('login.too_many', { n: retrySeconds(message) });
    return;
  }
  const text = errorText(message, request);
  if (request && request.question !== undefined && state.modes.has(request.question)) {
    // Keep the editor open with the reason beside it.
    state.modes.get(request.question).error = text;
  }
  showToast(t('producer.error', { message: text }), 'error');
  render();
}

function errorText(message, request) {
  const code = String(message.code || '');
  // Graphics commands word the codes they share with questions their own way.
  if (request && request.type.startsWith('overlay.')) {
    const graphicsText = t(`graphics.error.${code}`);
    if (graphicsText !== `graphics.error.${code}`) return graphicsText;
  }
  const key = `producer.error.${code}`;
  const translated = t(key, { max: kMaxChars });
  if (translated !== key) return translated;
  return message.message ? `${code}: ${message.message}` : code;
}

function onReply(message) {
  const request = message.id !== undefined ? state.requests.get(message.id) : undefined;
  if (request) state.requests.delete(message.id);
  if (message.ok === false) return;
  if (message.command === 'questions.list' && Array.isArray(message.questions)) {
    state.questions.clear();
    for (const question of message.questions) state.questions.set(question.id, question);
    if ('on_air' in message) state.onAir = message.on_air || null;
  }
  if (message.question && typeof message.question === 'object') upsert(message.question);
  if (message.overlay && typeof message.overlay === 'object') graphics.update(message.overlay);
  if (request && request.question !== undefined) {
    const mode = state.modes.get(request.question);
    if (mode && request.type === modeCommand(mode.kind)) state.modes.delete(request.question);
  }
  if (message.command === 'question.undo') {
    const action = String(message.undone || '');
    const name = t(`action_name.${action}`);
    showToast(t('undo.done', { action: name === `action_name.${action}` ? action : name }), 'ok');
  }
  render();
}

function modeCommand(kind) {
  return { edit: 'question.edit', reject: 'question.reject', merge: 'question.merge' }[kind];
}

function onQuestionsChanged(message) {
  for (const question of Array.isArray(message.questions) ? message.questions : []) upsert(question);
  if ('on_air' in message) state.onAir = message.on_air || null;
  if (message.action) {
    state.lastAction = {
      by: message.by ? String(message.by) : '',
      action: String(message.action),
      ids: (Array.isArray(message.questions) ? message.questions : []).map((q) => q.id),
    };
  }
  render();
}

// New vote counts (gathered by the studio); not an action of anyone's.
function onVotes(message) {
  for (const entry of Array.isArray(message.questions) ? message.questions : []) {
    const question = entry && state.questions.get(entry.id);
    if (question && Number.isFinite(entry.votes)) state.questions.set(entry.id, { ...question, votes: entry.votes });
  }
  render();
}

// "小李 · 通过 · #12": who did what last, so that two producers see each other.
// New questions ("received") come from the audience or the hotline: the
// studio names no one ("viewers"), so neither does the line.
function renderLastAction() {
  const last = state.lastAction;
  ui.lastAction.hidden = !last;
  if (!last) return;
  const name = t(`action_name.${last.action}`);
  const ids = last.ids.slice(0, 4).map((id) => `#${id}`).join(' ') + (last.ids.length > 4 ? ' …' : '');
  const by = last.action === 'received' ? '' : last.by;
  ui.lastAction.textContent = [by, name === `action_name.${last.action}` ? last.action : name, ids]
    .filter(Boolean).join(' · ');
}

function upsert(question) {
  if (!question || question.id === undefined) return;
  const before = state.questions.get(question.id);
  state.questions.set(question.id, question);
  if (!before || before.status !== question.status) state.touched.set(question.id, ++state.touchSeq);
  if (state.onAir && state.onAir.id === question.id) {
    state.onAir = question.status === 'on_air' ? question : null;
  }
  // An editor whose command is no longer allowed closes.
  const mode = state.modes.get(question.id);
  // (A mode's kind, 'edit' | 'reject' | 'merge', is also the name of its action.)
  if (mode && !allowed(mode.kind, question)) state.modes.delete(question.id);
}

// Whether the studio lets the producer do `action` with the question now:
// each question comes with its allowed actions (the studio's one table of
// moves, protocol "Producer commands"), and the studio checks again.
function allowed(action, question) {
  return Boolean(question) && Array.isArray(question.actions) && question.actions.includes(action);
}

// ---------------------------------------------------------------------------
// Commands.

function command(type, fields = {}) {
  const requestId = socket.send({ type, ...fields });
  if (requestId === null) {
    showToast(t('conn.closed'), 'error');
    return null;
  }
  state.requests.set(requestId, { type, question: fields.question });
  return requestId;
}

const actions = {
  approve: (q) => command('question.approve', { question: q.id }),
  onAir: (q) => command('question.on_air', { question: q.id }),
  offAir: (q) => command('question.off_air', { question: q.id }),
  answered: (q) => command('question.answered', { question: q.id }),
  undo: () => command('question.undo'),
  move: (q, position) => command('question.move', { question: q.id, position }),
  mergeInto: (q, into) => command('question.merge', { question: q.id, into }),
  openEdit: (q) => openMode(q, { kind: 'edit', text: q.text || '' }),
  openReject: (q) => openMode(q, { kind: 'reject', reason: q.flags && q.flags.includes('duplicate') ? 'duplicate' : 'other' }),
  openMerge: (q) => openMode(q, { kind: 'merge', into: q.duplicate_of != null ? String(q.duplicate_of) : '' }),
};

function openMode(q, mode) {
  if (!allowed(mode.kind, q)) return;
  state.modes.set(q.id, mode);
  state.selectedId = q.id;
  render();
  const card = cardElement(q.id);
  const target = card && card.querySelector('[data-autofocus]');
  if (target) {
    target.focus();
    if (target.tagName === 'TEXTAREA') target.setSelectionRange(target.value.length, target.value.length);
  }
}

function closeMode(id) {
  state.modes.delete(id);
  render();
  const card = cardElement(id);
  if (card) card.focus({ preventScroll: true });
}

// Save (or Ctrl+Enter) on an empty or over-long text sends nothing and says
// why beside the editor: a disabled button alone does not tell a producer
// who pressed Ctrl+Enter what is wrong.
function saveEdit(q) {
  const mode = state.modes.get(q.id);
  if (!mode) return;
  const problem = editProblem(mode.text);
  if (problem) {
    mode.error = t(`producer.error.${problem}`, { max: kMaxChars });
    mode.localProblem = true;
    render();
    return;
  }
  mode.error = null;
  command('question.edit', { question: q.id, text: mode.text });
}

function confirmReject(q) {
  const mode = state.modes.get(q.id);
  if (!mode) return;
  command('question.reject', { question: q.id, reason: kReasons.includes(mode.reason) ? mode.reason : 'other' });
}

function confirmMerge(q) {
  const mode = state.modes.get(q.id);
  if (!mode) return;
  const into = Number(mode.into);
  if (!Number.isInteger(into) || into <= 0 || into === q.id) {
    mode.error = t('producer.merge_bad_target');
    render();
    return;
  }
  command('question.merge', { question: q.id, into });
}

function editProblem(text) {
  if (text.trim() === '') return 'empty';
  if (codePoints(text) > kMaxChars) return 'too_long';
  return null;
}

function moveBy(q, delta) {
  if (!allowed('move', q)) return;
  const queue = approvedQueue();
  const index = queue.findIndex((item) => item.id === q.id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= queue.length) return;
  actions.move(q, positionAt(queue, target));
}

// The position to send for "put it where queue[index] is now": question.move
// takes an index in the queue (0 = next to air); `position` on a question is
// only a sort key.
function positionAt(queue, index) {
  return index;
}

// ---------------------------------------------------------------------------
// Derived views.

function approvedQueue() {
  return [...state.questions.values()]
    .filter((q) => q.status === 'approved')
    .sort((a, b) => posOf(a) - posOf(b) || a.id - b.id);
}

function posOf(q) {
  return Number.isFinite(q.position) ? q.position : Number.MAX_SAFE_INTEGER;
}

function receivedOrder(a, b) {
  return (a.received_ms ?? 0) - (b.received_ms ?? 0) || a.id - b.id;
}

function columns() {
  const all = [...state.questions.values()];
  const pending = all.filter((q) => q.status === 'pending').sort(receivedOrder);
  const approved = approvedQueue();
  // The studio's on_air names the question; the map holds its latest copy.
  const named = state.onAir ? state.questions.get(state.onAir.id) || state.onAir : null;
  const onAir = named && named.status === 'on_air' ? named : all.find((q) => q.status === 'on_air') || null;
  const recent = all
    .filter((q) => q.status === 'answered' || q.status === 'rejected' || q.status === 'merged')
    .sort((a, b) => (state.touched.get(b.id) ?? 0) - (state.touched.get(a.id) ?? 0) ||
                    (b.answered_ms ?? b.received_ms ?? 0) - (a.answered_ms ?? a.received_ms ?? 0) ||
                    b.id - a.id)
    .slice(0, kRecentLimit);
  return { pending, approved, onAir: onAir ? [onAir] : [], recent };
}

// Cards in the order j/k walks them.
function selectionOrder() {
  const { pending, approved, onAir, recent } = columns();
  return [...pending, ...approved, ...onAir, ...recent];
}

// ---------------------------------------------------------------------------
// Rendering.

const cardCache = new Map(); // id → {key, el}

function cardElement(id) {
  const entry = cardCache.get(id);
  return entry && entry.el.isConnected ? entry.el : null;
}

function render() {
  renderChrome();
  if (!boardVisible()) return;
  const focus = rememberFocus();
  const view = columns();
  const seen = new Set();
  const place = (list, questions, variant) => {
    const elements = questions.map((q) => {
      seen.add(q.id);
      return cardFor(q, variant);
    });
    syncChildren(list, elements);
    list.nextElementSibling.hidden = elements.length > 0;
  };
  place(ui.lists.pending, view.pending, 'normal');
  queueRank = new Map(view.approved.map((q, index) => [q.id, index]));
  place(ui.lists.approved, view.approved, 'queue');
  place(ui.lists.onAir, view.onAir, 'large');
  place(ui.lists.recent, view.recent, 'normal');
  for (const id of [...cardCache.keys()]) {
    if (!seen.has(id)) cardCache.delete(id);
  }
  if (state.selectedId !== null && !seen.has(state.selectedId)) state.selectedId = null;
  for (const { el } of cardCache.values()) {
    const selected = Number(el.dataset.questionId) === state.selectedId;
    el.classList.toggle('selected', selected);
    el.setAttribute('aria-selected', selected ? 'true' : 'false');
  }
  restoreFocus(focus);
}

function boardVisible() {
  return Boolean(state.token) && !state.loginError;
}

function renderChrome() {
  const visible = boardVisible();
  if (state.loggedIn) document.body.dataset.hello = 'ok'; // for tests: logged in, board filled
  else delete document.body.dataset.hello;
  ui.board.hidden = !visible;
  ui.graphics.hidden = !visible;
  ui.login.hidden = visible;
  ui.counters.hidden = !visible;
  ui.help.hidden = !visible;
  ui.undo.hidden = !visible;
  ui.logout.hidden = !state.token;
  ui.user.hidden = !state.loggedIn;
  ui.user.textContent = state.name ? t('producer.user', { name: state.name }) : t('producer.user_anonymous');
  ui.undo.disabled = !state.loggedIn;
  ui.loginError.hidden = !state.loginError;
  ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
  ui.loginSubmit.disabled = state.helloPending;
  ui.loginSubmit.textContent = state.helloPending && !visible ? t('login.waiting') : t('login.submit');

  const title = state.status && state.status.show && state.status.show.title;
  ui.showTitle.textContent = title || '';

  let connKey = 'conn.connecting';
  let connState = 'connecting';
  if (state.connection === ConnState.CLOSED) {
    connKey = 'conn.closed';
    connState = 'closed';
  } else if (state.connection === ConnState.OPEN && (state.loggedIn || !state.token)) {
    connKey = 'conn.open';
    connState = 'open';
  }
  ui.conn.dataset.state = connState;
  ui.connText.textContent = t(connKey);

  const counts = Object.fromEntries(kStatuses.map((s) => [s, 0]));
  for (const q of state.questions.values()) {
    if (q.status in counts) counts[q.status] += 1;
  }
  for (const [status, node] of Object.entries(ui.counts)) node.textContent = String(counts[status]);
  renderLastAction();
}

// Moves, inserts and removes children only where the order differs, so that
// unchanged cards (and a focused editor in one) stay where they are.
function syncChildren(list, elements) {
  let index = 0;
  for (const element of elements) {
    const current = list.children[index];
    if (current !== element) list.insertBefore(element, current || null);
    index += 1;
  }
  while (list.children.length > elements.length) list.lastElementChild.remove();
}

function rememberFocus() {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const card = active.closest('[data-testid="question-card"]');
  if (!card) return null;
  return {
    element: active,
    id: Number(card.dataset.questionId),
    testid: active.dataset.testid || null,
    isCard: active === card,
    start: typeof active.selectionStart === 'number' ? active.selectionStart : null,
    end: typeof active.selectionEnd === 'number' ? active.selectionEnd : null,
  };
}

function restoreFocus(focus) {
  if (!focus || document.activeElement === focus.element) return;
  let target = focus.element.isConnected ? focus.element : null;
  if (!target) {
    const card = cardElement(focus.id);
    if (card) target = focus.isCard ? card : card.querySelector(`[data-testid="${focus.testid}"]`);
  }
  if (!target) return;
  target.focus({ preventScroll: true });
  if (focus.start !== null && typeof target.setSelectionRange === 'function') {
    try {
      target.setSelectionRange(focus.start, focus.end);
    } catch {
      // Not a text field after all.
    }
  }
}

// Place of each approved question in the air queue (0 = next), for the labels.
let queueRank = new Map();

function cardFor(q, variant) {
  const mode = state.modes.get(q.id);
  const rank = variant === 'queue' ? queueRank.get(q.id) : null;
  const key = JSON.stringify([q, variant, rank, mode ? { kind: mode.kind, error: mode.error || null } : null]);
  const cached = cardCache.get(q.id);
  if (cached && cached.key === key) return cached.el;
  const el = buildCard(q, variant, mode);
  cardCache.set(q.id, { key, el });
  return el;
}

function categoryLabel(category) {
  return kCategories.includes(category) ? t(`category.${category}`) : String(category || '');
}

function buildCard(q, variant, mode) {
  const flags = Array.isArray(q.flags) ? q.flags : [];
  const card = h('li', {
    class: ['qcard', `status-${q.status}`, variant === 'large' ? 'qcard-large' : null],
    testid: 'question-card',
    dataset: { questionId: q.id, status: q.status },
    tabindex: '0',
    'aria-selected': 'false',
    onclick: () => select(q.id, false),
  });

  if (variant === 'queue' && !mode) {
    card.draggable = true;
    card.addEventListener('dragstart', (event) => onDragStart(event, q));
    card.addEventListener('dragend', onDragEnd);
  }

  const head = h('div', { class: 'qcard-head' },
    h('span', { class: 'qid', testid: 'card-id' }, `#${q.id}`),
    variant === 'queue' && queueRank.has(q.id)
      ? h('span', { class: 'position' }, t('card.position', { n: queueRank.get(q.id) + 1 })) : null,
    h('span', { class: 'nickname', testid: 'card-nickname' }, q.nickname || t('anonymous')),
    q.observer ? h('span', { class: 'observer-tag', testid: 'card-observer' }, t('observer.badge', { name: q.observer })) : null,
    h('span', { class: ['category', `category-${q.category}`], testid: 'card-category' }, categoryLabel(q.category)),
    h('time', { class: 'time', datetime: q.received_utc || null, testid: 'card-time' }, clockTime(q.received_utc)),
    q.status === 'approved' || q.status === 'on_air' || (q.votes ?? 0) > 0
      ? h('span', { class: 'votes', testid: 'card-votes', title: t('card.votes', { n: q.votes ?? 0 }) },
          icon('thumb'), String(q.votes ?? 0)) : null);
  card.appendChild(head);

  if (mode && mode.kind === 'edit') {
    card.appendChild(buildEditor(q, mode));
  } else {
    const text = h('p', { class: 'qcard-text', testid: 'card-text' }, q.text || '');
    if (q.edited && q.original_text !== undefined) text.title = t('card.original', { text: q.original_text });
    card.appendChild(text);
  }

  if (q.edited) {
    card.appendChild(h('details', { class: 'original', testid: 'card-original' },
      h('summary', null, h('span', { class: 'edited-tag', testid: 'card-edited' }, t('card.edited')), ' · ',
        t('card.show_original')),
      h('p', { class: 'original-text', testid: 'card-original-text' }, q.original_text || ''),
      Array.isArray(q.edits) && q.edits.length > 0
        ? h('ol', { class: 'edit-history' }, q.edits.map((edit) =>
          h('li', null, h('span', { class: 'edit-meta' }, [clockTime(edit.utc), edit.by].filter(Boolean).join(' · ')),
            ' ', edit.text || '')))
        : null));
  }

  const flagRow = [];
  if (flags.includes('sensitive') || (Array.isArray(q.matched_words) && q.matched_words.length > 0)) {
    const words = Array.isArray(q.matched_words) ? q.matched_words.join('、') : '';
    flagRow.push(h('span', { class: 'flag flag-sensitive', testid: 'card-flag-sensitive' },
                   t('card.sensitive', { words })));
  }
  if (q.duplicate_of != null && q.duplicate_of !== q.id) {
    flagRow.push(h('span', { class: 'flag flag-duplicate', testid: 'card-flag-duplicate' },
      t('card.duplicate', { id: q.duplicate_of }),
      allowed('merge', q)
        ? h('button', { type: 'button', class: 'link', testid: 'action-merge-duplicate',
                        onclick: (e) => { e.stopPropagation(); actions.mergeInto(q, q.duplicate_of); } },
            t('card.merge_into_dup', { id: q.duplicate_of }))
        : null));
  }
  if (q.status === 'rejected' && q.reject_reason) {
    flagRow.push(h('span', { class: 'flag flag-reason', testid: 'card-reject-reason' },
      t('card.reject_reason', { reason: kReasons.includes(q.reject_reason) ? t(`reason.${q.reject_reason}`) : q.reject_reason })));
  }
  if (q.status === 'merged' && q.merged_into != null) {
    flagRow.push(h('span', { class: 'flag flag-merged', testid: 'card-merged-into' },
                   t('card.merged_into', { id: q.merged_into })));
  }
  if (flagRow.length > 0) card.appendChild(h('div', { class: 'flags' }, flagRow));

  if (mode && mode.kind === 'reject') card.appendChild(buildRejectForm(q, mode));
  if (mode && mode.kind === 'merge') card.appendChild(buildMergeForm(q, mode));
  if (mode && mode.error) card.appendChild(h('p', { class: 'mode-error', role: 'alert' }, mode.error));

  if (!mode) card.appendChild(buildActions(q));
  return card;
}

function actionButton(name, label, key, handler, extraClass) {
  return h('button', {
    type: 'button',
    class: ['act', `act-${name}`, extraClass],
    testid: `action-${name.replace(/_/g, '-')}`,
    title: key ? `${label} (${key})` : label,
    onclick: (event) => {
      event.stopPropagation();
      handler();
    },
  }, label, key ? h('kbd', null, key) : null);
}

function buildActions(q) {
  const buttons = [];
  if (allowed('approve', q)) buttons.push(actionButton('approve', t('action.approve'), 'A', () => actions.approve(q), 'good'));
  if (allowed('on_air', q)) buttons.push(actionButton('on_air', t('action.on_air'), 'O', () => actions.onAir(q), 'air'));
  if (allowed('off_air', q)) buttons.push(actionButton('off_air', t('action.off_air'), 'F', () => actions.offAir(q)));
  if (allowed('answered', q)) buttons.push(actionButton('answered', t('action.answered'), 'D', () => actions.answered(q), 'good'));
  if (allowed('edit', q)) buttons.push(actionButton('edit', t('action.edit'), 'E', () => actions.openEdit(q)));
  if (allowed('merge', q)) buttons.push(actionButton('merge', t('action.merge'), 'M', () => actions.openMerge(q)));
  if (allowed('reject', q)) buttons.push(actionButton('reject', t('action.reject'), 'R', () => actions.openReject(q), 'bad'));
  return h('div', { class: 'actions' }, buttons);
}

function buildEditor(q, mode) {
  const counter = h('span', { class: 'counter', testid: 'edit-counter' });
  const save = h('button', { type: 'button', class: ['act', 'good'], testid: 'edit-save',
                             onclick: (e) => { e.stopPropagation(); saveEdit(q); } }, t('action.save'));
  const sync = () => {
    const count = codePoints(mode.text);
    counter.textContent = `${count}/${kMaxChars}`;
    counter.classList.toggle('over', count > kMaxChars);
    save.disabled = Boolean(editProblem(mode.text));
  };
  const area = h('textarea', {
    class: 'edit-text', testid: 'edit-text', rows: '4', 'data-autofocus': '',
    'aria-label': t('action.edit'),
  });
  area.value = mode.text;
  area.addEventListener('input', () => {
    mode.text = area.value;
    sync();
    if (mode.localProblem && !editProblem(mode.text)) {
      // Fixed: the reason goes (the card is redrawn; the caret is kept).
      mode.error = null;
      mode.localProblem = false;
      render();
    }
  });
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveEdit(q);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      closeMode(q.id);
    }
  });
  area.addEventListener('click', (e) => e.stopPropagation());
  sync();
  return h('div', { class: 'editor' },
    area,
    h('div', { class: 'editor-row' },
      counter,
      h('span', { class: 'hint' }, t('edit.hint')),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'act', testid: 'edit-cancel',
                    onclick: (e) => { e.stopPropagation(); closeMode(q.id); } }, t('action.cancel')),
      save));
}

function buildRejectForm(q, mode) {
  const select = h('select', { class: 'reject-reason', testid: 'reject-reason', 'data-autofocus': '',
                               'aria-label': t('reject.reason') },
    kReasons.map((reason) => h('option', { value: reason, selected: reason === mode.reason }, t(`reason.${reason}`))));
  select.addEventListener('change', () => { mode.reason = select.value; });
  select.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      mode.reason = select.value;
      confirmReject(q);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      closeMode(q.id);
    }
  });
  select.addEventListener('click', (e) => e.stopPropagation());
  return h('div', { class: 'inline-form' },
    h('label', null, h('span', { class: 'field-label' }, t('reject.reason')), select),
    h('button', { type: 'button', class: ['act', 'bad'], testid: 'reject-confirm',
                  onclick: (e) => { e.stopPropagation(); mode.reason = select.value; confirmReject(q); } },
      t('action.confirm_reject')),
    h('button', { type: 'button', class: 'act', testid: 'reject-cancel',
                  onclick: (e) => { e.stopPropagation(); closeMode(q.id); } }, t('action.cancel')));
}

function buildMergeForm(q, mode) {
  const input = h('input', { type: 'number', min: '1', step: '1', class: 'merge-into', testid: 'merge-into',
                             'data-autofocus': '', inputmode: 'numeric', 'aria-label': t('merge.into') });
  input.value = mode.into || '';
  input.addEventListener('input', () => { mode.into = input.value; });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      mode.into = input.value;
      confirmMerge(q);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      closeMode(q.id);
    }
  });
  input.addEventListener('click', (e) => e.stopPropagation());
  return h('div', { class: 'inline-form' },
    h('label', null, h('span', { class: 'field-label' }, t('merge.into')), ' #', input),
    h('button', { type: 'button', class: ['act', 'good'], testid: 'merge-confirm',
                  onclick: (e) => { e.stopPropagation(); mode.into = input.value; confirmMerge(q); } },
      t('action.confirm_merge')),
    h('button', { type: 'button', class: 'act', testid: 'merge-cancel',
                  onclick: (e) => { e.stopPropagation(); closeMode(q.id); } }, t('action.cancel')));
}

// ---------------------------------------------------------------------------
// Toast.

let toastTimer = null;
function showToast(text, kind) {
  ui.toast.textContent = text;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, kToastMs);
}

// ---------------------------------------------------------------------------
// Selection, keyboard, drag and drop.

function select(id, focus = true) {
  state.selectedId = id;
  render();
  const card = cardElement(id);
  if (card) {
    card.scrollIntoView({ block: 'nearest' });
    if (focus && !card.contains(document.activeElement)) card.focus({ preventScroll: true });
  }
}

function selectedQuestion() {
  return state.selectedId === null ? null : state.questions.get(state.selectedId) || null;
}

function stepSelection(delta) {
  const order = selectionOrder();
  if (order.length === 0) return;
  const index = order.findIndex((q) => q.id === state.selectedId);
  const next = index < 0 ? (delta > 0 ? 0 : order.length - 1)
                         : Math.min(order.length - 1, Math.max(0, index + delta));
  select(order[next].id);
}

function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

document.addEventListener('keydown', (event) => {
  if (!state.loggedIn || !boardVisible() || event.defaultPrevented) return;
  if (isTyping(event.target)) return; // Editors handle their own keys.
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const q = selectedQuestion();

  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && key === 'z') {
    event.preventDefault();
    actions.undo();
    return;
  }
  if (event.ctrlKey || event.metaKey) return; // Leave the browser's shortcuts alone.

  if (event.altKey && (key === 'ArrowUp' || key === 'ArrowDown')) {
    if (q) {
      event.preventDefault();
      moveBy(q, key === 'ArrowUp' ? -1 : 1);
    }
    return;
  }
  if (event.altKey) return;

  const handlers = {
    j: () => stepSelection(1),
    ArrowDown: () => stepSelection(1),
    k: () => stepSelection(-1),
    ArrowUp: () => stepSelection(-1),
    u: () => actions.undo(),
    Escape: () => {
      if (q && state.modes.has(q.id)) closeMode(q.id);
      else select(null, false);
    },
    a: () => q && allowed('approve', q) && actions.approve(q),
    r: () => q && actions.openReject(q),
    e: () => q && actions.openEdit(q),
    m: () => q && actions.openMerge(q),
    o: () => q && allowed('on_air', q) && actions.onAir(q),
    f: () => q && allowed('off_air', q) && actions.offAir(q),
    d: () => q && allowed('answered', q) && actions.answered(q),
  };
  const handler = handlers[key];
  if (!handler || event.shiftKey) return;
  event.preventDefault();
  handler();
});

function onDragStart(event, q) {
  state.dragId = q.id;
  state.selectedId = q.id;
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData('text/plain', String(q.id));
  event.currentTarget.classList.add('dragging');
}

function onDragEnd(event) {
  state.dragId = null;
  event.currentTarget.classList.remove('dragging');
  clearDropMarks();
}

function clearDropMarks() {
  for (const node of ui.lists.approved.querySelectorAll('.drop-before, .drop-after')) {
    node.classList.remove('drop-before', 'drop-after');
  }
}

// Where a drop lands: onto a card → that card's place in the queue (the line
// shows above it when moving up, below it when moving down); onto the empty
// end of the list → last.
function dropTarget(event) {
  const queue = approvedQueue();
  const from = queue.findIndex((q) => q.id === state.dragId);
  if (from < 0) return null;
  const card = event.target instanceof Element ? event.target.closest('[data-testid="question-card"]') : null;
  let to = queue.length - 1;
  if (card && ui.lists.approved.contains(card)) {
    to = queue.findIndex((q) => q.id === Number(card.dataset.questionId));
  }
  if (to < 0) return null;
  return { queue, from, to, card: card && ui.lists.approved.contains(card) ? card : ui.lists.approved.lastElementChild };
}

ui.lists.approved.addEventListener('dragover', (event) => {
  if (state.dragId === null) return;
  const target = dropTarget(event);
  if (!target) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  clearDropMarks();
  if (target.card && target.to !== target.from) {
    target.card.classList.add(target.to < target.from ? 'drop-before' : 'drop-after');
  }
});

ui.lists.approved.addEventListener('dragleave', (event) => {
  if (!ui.lists.approved.contains(event.relatedTarget)) clearDropMarks();
});

ui.lists.approved.addEventListener('drop', (event) => {
  if (state.dragId === null) return;
  event.preventDefault();
  const target = dropTarget(event);
  clearDropMarks();
  if (!target || target.to === target.from) return;
  const q = target.queue[target.from];
  actions.move(q, positionAt(target.queue, target.to));
});

ui.undo.addEventListener('click', () => actions.undo());

// ---------------------------------------------------------------------------
// Start.

mountLangToggle($('lang-toggle'));
onLangChange(() => {
  cardCache.clear(); // Every card's text is in the old language.
  for (const list of Object.values(ui.lists)) list.replaceChildren();
  render();
});
applyStatic();
ui.loginName.value = state.name;
render();
socket.connect();
