// The host's monitor in a browser (/host/), for a host who sits apart from
// the control room: the program, the question on air in large type with who
// asked, the next three in the air queue, the show's elapsed and remaining
// time, and the producer's latest cue. Signed in with the host token (or
// the producer's); the studio sends host.state whenever any of it changes.
//
// This module wires the page: the studio connection, the login form, the
// program player and the clocks' timer. What the page knows is state.js,
// changed only by its pure functions; view.js draws it (and lists the
// selectors).

import { sessionGet, sessionSet, StudioSocket } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import { ProgramPlayer } from '../program_player.js';
import {
  initialState, connectionChanged, helloMessage, helloSent, loginSubmitted, messageReceived,
} from './state.js';
import { createView } from './view.js';

const kTokenKey = 'yst.host_token'; // sessionStorage only
const kClockTickMs = 250;

const view = createView();
const { ui } = view;

let state = initialState({ token: sessionGet(kTokenKey) });

function render() {
  view.render(state, performance.now());
}

const socket = new StudioSocket({
  staff: true,
  onOpen: () => {
    if (state.token) sayHello();
    render();
  },
  onMessage: (message) => {
    const before = state;
    state = messageReceived(state, message, performance.now());
    if (state === before) return;
    // A refused token is forgotten: the form asks again.
    if (before.token && !state.token) sessionSet(kTokenKey, null);
    render();
  },
  onState: (connection) => {
    state = connectionChanged(state, connection);
    render();
  },
});

function sayHello() {
  state = helloSent(state);
  socket.send(helloMessage(state), { withId: false });
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.token.value.trim();
  if (!token) return;
  state = loginSubmitted(state, token);
  sessionSet(kTokenKey, token);
  ui.token.value = '';
  if (socket.isOpen()) sayHello();
  render();
});

const player = new ProgramPlayer(ui.video, view.renderVideo);

applyStatic();
mountLangToggle(ui.langToggle);
onLangChange(render);
setInterval(() => view.renderClocks(state, performance.now()), kClockTickMs);
socket.connect();
player.start();
render();
if (!state.token) ui.token.focus();
