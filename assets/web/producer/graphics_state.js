// The graphics panel's state (节目包装: lower-thirds, the question card, bug,
// clock, QR code, ticker, slates and the theme) and the pure functions over
// it: the overlay state from the studio goes in, the commands the panel's
// buttons send and what each control shows come out. No DOM, no socket, no
// timers: graphics.js does those and graphics_view.js draws the state.
//
// As for questions, the studio is the single source of truth: the panel
// only shows the last overlay state it was handed (hello.ok, an
// `overlay.changed` event, or the reply to any overlay.* command) and sends
// commands; it never changes its own state ahead of the studio. The
// protocol is assets/protocol.md, "Broadcast graphics (`overlay.*`)".

import { Limits, Msg, Slate } from '../protocol.js';

export const kDefaultMinutes = 5;

export function initialGraphics() {
  return {
    overlay: null, // the studio's overlay state; null when logged out
    themeNames: new Map(), // theme id → display name, learned as themes go on air
    slateEndMs: null, // nowMs at which the starting slate's countdown reaches 0
  };
}

// A new overlay state from the studio (or null: logged out). Its slate's
// remaining_s is as of this message; between messages the panel counts
// down by itself (the studio sends no event per second), from nowMs.
export function overlayChanged(state, overlay, nowMs) {
  const next = overlay && typeof overlay === 'object' ? overlay : null;
  let themeNames = state.themeNames;
  if (next && next.theme && next.theme_name && themeNames.get(next.theme) !== String(next.theme_name)) {
    themeNames = new Map(themeNames);
    themeNames.set(next.theme, String(next.theme_name));
  }
  const slate = next && next.slate;
  const slateEndMs = slate && slate.kind === Slate.STARTING && Number.isFinite(slate.remaining_s)
    ? nowMs + slate.remaining_s * 1000 : null;
  return { ...state, overlay: next, themeNames, slateEndMs };
}

// ---------------------------------------------------------------------------
// Commands: {type, fields}, or null when the control has nothing to send.

// card, bug, clock, qr: each shows or hides on its own.
export function toggleCommand(state, name) {
  const part = state.overlay && state.overlay[name];
  return part ? { type: `overlay.${name}`, fields: { visible: !part.visible } } : null;
}

// A person's lower-third on a side: off again when it is the one shown there.
export function lowerThirdCommand(state, person, side) {
  const shown = state.overlay && state.overlay.lower_thirds && state.overlay.lower_thirds[side];
  if (shown && shown.person === person) return { type: Msg.OVERLAY_LOWER_THIRD, fields: { person, visible: false } };
  return { type: Msg.OVERLAY_LOWER_THIRD, fields: { person, visible: true, side } };
}

// The ticker's text on air (or updated there), as typed.
export function tickerOnCommand(state, text) {
  if (!state.overlay || text.trim() === '') return null;
  return { type: Msg.OVERLAY_TICKER, fields: { text, visible: true } };
}

export function tickerOffCommand() {
  return { type: Msg.OVERLAY_TICKER, fields: { visible: false } };
}

// A slate by kind (Slate.*); the starting slate counts down from the minutes
// typed beside it (minutesText, the field's value).
export function slateCommand(kind, minutesText) {
  const fields = { slate: kind };
  if (kind === Slate.STARTING) fields.countdown_s = countdownSeconds(minutesText);
  return { type: Msg.OVERLAY_SLATE, fields };
}

// The countdown in seconds for the minutes typed: the default for nonsense,
// at most the studio's limit.
export function countdownSeconds(minutesText) {
  const minutes = Number(minutesText);
  if (!Number.isFinite(minutes) || minutes < 0) return kDefaultMinutes * 60;
  return Math.min(Limits.COUNTDOWN_S, Math.round(minutes * 60));
}

// The theme picked in the list, unless it is the one on air.
export function themeCommand(state, chosen) {
  if (!state.overlay || chosen === state.overlay.theme) return null;
  return { type: Msg.OVERLAY_THEME, fields: { theme: chosen } };
}

export function clearCommand() {
  return { type: Msg.OVERLAY_CLEAR, fields: {} };
}

// ---------------------------------------------------------------------------
// What the controls show.

// The people of the show: the host first, then the guests in their order
// (guest2 before guest10).
export function people(state) {
  const list = state.overlay && Array.isArray(state.overlay.people) ? state.overlay.people : [];
  return [...list].filter((p) => p && typeof p.person === 'string').sort((a, b) =>
    (b.person === 'host') - (a.person === 'host') ||
    a.person.localeCompare(b.person, 'en', { numeric: true }));
}

export function personName(state, person) {
  const entry = people(state).find((p) => p.person === person);
  return entry ? entry.name || person : person;
}

// Whether the person's lower-third is on that side: {on, automatic} (the
// studio put it up by itself, with the camera).
export function lowerThirdShown(state, person, side) {
  const thirds = (state.overlay && state.overlay.lower_thirds) || {};
  const shown = thirds[side];
  const on = Boolean(shown && shown.person === person);
  return { on, automatic: on && Boolean(shown.automatic) };
}

// A toggle (card, bug, clock, qr): {pressed, disabled}. The card needs a
// question to show.
export function toggleShown(state, name) {
  const part = state.overlay && state.overlay[name];
  return { pressed: Boolean(part && part.visible), disabled: !part || (name === 'card' && !part.question) };
}

// The ticker's buttons for the text in the input: {onAir, pressed (the
// input holds what is on air), update (it holds something else, and the
// button puts that up instead), onDisabled, offDisabled}.
export function tickerShown(state, inputText) {
  const ticker = (state.overlay && state.overlay.ticker) || null;
  const onAir = Boolean(ticker && ticker.visible);
  return {
    onAir,
    pressed: onAir && inputText === ticker.text,
    update: onAir && inputText !== ticker.text,
    onDisabled: !state.overlay || inputText.trim() === '',
    offDisabled: !onAir,
  };
}

export function slateKind(state) {
  return state.overlay && state.overlay.slate ? state.overlay.slate.kind : null;
}

// Whole seconds left on the starting slate at nowMs, or null without one.
export function slateRemainingS(state, nowMs) {
  if (state.slateEndMs === null) return null;
  return Math.max(0, Math.ceil((state.slateEndMs - nowMs) / 1000));
}

// The theme list: {options: [{id, label}], current, disabled}. The theme on
// air is listed even when the studio's list lacks it; a theme is named once
// it has been on air.
export function themeChoice(state) {
  const { overlay, themeNames } = state;
  const current = overlay ? String(overlay.theme || '') : '';
  const ids = overlay && Array.isArray(overlay.themes) ? overlay.themes.map(String) : [];
  if (current && !ids.includes(current)) ids.push(current);
  const options = ids.map((id) => ({ id, label: themeNames.has(id) ? `${themeNames.get(id)} · ${id}` : id }));
  return { options, current, disabled: !overlay || ids.length < 2 };
}

// 290 → "04:50"; an hour or more stays in minutes ("90:00").
export function mmss(seconds) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}
