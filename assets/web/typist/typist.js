// Typist page (速记) for the live text: log in with the typist token, pick
// the speaker with F1…Fn, type what is said and press Enter. The studio
// stores the line, times it on the show timeline (from the first keystroke
// to the commit) and shows it on the viewer page at once. Lines can be
// corrected or deleted here; the viewers see that too.
//
// The studio is the single source of truth: every (re)connect says hello and
// asks for transcript.list, which rebuilds the record; after that
// transcript.line and transcript.updated (from every typist and producer,
// this one included) replace lines by id. Replies to our own commands carry
// the line too and are applied the same way. The protocol is
// assets/protocol.md, "Live transcript".
//
// Keyboard first: the text box keeps the focus; Enter publishes, F1…Fn switch
// the speaker, ↑ in an empty box corrects the last line, Esc leaves a
// correction. Line elements are kept by id and rebuilt only when their line
// or their editor's mode changes, so a correction being typed is not
// interrupted by lines arriving.

import { t, applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import {
  h, codePoints, clockTime, timecode, StudioSocket, ConnState, sessionGet, sessionSet, localGet, localSet,
  retrySeconds,
} from '../common.js';

const kTokenKey = 'yst.typist_token'; // sessionStorage only
const kNameKey = 'yst.typist_name';
const kMaxChars = 1000;
const kMaxTypingMs = 600000;
const kMaxNameChars = 24;
const kBottomSlackPx = 40; // this close to the end of the record counts as "at the end"
const kErrorCodes = ['empty', 'too_long', 'busy', 'forbidden', 'invalid', 'not_found', 'bad_message',
                     'rate_limited'];

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  showTitle: $('typist-show-title'),
  conn: $('typist-conn'),
  connText: document.querySelector('[data-testid="typist-conn"] .conn-text'),
  user: $('typist-user'),
  logout: $('typist-logout'),
  login: $('typist-login'),
  loginForm: $('typist-login-form'),
  loginToken: $('typist-token'),
  loginName: $('typist-name'),
  loginError: $('typist-login-error'),
  loginSubmit: $('typist-login-submit'),
  desk: $('typist-desk'),
  speakers: $('typist-speakers'),
  current: $('typist-current'),
  input: $('typist-input'),
  count: $('typist-count'),
  hint: $('typist-hint'),
  sending: $('typist-sending'),
  error: $('typist-error'),
  lineCount: $('typist-line-count'),
  scroll: $('typist-scroll'),
  lines: $('typist-lines'),
  linesEmpty: $('typist-lines-empty'),
  jump: $('typist-jump'),
};

const state = {
  token: sessionGet(kTokenKey),
  name: localGet(kNameKey) || '',
  loggedIn: false,
  helloPending: false,
  listLoaded: false,
  loginError: null, // i18n key
  loginErrorVars: null,
  connection: ConnState.CONNECTING,
  title: '',
  speakers: [], // [{speaker, name, title}] from hello.ok
  speaker: null, // the active one
  lines: new Map(), // id → line (typist view), deleted ones left out
  typingStart: null, // performance.now() at the first keystroke of the line in the box
  commit: null, // {requestId, text, nextStart} while the studio stores the line sent
  inputError: null, // {key, vars}
  editing: null, // {id, text, confirmDelete, error, requestId}
  requests: new Map(), // request id → {type, line}
  followLatest: true, // the record scrolls with new lines until the typist scrolls up
};

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
      state.listLoaded = false;
      // Answers to requests on a closed socket never come; the text stays in
      // the box, to be sent again once reconnected.
      state.requests.clear();
      state.commit = null;
      if (state.editing) state.editing.requestId = null;
    }
    render();
  },
});

function sayHello() {
  const hello = { type: 'hello', role: 'typist', token: state.token };
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
  state.name = [...ui.loginName.value.trim()].slice(0, kMaxNameChars).join('');
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
  state.lines.clear();
  state.editing = null;
  lineCache.clear();
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
    case 'transcript.list':
      onList(message);
      break;
    case 'transcript.line':
    case 'transcript.updated':
      upsertLine(message.line);
      render();
      break;
    case 'reply':
      onReply(message);
      break;
    case 'error':
      onError(message);
      break;
    default:
      break; // Events for other roles, or newer than this page.
  }
}

function onHelloOk(message) {
  state.helloPending = false;
  if (message.role !== 'typist') {
    loginRefused(); // The studio did not make us a typist.
    return;
  }
  state.loggedIn = true;
  state.loginError = null;
  state.title = typeof message.title === 'string' ? message.title : '';
  setSpeakers(message.speakers);
  socket.send({ type: 'transcript.list' });
  // The login form goes away; the text box takes the keyboard.
  if (ui.login.contains(document.activeElement)) document.activeElement.blur();
  render();
  if (!state.editing) ui.input.focus();
}

function loginRefused(key = 'typist.login.forbidden', vars = null) {
  state.loggedIn = false;
  state.token = null;
  sessionSet(kTokenKey, null);
  state.loginError = key;
  state.loginErrorVars = vars;
  render();
  ui.loginToken.focus();
}

function onList(message) {
  state.lines.clear();
  for (const line of Array.isArray(message.lines) ? message.lines : []) upsertLine(line);
  if (Array.isArray(message.speakers)) setSpeakers(message.speakers);
  if (state.editing && !state.lines.has(state.editing.id)) state.editing = null;
  state.listLoaded = true;
  state.followLatest = true;
  render();
}

// The speakers in F-key order. The active one is kept across reconnects;
// the first time it is the first guest: the guests say the most.
function setSpeakers(list) {
  if (!Array.isArray(list)) return;
  state.speakers = list.filter((s) => s && typeof s.speaker === 'string' && s.speaker);
  if (!state.speakers.some((s) => s.speaker === state.speaker)) {
    const guest = state.speakers.find((s) => s.speaker.startsWith('guest'));
    state.speaker = (guest || state.speakers[0] || { speaker: null }).speaker;
  }
}

function setSpeaker(speaker) {
  if (!state.speakers.some((s) => s.speaker === speaker)) return;
  state.speaker = speaker;
  renderSpeakers();
  renderCompose();
}

function upsertLine(line) {
  if (!line || typeof line !== 'object' || line.id === undefined) return;
  if (line.deleted) {
    state.lines.delete(line.id);
    if (state.editing && state.editing.id === line.id) state.editing = null;
  } else {
    state.lines.set(line.id, line);
  }
}

function onReply(message) {
  const request = message.id !== undefined ? state.requests.get(message.id) : undefined;
  if (request) state.requests.delete(message.id);
  if (message.ok === false) return;
  if (message.line) upsertLine(message.line);
  if (state.commit && message.id === state.commit.requestId) {
    takeCommittedText();
    state.followLatest = true; // The typist wants to see the line just sent.
  }
  if (state.editing && message.id === state.editing.requestId) {
    closeEditor();
    return;
  }
  render();
}

// The line is stored: it leaves the box. Whatever was typed after Enter
// stays, timed from its own first keystroke.
function takeCommittedText() {
  const { text, nextStart } = state.commit;
  state.commit = null;
  state.inputError = null;
  const value = ui.input.value;
  const rest = value.startsWith(text) ? value.slice(text.length).replace(/^\s+/, '') : value;
  ui.input.value = rest;
  state.typingStart = rest === '' ? null : nextStart ?? performance.now();
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
    // The token was not looked at (too many wrong ones from this address).
    state.helloPending = false;
    loginRefused('typist.login.too_many', { n: retrySeconds(message) });
    return;
  }
  const problem = { key: errorKey(message.code), vars: { max: kMaxChars, code: String(message.code) } };
  if (state.commit && message.id === state.commit.requestId) {
    // Not stored: the text stays in the box, with the reason under it.
    state.commit = null;
    state.inputError = problem;
  } else if (state.editing && message.id === state.editing.requestId) {
    state.editing.requestId = null;
    state.editing.error = problem;
    if (message.code === 'not_found') {
      // Someone deleted it meanwhile.
      state.lines.delete(state.editing.id);
      state.editing = null;
      state.inputError = problem;
    }
  } else {
    state.inputError = problem; // Not tied to a request of ours (a flood warning…).
  }
  render();
}

function errorKey(code) {
  return kErrorCodes.includes(code) ? `typist.error.${code}` : 'typist.error.unknown';
}

function command(type, fields) {
  const requestId = socket.send({ type, ...fields });
  if (requestId === null) return null;
  state.requests.set(requestId, { type, line: fields.line });
  return requestId;
}

// ---------------------------------------------------------------------------
// The text box.

// A line is one paragraph: pasted line breaks become spaces (the studio would
// fold them too).
function oneLine(text) {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

function textProblem(text) {
  if (text.trim() === '') return 'empty';
  if (codePoints(text) > kMaxChars) return 'too_long';
  return null;
}

function publish() {
  if (state.commit) return; // One at a time: the box holds it until the studio answers.
  const text = oneLine(ui.input.value);
  const problem = textProblem(text);
  if (problem) {
    state.inputError = { key: errorKey(problem), vars: { max: kMaxChars } };
    renderCompose();
    return;
  }
  const elapsed = state.typingStart === null ? 0 : Math.round(performance.now() - state.typingStart);
  const typingMs = Math.min(kMaxTypingMs, Math.max(0, elapsed));
  const requestId = state.loggedIn && state.speaker
    ? command('transcript.commit', { speaker: state.speaker, text, typing_ms: typingMs })
    : null;
  if (requestId === null) {
    state.inputError = { key: 'typist.error.offline' };
    renderCompose();
    return;
  }
  state.commit = { requestId, text: ui.input.value, nextStart: null };
  state.inputError = null;
  renderCompose();
}

ui.input.addEventListener('input', () => {
  const value = ui.input.value;
  if (state.commit) {
    // Typing on while the line sent is being stored: that is the next line.
    if (state.commit.nextStart === null && value !== state.commit.text) state.commit.nextStart = performance.now();
  } else if (value === '') {
    state.typingStart = null;
  } else if (state.typingStart === null) {
    state.typingStart = performance.now();
  }
  if (state.inputError) state.inputError = null;
  renderCompose();
});

// An IME's Enter picks a candidate; it must not publish.
function composing(event) {
  return event.isComposing || event.keyCode === 229;
}

ui.input.addEventListener('keydown', (event) => {
  if (composing(event)) return;
  const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
  if (event.key === 'Enter') {
    event.preventDefault(); // A line never holds a line break; Shift+Enter does nothing.
    if (!event.shiftKey) publish();
  } else if (event.key === 'ArrowUp' && plain && ui.input.value === '') {
    const last = orderedLines().at(-1);
    if (last) {
      event.preventDefault();
      openEditor(last.id);
    }
  } else if (event.key === 'Escape' && state.inputError) {
    state.inputError = null;
    renderCompose();
  }
});

// F1…Fn pick the speaker wherever the focus is; the browser's own meaning of
// those keys (help, reload…) must not fire during a show. F-keys beyond the
// speakers keep it.
document.addEventListener('keydown', (event) => {
  if (!state.loggedIn || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const match = /^F(\d{1,2})$/.exec(event.key);
  if (!match) return;
  const speaker = state.speakers[Number(match[1]) - 1];
  if (!speaker) return;
  event.preventDefault();
  setSpeaker(speaker.speaker);
});

// ---------------------------------------------------------------------------
// Corrections.

function openEditor(id) {
  const line = state.lines.get(id);
  if (!line || (state.editing && state.editing.id === id)) return;
  state.editing = { id, text: line.text || '', confirmDelete: false, error: null, requestId: null };
  render();
  const element = lineElement(id);
  if (!element) return;
  element.scrollIntoView({ block: 'nearest' });
  const input = element.querySelector('[data-testid="transcript-line-edit-input"]');
  if (input) {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
}

function closeEditor() {
  state.editing = null;
  render();
  ui.input.focus({ preventScroll: true });
}

function saveEdit() {
  const editing = state.editing;
  if (!editing || editing.requestId !== null) return;
  const text = oneLine(editing.text);
  const problem = textProblem(text);
  if (problem) {
    editing.error = { key: errorKey(problem), vars: { max: kMaxChars } };
    render();
    return;
  }
  const line = state.lines.get(editing.id);
  if (line && line.text === text) {
    closeEditor(); // Nothing changed: no edit to record.
    return;
  }
  editing.requestId = command('transcript.edit', { line: editing.id, text });
  editing.error = editing.requestId === null ? { key: 'typist.error.offline' } : null;
  render();
}

function askDelete(confirm) {
  if (!state.editing) return;
  state.editing.confirmDelete = confirm;
  state.editing.error = null;
  render();
  const element = lineElement(state.editing.id);
  const target = element && element.querySelector(confirm ? '[data-testid="transcript-line-delete-confirm"]'
                                                          : '[data-testid="transcript-line-edit-input"]');
  if (target) target.focus();
}

function confirmDelete() {
  const editing = state.editing;
  if (!editing || editing.requestId !== null) return;
  editing.requestId = command('transcript.delete', { line: editing.id });
  editing.error = editing.requestId === null ? { key: 'typist.error.offline' } : null;
  render();
}

// ---------------------------------------------------------------------------
// Rendering.

function orderedLines() {
  return [...state.lines.values()].sort((a, b) => (a.start_ms ?? 0) - (b.start_ms ?? 0) || a.id - b.id);
}

function speakerOf(id) {
  return state.speakers.find((s) => s.speaker === id) || null;
}

// The speaker as this page's language says it: the studio names question
// lines and the narration in Chinese.
function speakerLabel(line) {
  if (line.kind === 'question' || line.speaker === 'question') return t('transcript.question_speaker');
  if (line.speaker === 'narration') return t('transcript.narration');
  const known = speakerOf(line.speaker);
  return line.speaker_name || (known && known.name) || String(line.speaker || '');
}

function personName(speaker) {
  if (!speaker) return '';
  if (speaker.speaker === 'narration') return t('transcript.narration');
  return speaker.name || speaker.speaker;
}

function render() {
  renderChrome();
  if (!deskVisible()) return;
  renderSpeakers();
  renderCompose();
  renderLines();
}

function deskVisible() {
  return Boolean(state.token) && !state.loginError;
}

function renderChrome() {
  const visible = deskVisible();
  // For tests: logged in and the record loaded.
  if (state.loggedIn && state.listLoaded) document.body.dataset.hello = 'ok';
  else delete document.body.dataset.hello;
  ui.desk.hidden = !visible;
  ui.login.hidden = visible;
  ui.logout.hidden = !state.token;
  ui.user.hidden = !state.loggedIn;
  ui.user.textContent = state.name ? t('typist.user', { name: state.name }) : t('typist.user_anonymous');
  ui.loginError.hidden = !state.loginError;
  ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
  ui.loginSubmit.disabled = state.helloPending;
  ui.loginSubmit.textContent = state.helloPending && !visible ? t('login.waiting') : t('login.submit');
  ui.showTitle.textContent = state.title;
  if (state.title) document.title = `${t('typist.doc_title')} · ${state.title}`;

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
}

// The chips are rebuilt only when the speakers (or the language) change, so
// that a chip with the keyboard focus keeps it.
let chipsKey = '';

function renderSpeakers() {
  const key = JSON.stringify([state.speakers, document.documentElement.lang]);
  if (key !== chipsKey) {
    chipsKey = key;
    ui.speakers.replaceChildren(...state.speakers.map((speaker, index) => {
      const fkey = `F${index + 1}`;
      return h('button', {
        type: 'button',
        class: 'chip',
        testid: `typist-speaker-${speaker.speaker}`,
        dataset: { speaker: speaker.speaker },
        'aria-pressed': 'false',
        title: t('typist.speaker_key', { key: fkey, name: personName(speaker) }),
        onclick: () => {
          setSpeaker(speaker.speaker);
          ui.input.focus(); // Back to typing.
        },
      }, h('kbd', null, fkey), h('span', { class: 'chip-name' }, personName(speaker)),
      speaker.title ? h('span', { class: 'chip-title' }, speaker.title) : null);
    }));
  }
  for (const chip of ui.speakers.children) {
    const active = chip.dataset.speaker === state.speaker;
    chip.setAttribute('aria-pressed', active ? 'true' : 'false');
    chip.classList.toggle('active', active);
  }
}

function renderCompose() {
  const current = speakerOf(state.speaker);
  ui.current.textContent = t('typist.input_label', { name: personName(current) });
  ui.current.dataset.speaker = state.speaker || '';
  const count = codePoints(ui.input.value);
  ui.count.textContent = `${count}/${kMaxChars}`;
  ui.count.classList.toggle('over', count > kMaxChars);
  ui.hint.textContent = t('typist.hint', { n: Math.max(1, state.speakers.length) });
  ui.sending.hidden = !state.commit;
  ui.input.setAttribute('aria-busy', state.commit ? 'true' : 'false');
  const problem = state.inputError;
  ui.error.hidden = !problem;
  ui.error.textContent = problem ? t(problem.key, problem.vars) : '';
}

const lineCache = new Map(); // id → {key, el}

function lineElement(id) {
  const entry = lineCache.get(id);
  return entry && entry.el.isConnected ? entry.el : null;
}

function renderLines() {
  const follow = state.followLatest;
  const focus = rememberFocus();
  const lines = orderedLines();
  const seen = new Set();
  const elements = lines.map((line) => {
    seen.add(line.id);
    return lineFor(line);
  });
  syncChildren(ui.lines, elements);
  for (const id of [...lineCache.keys()]) {
    if (!seen.has(id)) lineCache.delete(id);
  }
  ui.linesEmpty.hidden = elements.length > 0 || !state.listLoaded;
  ui.lineCount.textContent = elements.length > 0 ? String(elements.length) : '';
  restoreFocus(focus);
  if (follow) ui.scroll.scrollTop = ui.scroll.scrollHeight;
  ui.jump.hidden = follow;
}

function lineFor(line) {
  const editing = state.editing && state.editing.id === line.id ? state.editing : null;
  const mode = editing ? [editing.confirmDelete, editing.error, editing.requestId !== null] : null;
  const key = JSON.stringify([line, speakerLabel(line), mode]);
  const cached = lineCache.get(line.id);
  if (cached && cached.key === key) return cached.el;
  const el = buildLine(line, editing);
  lineCache.set(line.id, { key, el });
  return el;
}

function buildLine(line, editing) {
  const item = h('li', {
    class: ['tline', line.kind === 'question' ? 'tline-question' : null, editing ? 'editing' : null],
    testid: 'transcript-line',
    dataset: { lineId: line.id, speaker: line.speaker, kind: line.kind },
    tabindex: '0',
    title: [line.by, clockTime(line.utc)].filter(Boolean).join(' · ') || null,
    onclick: () => openEditor(line.id),
    onkeydown: (event) => {
      if (event.key === 'Enter' && event.target === event.currentTarget) {
        event.preventDefault();
        openEditor(line.id);
      }
    },
  },
  h('time', { class: 'tc', testid: 'transcript-line-time' }, timecode(line.start_ms)),
  h('span', { class: 'who', testid: 'transcript-line-speaker' }, speakerLabel(line)),
  editing ? buildEditor(line, editing)
          : h('p', { class: 'text', testid: 'transcript-line-text' }, line.text || ''),
  line.edits > 0
    ? h('span', { class: 'edited', testid: 'transcript-line-edited',
                  title: t('typist.original', { text: line.original_text || '' }) }, t('typist.edited'))
    : null);
  return item;
}

function button(testid, label, handler, extraClass, disabled) {
  return h('button', {
    type: 'button',
    class: ['act', extraClass],
    testid,
    disabled,
    onclick: (event) => {
      event.stopPropagation();
      handler();
    },
  }, label);
}

function buildEditor(line, editing) {
  const pending = editing.requestId !== null;
  const input = h('textarea', {
    class: 'edit-input',
    testid: 'transcript-line-edit-input',
    rows: '2',
    spellcheck: 'false',
    'aria-label': t('typist.edit_label'),
  });
  input.value = editing.text;
  input.addEventListener('input', () => {
    editing.text = input.value;
  });
  input.addEventListener('keydown', (event) => {
    if (composing(event) || event.key !== 'Enter') return;
    event.preventDefault();
    if (!event.shiftKey) saveEdit();
  });
  const row = editing.confirmDelete
    ? [h('span', { class: 'confirm-text' }, t('typist.delete_question')),
       h('span', { class: 'spacer' }),
       button('transcript-line-delete-cancel', t('action.cancel'), () => askDelete(false)),
       button('transcript-line-delete-confirm', t('typist.delete_confirm'), confirmDelete, 'danger', pending)]
    : [h('span', { class: 'hint' }, t('typist.edit_hint')),
       h('span', { class: 'spacer' }),
       button('transcript-line-delete', t('typist.delete'), () => askDelete(true), 'danger-quiet', pending),
       button('transcript-line-cancel', t('action.cancel'), closeEditor),
       button('transcript-line-save', t('action.save'), saveEdit, 'good', pending)];
  return h('div', {
    class: 'editor',
    onclick: (event) => event.stopPropagation(),
    onkeydown: (event) => {
      if (event.key !== 'Escape' || composing(event)) return;
      event.preventDefault();
      event.stopPropagation();
      if (editing.confirmDelete) askDelete(false);
      else closeEditor();
    },
  },
  input,
  h('div', { class: 'editor-row' }, row),
  editing.error
    ? h('p', { class: 'editor-error', role: 'alert', testid: 'transcript-line-error' },
        t(editing.error.key, editing.error.vars))
    : null);
}

// Moves, inserts and removes children only where the order differs, so that
// unchanged lines (and an editor in one) stay where they are.
function syncChildren(list, elements) {
  let index = 0;
  for (const element of elements) {
    const current = list.children[index];
    if (current !== element) list.insertBefore(element, current || null);
    index += 1;
  }
  while (list.children.length > elements.length) list.lastElementChild.remove();
}

// A rebuilt line takes the focus with it; it goes back to the same control.
function rememberFocus() {
  const active = document.activeElement;
  const item = active instanceof Element ? active.closest('[data-testid="transcript-line"]') : null;
  if (!item) return null;
  return {
    element: active,
    id: Number(item.dataset.lineId),
    testid: active === item ? null : active.dataset.testid || null,
    start: typeof active.selectionStart === 'number' ? active.selectionStart : null,
    end: typeof active.selectionEnd === 'number' ? active.selectionEnd : null,
  };
}

function restoreFocus(focus) {
  if (!focus || focus.element.isConnected) return;
  const item = lineElement(focus.id);
  const target = item && (focus.testid ? item.querySelector(`[data-testid="${focus.testid}"]`) : item);
  if (!target) {
    if (!state.editing) ui.input.focus({ preventScroll: true });
    return;
  }
  target.focus({ preventScroll: true });
  if (focus.start !== null && typeof target.setSelectionRange === 'function') {
    try {
      target.setSelectionRange(focus.start, focus.end);
    } catch {
      // Not a text field after all.
    }
  }
}

// The record follows new lines while it is scrolled to its end; once the
// typist scrolls up to read, it stays put and offers a way back.
ui.scroll.addEventListener('scroll', () => {
  const gap = ui.scroll.scrollHeight - ui.scroll.scrollTop - ui.scroll.clientHeight;
  state.followLatest = gap <= kBottomSlackPx;
  ui.jump.hidden = state.followLatest;
});

ui.jump.addEventListener('click', () => {
  state.followLatest = true;
  ui.scroll.scrollTop = ui.scroll.scrollHeight;
  ui.jump.hidden = true;
  ui.input.focus({ preventScroll: true });
});

// ---------------------------------------------------------------------------
// Start.

mountLangToggle($('lang-toggle'));
onLangChange(() => {
  lineCache.clear(); // Every line's labels are in the old language.
  ui.lines.replaceChildren();
  render();
});
applyStatic();
ui.loginName.value = state.name;
render();
socket.connect();
