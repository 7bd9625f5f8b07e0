// The department desk (/dept/, 问政跟踪): a department opens its link
// (/d/<token> → /dept/#d=<token>), sees the questions forwarded to it and
// the promises it made on air, overdue first, and answers them here. Every
// reply is kept in every revision, and the citizens who asked see it at
// once on the viewer page and on the public tracker.
//
// The token is taken out of the address bar at once (kept in this tab's
// sessionStorage, so a reload still works) and sent only in the hello.
// state.js holds what the page knows, view.js draws it; this module wires
// the socket, the reader's actions and the language.

import { ConnState, StudioSocket, takeTokenFromHash } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange, t } from '../i18n.js';
import { Msg } from '../protocol.js';
import {
  initialState, helloMessage, helloOk, helloRefused, noToken, listReceived, itemChanged, opened, historyReceived,
  draftChanged, writeSent, writeAnswered, disconnected,
} from './state.js';
import { createView } from './view.js';

const kTokenKey = 'yst.dept.token';


let state = initialState({ token: takeTokenFromHash('d', kTokenKey) });
// Requests on their way that are not writes: id → what to do with the answer.
const pending = new Map();

const view = createView({
  open: (id) => {
    state = opened(state, id);
    render();
    if (state.openId === id) askHistory(id);
  },
  // Typing only updates the state: the form is not drawn again under the cursor.
  draft: (id, text) => { state = draftChanged(state, id, text); },
  reply: (id, text) => write(id, { type: Msg.FOLLOWUP_REPLY, item: id, text }),
  progress: (id, progressState, text) => write(id, { type: Msg.FOLLOWUP_PROGRESS, item: id, state: progressState, text }),
  reassign: (id, reason) => write(id, { type: Msg.FOLLOWUP_REASSIGN_REQUEST, item: id, reason }),
});

function render() {
  view.render(state);
}

const socket = new StudioSocket({
  staff: false,
  onOpen: () => {
    if (!state.token) {
      state = noToken(state);
      render();
      return;
    }
    socket.send(helloMessage(state), { withId: false });
  },
  onMessage: (message) => receive(message),
  onState: (conn) => {
    if (conn !== ConnState.OPEN) {
      state = disconnected(state);
      pending.clear();
    }
    view.setConn(`conn.${conn}`);
    render();
  },
});

function askHistory(id) {
  ask({ type: Msg.FOLLOWUP_ITEM, item: id }, (m) => {
    if (m.type === Msg.REPLY) state = historyReceived(state, id, m.history);
  });
}

function ask(message, answer) {
  const id = socket.send(message);
  if (id !== null) pending.set(id, answer);
}

function write(itemId, message) {
  const id = socket.send(message);
  if (id === null) return;
  state = writeSent(state, id, itemId);
  render();
}

function receive(message) {
  if (message.type === Msg.HELLO_OK) {
    state = helloOk(state, message);
    ask({ type: Msg.FOLLOWUP_LIST }, (m) => {
      if (m.type === Msg.REPLY) state = listReceived(state, m);
    });
  } else if (message.type === Msg.ERROR && !('id' in message) && !state.signedIn) {
    state = helloRefused(state, message);
  } else if (message.type === Msg.FOLLOWUP_CHANGED) {
    state = itemChanged(state, message.item);
  } else if ('id' in message && pending.has(message.id)) {
    const answer = pending.get(message.id);
    pending.delete(message.id);
    answer(message);
  } else if ('id' in message) {
    const itemId = state.sending[message.id];
    state = writeAnswered(state, message.id, message);
    // The open item's history has a new entry: read it again.
    if (itemId !== undefined && itemId === state.openId && message.type === Msg.REPLY) askHistory(itemId);
  }
  render();
}

onLangChange(() => {
  document.title = t('dept.doc_title');
  view.forget();
  render();
});

applyStatic();
document.title = t('dept.doc_title');
mountLangToggle(view.ui.langToggle);
render();
socket.connect();
