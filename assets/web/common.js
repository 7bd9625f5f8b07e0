// Pieces the pages share: a DOM builder that only ever inserts text, the
// studio's WebSocket with reconnect back-off, and small text helpers.
//
// People's text (questions, nicknames, names) reaches the page only through
// h()'s string children and textContent; nothing here parses HTML.

// h('li', {class: 'card', dataset: {testid: 'x'}, onclick: fn}, 'text', child)
// Strings and numbers become text nodes; null/undefined/false are skipped;
// arrays are flattened.
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'innerHTML' || key === 'outerHTML') throw new Error('h(): text only');
      if (key === 'class') {
        node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key === 'dataset') {
        for (const [name, data] of Object.entries(value)) {
          if (data !== undefined && data !== null) node.dataset[name] = String(data);
        }
      } else if (key === 'testid') {
        node.setAttribute('data-testid', value);
      } else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else if (key === 'text') {
        node.textContent = String(value);
      } else if (key in node && typeof value !== 'string') {
        node[key] = value; // disabled, checked, value (non-string), draggable…
      } else if (key === 'value') {
        node.value = value;
      } else {
        node.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

// Makes list's children `elements`, in order, moving, inserting and removing
// only where the order differs: unchanged items (and a focused editor in
// one) stay where they are, and a new item is one insertion for a screen
// reader, not a new list.
export function syncChildren(list, elements) {
  let index = 0;
  for (const element of elements) {
    const current = list.children[index];
    if (current !== element) list.insertBefore(element, current || null);
    index += 1;
  }
  while (list.children.length > elements.length) list.lastElementChild.remove();
}

// Small inline icons, drawn as SVG so that they look the same where no emoji
// font is installed. The path data is fixed here; nothing from outside.
const kIconPaths = {
  // Thumbs up (Material Icons "thumb_up", Apache 2.0).
  thumb: 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06' +
         'L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22' +
         'l3.02-7.05c.09-.23.14-.47.14-.73v-2z',
};

export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', kIconPaths[name]);
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}

// Characters as the studio counts them: Unicode code points, not UTF-16 units.
export function codePoints(text) {
  return [...text].length;
}

// "20:31:05" in the reader's local time, or '' for a missing/garbled value.
export function clockTime(utc) {
  if (!utc) return '';
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString('zh-CN', { hour12: false });
}

// "1:02:05" on the show timeline (start_ms of a transcript line), or '' for
// a missing value. Hours are not padded: a show rarely reaches ten.
export function timecode(ms) {
  if (!Number.isFinite(ms)) return '';
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  return `${Math.floor(total / 3600)}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

// GET a JSON API (the archive's, the tracker's): its body, or an Error with
// the API's `code` and message (or the HTTP status).
export async function fetchJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    const error = new Error((body && body.message) || response.statusText);
    error.code = (body && body.code) || `http_${response.status}`;
    throw error;
  }
  return body;
}

// Staff pages ask for /ws?staff: when viewers have filled the studio, a
// reserve of places is kept for staff who sign in (the studio closes a
// connection that takes one without signing in as staff).
export function wsUrl({ staff = false } = {}) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + (staff ? '/ws?staff' : '/ws');
}

export const ConnState = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  CLOSED: 'closed',
});

const kBackoffFirstMs = 1000;
const kBackoffMaxMs = 10000;

// The wait before reconnect attempt with back-off `backoffMs`: between half
// of it and all of it, at random (`random` in [0, 1)). When an edge dies,
// its thousands of viewers come back spread over that window instead of all
// in the same millisecond.
export function reconnectDelayMs(backoffMs, random = Math.random()) {
  return Math.round(backoffMs / 2 + (backoffMs / 2) * random);
}

// The studio's /ws. Reconnects for ever with jittered back-off (1 s doubling
// to 10 s, each wait between half of that and all of it); the page says hello
// again in onOpen, so the studio, the single source of truth, sends the whole
// state again after every reconnect.
export class StudioSocket {
  constructor({ onOpen, onMessage, onState, staff = false }) {
    this.staff = staff;
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onState = onState;
    this.socket = null;
    this.backoffMs = kBackoffFirstMs;
    this.retryTimer = null;
    this.nextId = 1;
    this.state = ConnState.CLOSED;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(ConnState.CONNECTING);
    let socket;
    try {
      socket = new WebSocket(wsUrl({ staff: this.staff }));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      this.backoffMs = kBackoffFirstMs;
      this.setState(ConnState.OPEN);
      this.onOpen();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.socket || typeof event.data !== 'string') return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // The studio only sends JSON; ignore anything else.
      }
      if (message && typeof message.type === 'string') this.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.setState(ConnState.CLOSED);
      this.scheduleReconnect();
    });
    // 'error' is always followed by 'close'; the reconnect happens there.
  }

  scheduleReconnect() {
    const delay = reconnectDelayMs(this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, kBackoffMaxMs);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // Drops the current connection and opens a fresh one at once (a new
  // connection has no role, e.g. after a producer logs out).
  restart() {
    const old = this.socket;
    this.socket = null;
    if (old) old.close();
    this.backoffMs = kBackoffFirstMs;
    this.connect();
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  // Sends a message; a command gets a fresh request id unless withId is
  // false. Returns the id, or null when the socket is not open.
  send(message, { withId = true } = {}) {
    if (!this.isOpen()) return null;
    const out = withId ? { ...message, id: this.nextId++ } : message;
    this.socket.send(JSON.stringify(out));
    return withId ? out.id : 0;
  }
}

// The wait an error asks for (`retry_after_s`, whole seconds), or `fallback`.
export function retrySeconds(message, fallback = 10) {
  const s = message && message.retry_after_s;
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : fallback;
}

// Reads and writes JSON in localStorage, tolerating a disabled or full store.
export function loadJson(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function saveJson(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Not remembered across reloads; the page keeps working.
  }
}

// Strings in sessionStorage (a token: gone with the tab) and localStorage (a
// name: remembered), tolerating a disabled or full store.
export function sessionGet(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function sessionSet(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Then the token lives in this page only.
  }
}

// A link whose token lands in the fragment (/dept/#d=…, /guest/#t=…): the
// token kept in this tab's sessionStorage under `key` and taken out of the
// address bar at once, so that it is not bookmarked, shared or shown on
// screen; on a reload, the one kept. `name` is the fragment's parameter.
export function takeTokenFromHash(name, key) {
  const match = new RegExp(`^#${name}=(.+)$`).exec(location.hash);
  if (!match) return sessionGet(key);
  let token = match[1];
  try {
    token = decodeURIComponent(token);
  } catch {
    // Keep it as it came.
  }
  sessionSet(key, token);
  history.replaceState(null, '', location.pathname + location.search);
  return token;
}

export function localGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function localSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered.
  }
}
