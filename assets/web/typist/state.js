// The typist page's state and the pure functions that change it: each takes
// the state and a server message or a typist's action (and the time, where
// it matters: performance.now()) and returns a new state. No DOM, no
// socket, no timers: typist.js does those and view.js draws the state.
//
// The studio is the single source of truth: every (re)connect says hello and
// asks for transcript.list, which rebuilds the record; after that
// transcript.line and transcript.updated (from every typist and producer,
// this one included) replace lines by id. Replies to our own commands carry
// the line too and are applied the same way. The protocol is
// assets/protocol.md, "Live transcript".

import { ConnState, codePoints, retrySeconds } from '../common.js';
import { ErrorCode, Limits, Msg, Role } from '../protocol.js';

// Error codes the page words itself (typist.error.<code>).
const kErrorCodes = [ErrorCode.EMPTY, ErrorCode.TOO_LONG, ErrorCode.BUSY, ErrorCode.FORBIDDEN, ErrorCode.INVALID,
                     ErrorCode.NOT_FOUND, ErrorCode.BAD_MESSAGE, ErrorCode.RATE_LIMITED];
const kOffline = Object.freeze({ key: 'typist.error.offline' });

export function initialState({ token = null, name = '', draft = '' } = {}) {
  return {
    token,
    name,
    loggedIn: false,
    helloPending: false,
    listLoaded: false,
    loginError: null, // i18n key
    loginErrorVars: null,
    connection: ConnState.CONNECTING,
    commands: [], // what hello.ok says this role may send
    title: '',
    speakers: [], // [{speaker, name, title}] from hello.ok, in F-key order
    speaker: null, // the active one
    lines: new Map(), // id → line (typist view), deleted ones left out
    draft, // what is in the text box
    typingStart: null, // performance.now() at the first keystroke of the line in the box
    commit: null, // {requestId, text, nextStart} while the studio stores the line sent
    inputError: null, // {key, vars}
    editing: null, // {id, text, confirmDelete, error, requestId}
    requests: new Map(), // request id → {type, line}
    followLatest: true, // the record scrolls with new lines until the typist scrolls up
  };
}

// ---------------------------------------------------------------------------
// Connection and login.

export function connectionChanged(state, connection) {
  if (connection === ConnState.OPEN) return { ...state, connection };
  // Answers to requests on a closed socket never come; the text stays in
  // the box, to be sent again once reconnected.
  return {
    ...state,
    connection,
    loggedIn: false,
    helloPending: false,
    listLoaded: false,
    commands: [],
    requests: new Map(),
    commit: null,
    editing: state.editing ? { ...state.editing, requestId: null } : null,
  };
}

export function helloSent(state) {
  return { ...state, helloPending: true };
}

export function loginSubmitted(state, { token, name }) {
  return { ...state, token, name: [...name].slice(0, Limits.STAFF_NAME_CHARS).join(''), loginError: null };
}

export function loginRefused(state, key = 'typist.login.forbidden', vars = null) {
  return { ...state, loggedIn: false, helloPending: false, token: null, loginError: key, loginErrorVars: vars };
}

export function loggedOut(state) {
  return { ...state, token: null, loggedIn: false, commands: [], lines: new Map(), editing: null };
}

export function helloOk(state, message) {
  // A hello.ok for another role: the studio did not make us a typist.
  if (message.role !== Role.TYPIST) return loginRefused(state);
  return withSpeakers({
    ...state,
    helloPending: false,
    loggedIn: true,
    loginError: null,
    title: typeof message.title === 'string' ? message.title : '',
    commands: Array.isArray(message.commands) ? message.commands : [],
  }, message.speakers);
}

export function maySend(state, type) {
  return state.loggedIn && state.commands.includes(type);
}

// The desk shows while there is a token that was not refused.
export function deskVisible(state) {
  return Boolean(state.token) && !state.loginError;
}

// The login error an error answer to our hello means, or null: {key, vars}.
export function helloRefusal(state, message) {
  if ((message.id !== undefined && state.requests.has(message.id)) || !state.helloPending) return null;
  if (message.code === ErrorCode.FORBIDDEN) return { key: 'typist.login.forbidden', vars: null };
  if (message.code === ErrorCode.TOO_MANY_ATTEMPTS || message.code === ErrorCode.RATE_LIMITED) {
    // The token was not looked at (too many wrong ones from this address).
    return { key: 'typist.login.too_many', vars: { n: retrySeconds(message) } };
  }
  return null;
}

// ---------------------------------------------------------------------------
// The record.

// The speakers in F-key order. The active one is kept across reconnects;
// the first time it is the first guest: the guests say the most.
function withSpeakers(state, list) {
  if (!Array.isArray(list)) return state;
  const speakers = list.filter((s) => s && typeof s.speaker === 'string' && s.speaker);
  let speaker = state.speaker;
  if (!speakers.some((s) => s.speaker === speaker)) {
    const guest = speakers.find((s) => s.speaker.startsWith('guest'));
    speaker = (guest || speakers[0] || { speaker: null }).speaker;
  }
  return { ...state, speakers, speaker };
}

export function speakerChosen(state, speaker) {
  return state.speakers.some((s) => s.speaker === speaker) ? { ...state, speaker } : state;
}

export function speakerOf(state, id) {
  return state.speakers.find((s) => s.speaker === id) || null;
}

export function listReceived(state, message) {
  let next = { ...state, lines: new Map() };
  for (const line of Array.isArray(message.lines) ? message.lines : []) next = lineReceived(next, line);
  next = withSpeakers(next, message.speakers);
  if (next.editing && !next.lines.has(next.editing.id)) next = { ...next, editing: null };
  return { ...next, listLoaded: true, followLatest: true };
}

// A new or changed line replaces the one with its id; a deleted one goes
// (and its editor with it).
export function lineReceived(state, line) {
  if (!line || typeof line !== 'object' || line.id === undefined) return state;
  const lines = new Map(state.lines);
  if (!line.deleted) {
    lines.set(line.id, line);
    return { ...state, lines };
  }
  lines.delete(line.id);
  const editing = state.editing && state.editing.id === line.id ? null : state.editing;
  return { ...state, lines, editing };
}

export function orderedLines(state) {
  return [...state.lines.values()].sort((a, b) => (a.start_ms ?? 0) - (b.start_ms ?? 0) || a.id - b.id);
}

export function followChanged(state, followLatest) {
  return { ...state, followLatest };
}

// ---------------------------------------------------------------------------
// Requests, replies and errors.

export function commandSent(state, requestId, type, line) {
  const requests = new Map(state.requests);
  requests.set(requestId, { type, line });
  return { ...state, requests };
}

// A reply: its line is applied; the line sent from the box is stored and
// leaves it (whatever was typed after Enter stays, timed from its own first
// keystroke). An editor whose command this answers is closed by typist.js
// (editorAnswered), which gives the keyboard back to the box.
export function replyReceived(state, message, nowMs) {
  let next = state;
  if (message.id !== undefined && state.requests.has(message.id)) {
    const requests = new Map(state.requests);
    requests.delete(message.id);
    next = { ...next, requests };
  }
  if (message.ok === false) return next;
  if (message.line) next = lineReceived(next, message.line);
  if (next.commit && message.id === next.commit.requestId) {
    const { text, nextStart } = next.commit;
    const value = next.draft;
    const rest = value.startsWith(text) ? value.slice(text.length).replace(/^\s+/, '') : value;
    next = {
      ...next,
      commit: null,
      inputError: null,
      draft: rest,
      typingStart: rest === '' ? null : nextStart ?? nowMs,
      followLatest: true, // The typist wants to see the line just sent.
    };
  }
  return next;
}

// Whether a message answers the open editor's command.
export function editorAnswered(state, message) {
  return state.editing !== null && message.id === state.editing.requestId;
}

export function errorReceived(state, message) {
  const refusal = helloRefusal(state, message);
  if (refusal) return loginRefused(state, refusal.key, refusal.vars);
  let next = state;
  if (message.id !== undefined && state.requests.has(message.id)) {
    const requests = new Map(state.requests);
    requests.delete(message.id);
    next = { ...next, requests };
  }
  const problem = { key: errorKey(message.code), vars: { max: Limits.LINE_CHARS, code: String(message.code) } };
  if (next.commit && message.id === next.commit.requestId) {
    // Not stored: the text stays in the box, with the reason under it.
    return { ...next, commit: null, inputError: problem };
  }
  if (editorAnswered(next, message)) {
    if (message.code === ErrorCode.NOT_FOUND) {
      // Someone deleted it meanwhile.
      const lines = new Map(next.lines);
      lines.delete(next.editing.id);
      return { ...next, lines, editing: null, inputError: problem };
    }
    return { ...next, editing: { ...next.editing, requestId: null, error: problem } };
  }
  return { ...next, inputError: problem }; // Not tied to a request of ours (a flood warning…).
}

export function errorKey(code) {
  return kErrorCodes.includes(code) ? `typist.error.${code}` : 'typist.error.unknown';
}

// ---------------------------------------------------------------------------
// The text box.

// A line is one paragraph: pasted line breaks become spaces (the studio would
// fold them too).
export function oneLine(text) {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

function textProblem(text) {
  if (text.trim() === '') return ErrorCode.EMPTY;
  if (codePoints(text) > Limits.LINE_CHARS) return ErrorCode.TOO_LONG;
  return null;
}

// The typist typed: the line is timed from its first keystroke. Typing on
// while the line sent is being stored: that is the next line.
export function draftChanged(state, value, nowMs) {
  let next = { ...state, draft: value, inputError: null };
  if (state.commit) {
    if (state.commit.nextStart === null && value !== state.commit.text) {
      next = { ...next, commit: { ...state.commit, nextStart: nowMs } };
    }
  } else if (value === '') {
    next.typingStart = null;
  } else if (state.typingStart === null) {
    next.typingStart = nowMs;
  }
  return next;
}

// What Enter in the box sends: {type, fields}; {error} ({key, vars}) when it
// cannot; null while the last line is still being stored (one at a time:
// the box holds it until the studio answers).
export function lineToPublish(state, nowMs) {
  if (state.commit) return null;
  const text = oneLine(state.draft);
  const problem = textProblem(text);
  if (problem) return { error: { key: errorKey(problem), vars: { max: Limits.LINE_CHARS } } };
  if (!state.speaker || !maySend(state, Msg.TRANSCRIPT_COMMIT)) return { error: kOffline };
  const elapsed = state.typingStart === null ? 0 : Math.round(nowMs - state.typingStart);
  const typingMs = Math.min(Limits.TYPING_MS, Math.max(0, elapsed));
  return { type: Msg.TRANSCRIPT_COMMIT, fields: { speaker: state.speaker, text, typing_ms: typingMs } };
}

// The line went to the studio (requestId), or could not (null).
export function commitSent(state, requestId) {
  if (requestId === null) return { ...state, inputError: kOffline };
  return { ...state, commit: { requestId, text: state.draft, nextStart: null }, inputError: null };
}

export function inputErrorSet(state, inputError) {
  return { ...state, inputError };
}

// ---------------------------------------------------------------------------
// Corrections: one line at a time is open in an editor.

export function editorOpened(state, id) {
  const line = state.lines.get(id);
  if (!line || (state.editing && state.editing.id === id)) return state;
  return { ...state, editing: { id, text: line.text || '', confirmDelete: false, error: null, requestId: null } };
}

export function editorClosed(state) {
  return { ...state, editing: null };
}

export function editTextChanged(state, text) {
  return state.editing ? { ...state, editing: { ...state.editing, text } } : state;
}

// The editor asks (confirm) or stops asking whether to delete the line.
export function deleteAsked(state, confirm) {
  return state.editing ? { ...state, editing: { ...state.editing, confirmDelete: confirm, error: null } } : state;
}

// What saving the open editor does: {type, fields} to send; {unchanged} (it
// just closes: no edit to record); {error} when the text cannot be sent;
// null without an editor or while one command is on its way.
export function editToSave(state) {
  const editing = state.editing;
  if (!editing || editing.requestId !== null) return null;
  const text = oneLine(editing.text);
  const problem = textProblem(text);
  if (problem) return { error: { key: errorKey(problem), vars: { max: Limits.LINE_CHARS } } };
  const line = state.lines.get(editing.id);
  if (line && line.text === text) return { unchanged: true };
  return { type: Msg.TRANSCRIPT_EDIT, fields: { line: editing.id, text } };
}

// What confirming the deletion sends, or null.
export function deleteToSend(state) {
  const editing = state.editing;
  if (!editing || editing.requestId !== null) return null;
  return { type: Msg.TRANSCRIPT_DELETE, fields: { line: editing.id } };
}

// The editor's command went to the studio (requestId), or could not (null).
export function editSent(state, requestId) {
  if (!state.editing) return state;
  return { ...state, editing: { ...state.editing, requestId, error: requestId === null ? kOffline : null } };
}

export function editorError(state, error) {
  return state.editing ? { ...state, editing: { ...state.editing, error } } : state;
}
