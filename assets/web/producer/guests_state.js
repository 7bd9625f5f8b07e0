// The 远程嘉宾 / Remote guests panel's state (webrtc:// slots: who is in each,
// green room or on air, the producer's talkback) and the pure functions over
// it: the studio's status and `guests.changed` events go in, the commands
// the panel's controls send and what each shows come out. No DOM, no socket:
// guests.js does those and guests_view.js draws the state.
//
// The studio is the single source of truth: the panel shows the last slot
// it was told of (hello.ok's status, a guests.changed event, the reply to a
// guests.* command) and never changes a slot ahead of the studio. The
// protocol is assets/protocol.md, "Remote guests".

import { Limits, Msg } from '../protocol.js';

export const kDefaultHours = 48;

export function initialGuests() {
  return {
    slots: [], // [{id, label, slot}] in the show's order; slot as sources[].webrtc
    talkback: false, // the show has a talkback microphone
    links: new Map(), // source → the invitation link made on this page (shown once)
  };
}

// hello.ok's status (or status.get's): the show's webrtc:// slots. None
// (signed out): nothing, the links made here included (each holds a token).
export function statusReceived(state, status) {
  if (!status) return initialGuests();
  const sources = status && Array.isArray(status.sources) ? status.sources : [];
  const slots = sources.filter((s) => s && s.webrtc && typeof s.webrtc === 'object')
    .map((s) => ({ id: String(s.id), label: String(s.label || s.id), slot: s.webrtc }));
  return { ...state, slots, talkback: sources.some((s) => s && s.talkback === true) };
}

// guests.changed, or a guests.* reply: {source, slot}.
export function slotChanged(state, source, slot) {
  if (!slot || typeof slot !== 'object' || !state.slots.some((s) => s.id === source)) return state;
  return { ...state, slots: state.slots.map((s) => (s.id === source ? { ...s, slot } : s)) };
}

// guests.invite's reply: the whole link, on the studio's public address.
// A studio with none (its listen address every address, 0.0.0.0, and no
// public_url: it warns of that at start) gets the address this page reached
// it at (`origin`), which is right at least for guests on the same network.
export function invitationMade(state, source, reply, origin) {
  const given = reply && (reply.link || reply.path);
  if (!given) return state;
  let link = String(given);
  try {
    const url = new URL(link, origin);
    if (!reply.link || url.hostname === '0.0.0.0' || url.hostname === '[::]') link = `${origin}${url.pathname}`;
  } catch {
    // Not a URL at all: shown as it came.
  }
  const links = new Map(state.links);
  links.set(source, link);
  return { ...state, links };
}

// What a slot's row shows: its state's name (i18n key), who is in it, and
// which controls apply now.
export function slotView(state, entry) {
  const slot = entry.slot || {};
  const session = slot.kind === 'guest' || slot.kind === 'publisher';
  return {
    stateKey: `guests.p.state.${['waiting', 'green_room', 'live', 'connecting', 'retrying'].includes(slot.state) ? slot.state : 'waiting'}`,
    who: session ? [slot.guest, slot.title].filter(Boolean).join(' · ') : '',
    publisher: slot.kind === 'publisher',
    // A browser guest goes through the green room; a WHIP publisher is on air at once.
    admit: slot.kind === 'guest' ? (slot.admitted ? 'hold' : 'admit') : null,
    talk: session && state.talkback,
    talking: slot.talkback === true,
    cue: slot.kind === 'guest',
    end: session,
    link: state.links.get(entry.id) || '',
  };
}

// ---------------------------------------------------------------------------
// Commands: {type, fields}, or {problem} (an i18n key) when the input is not
// one the studio would take.

export function admitCommand(state, source) {
  const entry = state.slots.find((s) => s.id === source);
  if (!entry || entry.slot.kind !== 'guest') return null;
  return { type: entry.slot.admitted ? Msg.GUESTS_HOLD : Msg.GUESTS_ADMIT, fields: { source } };
}

export function talkCommand(state, source) {
  const entry = state.slots.find((s) => s.id === source);
  if (!entry || !state.talkback) return null;
  return { type: Msg.GUESTS_TALK, fields: { source, on: entry.slot.talkback !== true } };
}

export function endCommand(source) {
  return { type: Msg.GUESTS_END, fields: { source } };
}

export function cueCommand(source, text) {
  const line = String(text || '').trim();
  if (!line) return { problem: 'guests.p.cue_empty' };
  if (/[\r\n]/.test(line) || [...line].length > Limits.CUE_CHARS) return { problem: 'guests.p.cue_long' };
  return { type: Msg.GUESTS_CUE, fields: { source, text: line } };
}

export function inviteCommand(source, name, title, hours) {
  const who = String(name || '').trim();
  const what = String(title || '').trim();
  const h = Number(hours === '' || hours === undefined ? kDefaultHours : hours);
  if (!who) return { problem: 'guests.p.name_empty' };
  if ([...who].length > Limits.GUEST_NAME_CHARS || [...what].length > Limits.GUEST_TITLE_CHARS) {
    return { problem: 'guests.p.name_long' };
  }
  if (!Number.isInteger(h) || h < 1 || h > Limits.GUEST_HOURS_MAX) return { problem: 'guests.p.hours' };
  const fields = { source, name: who, hours: h };
  if (what) fields.title = what;
  return { type: Msg.GUESTS_INVITE, fields };
}
