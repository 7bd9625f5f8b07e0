// Typist page (速记) for the live text: log in with the typist token, pick
// the speaker with F1…Fn, type what is said and press Enter. The studio
// stores the line, times it on the show timeline (from the first keystroke
// to the commit) and shows it on the viewer page at once. Lines can be
// corrected or deleted here; the viewers see that too. The protocol is
// assets/protocol.md, "Live transcript".
//
// This module wires the page: the studio connection, the commands, the
// keyboard (keys.js names the keys), the record's scrolling. What the page
// knows is state.js, changed only by its pure functions; view.js draws it.

import { applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import { StudioSocket, sessionGet, sessionSet, localGet, localSet } from '../common.js';
import { Msg, Role } from '../protocol.js';
import {
  initialState, connectionChanged, helloSent, loginSubmitted, loggedOut, helloOk, helloRefusal, listReceived,
  lineReceived, replyReceived, editorAnswered, errorReceived, commandSent, speakerChosen, orderedLines,
  followChanged, draftChanged, lineToPublish, commitSent, inputErrorSet, editorOpened, editorClosed, editTextChanged,
  deleteAsked, editToSave, deleteToSend, editSent, editorError, maySend,
} from './state.js';
import { createView } from './view.js';
import { composeKey, promiseKey, speakerIndex } from './keys.js';
import { mountPromise } from './promise.js';

const kTokenKey = 'yst.typist_token'; // sessionStorage only
const kNameKey = 'yst.typist_name';
const kBottomSlackPx = 40; // this close to the end of the record counts as "at the end"

const view = createView({
  chooseSpeaker: (speaker) => {
    setSpeaker(speaker);
    ui.input.focus(); // Back to typing.
  },
  openEditor: (id) => openEditor(id),
  closeEditor: () => closeEditor(),
  leaveEditor: () => {
    if (state.editing && state.editing.confirmDelete) askDelete(false);
    else closeEditor();
  },
  editTextChanged: (text) => { state = editTextChanged(state, text); },
  saveEdit: () => saveEdit(),
  askDelete: (confirm) => askDelete(confirm),
  confirmDelete: () => confirmDelete(),
});
const { ui } = view;

let state = initialState({ token: sessionGet(kTokenKey), name: localGet(kNameKey) || '', draft: ui.input.value });

function render() {
  view.render(state);
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
  const hello = { type: Msg.HELLO, role: Role.TYPIST, token: state.token };
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
  view.forgetLines();
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
    case Msg.TRANSCRIPT_LIST:
      state = listReceived(state, message);
      render();
      break;
    case Msg.TRANSCRIPT_LINE:
    case Msg.TRANSCRIPT_UPDATED:
      state = lineReceived(state, message.line);
      render();
      break;
    case Msg.REPLY:
      onReply(message);
      break;
    case Msg.ERROR:
      onError(message);
      break;
    default:
      break; // Events for other roles, or newer than this page.
  }
}

function onHelloOk(message) {
  state = helloOk(state, message);
  if (!state.loggedIn) {
    showLoginRefused();
    return;
  }
  socket.send({ type: Msg.TRANSCRIPT_LIST });
  if (maySend(state, Msg.FOLLOWUP_DEPARTMENTS)) promise.signedIn();
  // The login form goes away; the text box takes the keyboard.
  if (ui.login.contains(document.activeElement)) document.activeElement.blur();
  render();
  if (!state.editing) ui.input.focus();
}

// The token was refused: it is forgotten, and the form asks again.
function showLoginRefused() {
  sessionSet(kTokenKey, null);
  render();
  ui.loginToken.focus();
}

// The promise bar (Alt+P) sends its own commands; their answers go back to it.
const promise = mountPromise(document, {
  send: (message) => socket.send(message),
  lastLine: () => orderedLines(state).at(-1) || null,
  done: () => ui.input.focus({ preventScroll: true }),
});

function onReply(message) {
  if (promise.reply(message)) return;
  state = replyReceived(state, message, performance.now());
  if (message.ok === false) return;
  if (editorAnswered(state, message)) {
    closeEditor();
    return;
  }
  render();
}

function onError(message) {
  if (promise.error(message)) return;
  const refused = helloRefusal(state, message) !== null;
  state = errorReceived(state, message);
  if (refused) showLoginRefused();
  else render();
}

function command(type, fields) {
  const requestId = socket.send({ type, ...fields });
  if (requestId === null) return null;
  state = commandSent(state, requestId, type, fields.line);
  return requestId;
}

// ---------------------------------------------------------------------------
// The text box and the speakers.

function setSpeaker(speaker) {
  const before = state;
  state = speakerChosen(state, speaker);
  if (state === before) return;
  view.renderSpeakers(state);
  view.renderCompose(state);
}

function publish() {
  const line = lineToPublish(state, performance.now());
  if (!line) return;
  state = line.error ? inputErrorSet(state, line.error) : commitSent(state, command(line.type, line.fields));
  view.renderCompose(state);
}

ui.input.addEventListener('input', () => {
  state = draftChanged(state, ui.input.value, performance.now());
  view.renderCompose(state);
});

ui.input.addEventListener('keydown', (event) => {
  switch (composeKey(event, state.draft)) {
    case 'publish':
      event.preventDefault();
      publish();
      break;
    case 'no_newline':
      event.preventDefault(); // A line never holds a line break.
      break;
    case 'edit_last': {
      const last = orderedLines(state).at(-1);
      if (last) {
        event.preventDefault();
        openEditor(last.id);
      }
      break;
    }
    case 'dismiss':
      if (state.inputError) {
        state = inputErrorSet(state, null);
        view.renderCompose(state);
      }
      break;
    default:
      break;
  }
});

// F1…Fn pick the speaker wherever the focus is; the browser's own meaning of
// those keys (help, reload…) must not fire during a show. F-keys beyond the
// speakers keep it.
document.addEventListener('keydown', (event) => {
  if (!state.loggedIn) return;
  if (promiseKey(event) && maySend(state, Msg.FOLLOWUP_COMMIT)) {
    event.preventDefault();
    promise.open();
    return;
  }
  const index = speakerIndex(event);
  const speaker = index === null ? null : state.speakers[index];
  if (!speaker) return;
  event.preventDefault();
  setSpeaker(speaker.speaker);
});

// ---------------------------------------------------------------------------
// Corrections.

function openEditor(id) {
  const before = state;
  state = editorOpened(state, id);
  if (state === before) return;
  render();
  const element = view.lineElement(id);
  if (!element) return;
  element.scrollIntoView({ block: 'nearest' });
  const input = element.querySelector('[data-testid="transcript-line-edit-input"]');
  if (input) {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
}

function closeEditor() {
  state = editorClosed(state);
  render();
  ui.input.focus({ preventScroll: true });
}

function saveEdit() {
  const edit = editToSave(state);
  if (!edit) return;
  if (edit.unchanged) {
    closeEditor(); // Nothing changed: no edit to record.
    return;
  }
  state = edit.error ? editorError(state, edit.error) : editSent(state, command(edit.type, edit.fields));
  render();
}

function askDelete(confirm) {
  if (!state.editing) return;
  state = deleteAsked(state, confirm);
  render();
  const element = view.lineElement(state.editing.id);
  const target = element && element.querySelector(confirm ? '[data-testid="transcript-line-delete-confirm"]'
                                                          : '[data-testid="transcript-line-edit-input"]');
  if (target) target.focus();
}

function confirmDelete() {
  const deletion = deleteToSend(state);
  if (!deletion) return;
  state = editSent(state, command(deletion.type, deletion.fields));
  render();
}

// ---------------------------------------------------------------------------
// The record follows new lines while it is scrolled to its end; once the
// typist scrolls up to read, it stays put and offers a way back.

ui.scroll.addEventListener('scroll', () => {
  const gap = ui.scroll.scrollHeight - ui.scroll.scrollTop - ui.scroll.clientHeight;
  state = followChanged(state, gap <= kBottomSlackPx);
  ui.jump.hidden = state.followLatest;
});

ui.jump.addEventListener('click', () => {
  state = followChanged(state, true);
  ui.scroll.scrollTop = ui.scroll.scrollHeight;
  ui.jump.hidden = true;
  ui.input.focus({ preventScroll: true });
});

// ---------------------------------------------------------------------------
// Start.

mountLangToggle(ui.langToggle);
onLangChange(() => {
  view.forgetLines(); // Every line's labels are in the old language.
  ui.lines.replaceChildren();
  render();
});
applyStatic();
ui.loginName.value = state.name;
render();
socket.connect();
