// The department desk's state (/dept/, 问政跟踪) and the pure functions that
// change it: each takes the state and a message from the studio or the
// reader's action and returns a new state. No DOM, no socket: dept.js does
// those and view.js draws the state.
//
// A department signs in with its link's token (hello role "department"),
// sees its own open items (overdue first, then by due date) and the ones it
// closed, writes replies (a question) or reports progress (a commitment), and
// may ask the producers to give an item to another department. What it may
// send comes from the studio (hello.ok's commands), not from this file.

import { ErrorCode, Msg, Role } from '../protocol.js';

export const kMaxReplyChars = 1200;
export const kMaxProgressChars = 1000;
export const kMaxReasonChars = 200;

export function initialState({ token = null } = {}) {
  return {
    token,
    signedIn: false,
    department: null, // {id, name}
    commands: [],
    today: '',
    items: null, // as the studio sent them, in its order
    openId: 0, // the item whose form is open
    history: {}, // item id → its history, once asked for
    drafts: {}, // item id → the text being written
    sending: {}, // request id → item id, while a write is on its way
    errors: {}, // item id → {key, vars} of the last refusal
    notice: null, // {key, vars}: the page's own trouble (no token, refused)
  };
}

export function helloMessage(state) {
  return { type: Msg.HELLO, role: Role.DEPARTMENT, token: state.token || '' };
}

export function helloOk(state, message) {
  return {
    ...state,
    signedIn: true,
    department: message.department || null,
    commands: Array.isArray(message.commands) ? message.commands : [],
    today: message.today || state.today,
    notice: null,
  };
}

// A refused hello: the link is wrong, revoked or locked out for a while.
export function helloRefused(state, message) {
  if (message.code === ErrorCode.TOO_MANY_ATTEMPTS) {
    return { ...state, signedIn: false, notice: { key: 'dept.locked', vars: { n: message.retry_after_s || 60 } } };
  }
  return { ...state, signedIn: false, notice: { key: 'dept.bad_link' } };
}

export function noToken(state) {
  return { ...state, notice: { key: 'dept.no_link' } };
}

export function may(state, command) {
  return state.commands.includes(command);
}

export function listReceived(state, message) {
  return { ...state, items: Array.isArray(message.items) ? message.items : [], today: message.today || state.today };
}

// An item changed (a reply committed, the producers moved its due date or
// gave it to another department): replaced in place, or taken off the list
// when it is no longer this department's.
export function itemChanged(state, item) {
  if (!item || !state.items) return state;
  const ours = state.department && item.department && item.department.id === state.department.id;
  const present = state.items.some((i) => i.id === item.id);
  let items;
  if (!ours) items = state.items.filter((i) => i.id !== item.id);
  else if (present) items = state.items.map((i) => (i.id === item.id ? item : i));
  else items = [item, ...state.items];
  return { ...state, items };
}

export function opened(state, id) {
  return { ...state, openId: state.openId === id ? 0 : id };
}

export function historyReceived(state, id, history) {
  return { ...state, history: { ...state.history, [id]: Array.isArray(history) ? history : [] } };
}

export function draftChanged(state, id, text) {
  return { ...state, drafts: { ...state.drafts, [id]: text } };
}

// A write sent with request id `requestId` for item `id`.
export function writeSent(state, requestId, id) {
  const errors = { ...state.errors };
  delete errors[id];
  return { ...state, sending: { ...state.sending, [requestId]: id }, errors };
}

export function isSending(state, id) {
  return Object.values(state.sending).includes(id);
}

// The studio's answer to a write: the item as it now is (the draft is done
// with), or the refusal, shown at the item.
export function writeAnswered(state, requestId, message) {
  const id = state.sending[requestId];
  if (id === undefined) return state;
  const sending = { ...state.sending };
  delete sending[requestId];
  if (message.type === Msg.ERROR) {
    return { ...state, sending, errors: { ...state.errors, [id]: errorFor(message) } };
  }
  const drafts = { ...state.drafts };
  delete drafts[id];
  const next = itemChanged({ ...state, sending, drafts }, message.item);
  return { ...next, history: withoutKey(next.history, id) };
}

// The connection went: nothing in flight will be answered.
export function disconnected(state) {
  return { ...state, signedIn: false, sending: {} };
}

// What the items list shows: open ones first (overdue at the top, by due
// date), then the closed, as the studio ordered them.
export function openCount(state) {
  return (state.items || []).filter((i) => ['awaiting_reply', 'in_progress', 'overdue'].includes(i.status)).length;
}

export function overdueCount(state) {
  return (state.items || []).filter((i) => i.status === 'overdue').length;
}

function withoutKey(object, key) {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

function errorFor(message) {
  switch (message.code) {
    case ErrorCode.EMPTY: return { key: 'dept.error.empty' };
    case ErrorCode.TOO_LONG: return { key: 'dept.error.too_long' };
    case ErrorCode.NOT_FOUND: return { key: 'dept.error.not_found' };
    case ErrorCode.BUSY: return { key: 'dept.error.busy' };
    default: return { key: 'dept.error.other', vars: { reason: message.message || message.code || '' } };
  }
}
