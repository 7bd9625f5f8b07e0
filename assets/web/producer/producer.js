// Producer console for audience questions: log in with the producer token,
// then moderate — approve, edit, reject, merge, order the queue, put a
// question on air and mark it answered — with the mouse or the keyboard.
// The protocol is assets/protocol.md, "Audience questions".
//
// This module wires the page: the studio connection, the commands, the
// keyboard (keys.js names the shortcuts), drag and drop. What the page knows
// is state.js, changed only by its pure functions; view.js draws it.

import { t, applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import { StudioSocket, sessionGet, sessionSet, localGet, localSet } from '../common.js';
import { Action, Limits, Msg, Role, actionCommand } from '../protocol.js';
import {
  initialState, connectionChanged, helloSent, loginSubmitted, loggedOut, helloOk, errorReceived,
  helloRefusal, replyReceived, questionsChanged, votesReceived, commandSent, requestFor, allowed, maySend,
  boardVisible, editMode, rejectMode, mergeMode, modeOpened, modeClosed, modeChanged, modeError, modeCommand,
  selected, selectedQuestion, steppedSelection, selectionShown, dragStarted, dragEnded, moveIndex, approvedQueue,
} from './state.js';
import { createView, actionName } from './view.js';
import { shortcut } from './keys.js';
import { mountGraphics } from './graphics.js';
import { mountFollowup } from './followup.js';
import { mountGuests } from './guests.js';

const kTokenKey = 'yst.producer_token'; // sessionStorage only
const kNameKey = 'yst.producer_name';

let state = initialState({ token: sessionGet(kTokenKey), name: localGet(kNameKey) || '' });

const view = createView({
  select: (id, focus) => select(id, focus),
  act: (name, q) => act(name, q),
  closeMode: (id) => closeMode(id),
  modeChanged: (id, change) => {
    const before = state.modes.get(id);
    state = modeChanged(state, id, change);
    const after = state.modes.get(id);
    // A reason found on this page went away with the fix: redraw without it.
    if (before && after && before.localProblem && !after.localProblem) render();
  },
  submitMode: (id) => submitMode(id),
  dragStart: (event, q) => onDragStart(event, q),
  dragEnd: (event) => onDragEnd(event),
});
const { ui } = view;

// The graphics panel keeps its own state (overlay.*); it sends through
// command() so that its errors are toasts like every other.
const graphics = mountGraphics(ui.graphics, { send: (type, fields) => command(type, fields) });

// The remote guests' panel (webrtc:// slots) sends through command() too;
// it shows only when the show has a slot, and only to a signed-in producer.
const guestsRoot = document.querySelector('[data-testid="guests-panel"]');
const guests = mountGuests(guestsRoot, {
  send: (type, fields) => command(type, fields),
  toast: (text, kind) => view.toast(text, kind),
});

// The 问政跟踪 panel sends its own commands; their answers come back to it.
const followupRoot = document.querySelector('[data-testid="followup-panel"]');
const followup = mountFollowup(followupRoot, {
  send: (type, fields) => {
    const requestId = socket.send({ type, ...fields });
    if (requestId === null) view.toast(t('conn.closed'), 'error');
    return requestId;
  },
  questions: () => state.questions,
  onAir: () => (state.onAir ? state.onAir.id : null),
  toast: (text) => view.toast(text, 'error'),
});

function render() {
  if (boardVisible(state)) state = selectionShown(state);
  view.render(state);
  followupRoot.hidden = !boardVisible(state);
  if (boardVisible(state)) followup.render();
}

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
    state = connectionChanged(state, connection);
    render();
  },
});

function sayHello() {
  const hello = { type: Msg.HELLO, role: Role.PRODUCER, token: state.token };
  if (state.name) hello.name = state.name;
  state = helloSent(state);
  socket.send(hello, { withId: false });
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.loginToken.value.trim();
  if (!token) {
    ui.loginToken.focus();
    return;
  }
  state = loginSubmitted(state, { token, name: ui.loginName.value.trim() });
  sessionSet(kTokenKey, token);
  localSet(kNameKey, state.name);
  ui.loginToken.value = '';
  if (socket.isOpen()) sayHello();
  render();
});

ui.logout.addEventListener('click', () => {
  state = loggedOut(state);
  sessionSet(kTokenKey, null);
  view.forgetCards();
  graphics.update(null);
  guests.status(null);
  // A fresh connection has no role: nothing more reaches this page.
  socket.restart();
  render();
  ui.loginToken.focus();
});

function handleMessage(message) {
  switch (message.type) {
    case Msg.HELLO_OK:
      onHelloOk(message);
      break;
    case Msg.ERROR:
      onError(message);
      break;
    case Msg.REPLY:
      onReply(message);
      break;
    case Msg.QUESTIONS_CHANGED:
      state = questionsChanged(state, message);
      render();
      break;
    case Msg.QUESTIONS_VOTES:
      state = votesReceived(state, message);
      render();
      break;
    case Msg.OVERLAY_CHANGED:
      graphics.update(message.overlay);
      break;
    case Msg.FOLLOWUP_CHANGED:
      followup.changed(message);
      break;
    case Msg.GUESTS_CHANGED:
      guests.changed(message);
      break;
    default:
      break; // Program, audio and destination events are for other consoles.
  }
}

function onHelloOk(message) {
  state = helloOk(state, message);
  if (!state.loggedIn) {
    showLoginRefused();
    return;
  }
  graphics.update(state.status && state.status.overlay);
  guests.status(state.status);
  followup.status(state.status);
  followup.signedIn();
  // The login form goes away; its field must not keep the keyboard.
  if (ui.login.contains(document.activeElement)) document.activeElement.blur();
  render();
}

// The token was refused: it is forgotten, and the form asks again.
function showLoginRefused() {
  sessionSet(kTokenKey, null);
  render();
  ui.loginToken.focus();
}

function onError(message) {
  if (helloRefusal(state, message)) {
    state = errorReceived(state, message, null);
    showLoginRefused();
    return;
  }
  const text = errorText(message, requestFor(state, message.id));
  state = errorReceived(state, message, text);
  view.toast(t('producer.error', { message: text }), 'error');
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
  const translated = t(key, { max: Limits.QUESTION_CHARS });
  if (translated !== key) return translated;
  return message.message ? `${code}: ${message.message}` : code;
}

function onReply(message) {
  if (typeof message.command === 'string' && message.command.startsWith('followup.')) {
    followup.reply(message);
    return;
  }
  state = replyReceived(state, message);
  if (message.ok === false) return;
  if (message.overlay && typeof message.overlay === 'object') graphics.update(message.overlay);
  if (typeof message.command === 'string' && message.command.startsWith('guests.')) guests.reply(message);
  if (message.command === Msg.QUESTION_UNDO) {
    view.toast(t('undo.done', { action: actionName(String(message.undone || '')) }), 'ok');
  }
  render();
}

// ---------------------------------------------------------------------------
// Commands.

function command(type, fields = {}) {
  const requestId = socket.send({ type, ...fields });
  if (requestId === null) {
    view.toast(t('conn.closed'), 'error');
    return null;
  }
  state = commandSent(state, requestId, type, fields.question);
  return requestId;
}

function undo() {
  if (maySend(state, Msg.QUESTION_UNDO)) command(Msg.QUESTION_UNDO);
}

function move(q, index) {
  command(actionCommand(Action.MOVE), { question: q.id, position: index });
}

// What a card's button (or its key) does with the question.
function act(name, q) {
  switch (name) {
    case Action.APPROVE:
    case Action.ON_AIR:
    case Action.OFF_AIR:
    case Action.ANSWERED:
      command(actionCommand(name), { question: q.id });
      break;
    case Action.EDIT:
      openMode(q, editMode(q));
      break;
    case Action.REJECT:
      openMode(q, rejectMode(q));
      break;
    case Action.MERGE:
      openMode(q, mergeMode(q));
      break;
    case 'merge_duplicate':
      command(actionCommand(Action.MERGE), { question: q.id, into: q.duplicate_of });
      break;
    default:
      break;
  }
}

function openMode(q, mode) {
  const before = state;
  state = modeOpened(state, q, mode);
  if (state === before) return; // Not allowed now.
  render();
  const card = view.cardElement(q.id);
  const target = card && card.querySelector('[data-autofocus]');
  if (target) {
    target.focus();
    if (target.tagName === 'TEXTAREA') target.setSelectionRange(target.value.length, target.value.length);
  }
}

function closeMode(id) {
  state = modeClosed(state, id);
  render();
  const card = view.cardElement(id);
  if (card) card.focus({ preventScroll: true });
}

// Save (or Ctrl+Enter, Enter in a form) sends the editor's command. An empty
// or over-long text, or a bad merge target, sends nothing and says why
// beside the editor: a disabled button alone does not tell a producer who
// pressed Ctrl+Enter what is wrong.
function submitMode(id) {
  const mode = state.modes.get(id);
  const outcome = modeCommand(state, id);
  if (!outcome) return;
  if (outcome.problem) {
    state = modeError(state, id, t(outcome.problem, { max: Limits.QUESTION_CHARS }), { local: outcome.local });
    render();
    return;
  }
  if (mode.kind === Action.EDIT) state = modeError(state, id, null);
  command(outcome.type, outcome.fields);
}

// ---------------------------------------------------------------------------
// Selection, keyboard, drag and drop.

function select(id, focus = true) {
  state = selected(state, id);
  render();
  const card = view.cardElement(id);
  if (card) {
    card.scrollIntoView({ block: 'nearest' });
    if (focus && !card.contains(document.activeElement)) card.focus({ preventScroll: true });
  }
}

function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

document.addEventListener('keydown', (event) => {
  if (!state.loggedIn || !boardVisible(state) || event.defaultPrevented) return;
  if (isTyping(event.target)) return; // Editors handle their own keys.
  const name = shortcut(event);
  if (!name) return;
  const q = selectedQuestion(state);
  if ((name === 'move_up' || name === 'move_down') && !q) return;
  event.preventDefault();
  switch (name) {
    case 'next':
    case 'previous': {
      const id = steppedSelection(state, name === 'next' ? 1 : -1);
      if (id !== null) select(id);
      break;
    }
    case 'move_up':
    case 'move_down': {
      const index = moveIndex(state, q, name === 'move_up' ? -1 : 1);
      if (index !== null) move(q, index);
      break;
    }
    case 'undo':
      undo();
      break;
    case 'escape':
      if (q && state.modes.has(q.id)) closeMode(q.id);
      else select(null, false);
      break;
    case Action.APPROVE:
    case Action.ON_AIR:
    case Action.OFF_AIR:
    case Action.ANSWERED:
      if (q && allowed(name, q)) act(name, q);
      break;
    default: // reject, edit, merge: their editor opens where its action is allowed
      if (q) act(name, q);
      break;
  }
});

function onDragStart(event, q) {
  state = dragStarted(state, q.id);
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData('text/plain', String(q.id));
  event.currentTarget.classList.add('dragging');
}

function onDragEnd(event) {
  state = dragEnded(state);
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
  const queue = approvedQueue(state);
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
  move(target.queue[target.from], target.to);
});

ui.undo.addEventListener('click', undo);

// ---------------------------------------------------------------------------
// Start.

mountLangToggle(ui.langToggle);
onLangChange(() => {
  view.forgetCards(); // Every card's text is in the old language.
  for (const list of Object.values(ui.lists)) list.replaceChildren();
  render();
});
applyStatic();
ui.loginName.value = state.name;
render();
socket.connect();
