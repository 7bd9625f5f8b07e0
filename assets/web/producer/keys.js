// The producer console's keyboard: which shortcut a key press on the board
// means. Pure (a key event's fields in, a name out), so that node tests
// read the bindings; producer.js runs them.
//
//   j / ↓, k / ↑    next / previous card        a   approve
//   Alt+↑ / Alt+↓   move in the air queue        r   reject…
//   Ctrl+Z, u       undo                         e   edit…
//   Esc             close the editor, or         m   merge…
//                   leave the selection          o   on air, f off air, d answered
//
// Editors handle their own keys (Enter/Ctrl+Enter, Esc) in view.js.

import { Action } from '../protocol.js';

const kPlain = Object.freeze({
  j: 'next',
  ArrowDown: 'next',
  k: 'previous',
  ArrowUp: 'previous',
  u: 'undo',
  Escape: 'escape',
  a: Action.APPROVE,
  r: Action.REJECT,
  e: Action.EDIT,
  m: Action.MERGE,
  o: Action.ON_AIR,
  f: Action.OFF_AIR,
  d: Action.ANSWERED,
});

// The shortcut for a key press ({key, ctrlKey, metaKey, altKey, shiftKey}),
// or null: 'undo', 'move_up', 'move_down', or a name of kPlain (the card
// actions by their protocol names). The
// browser's own shortcuts (Ctrl/⌘ with anything but Z) are left alone.
export function shortcut(event) {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.altKey && !event.shiftKey && key === 'z') return 'undo';
  if (command) return null;
  if (event.altKey) {
    if (key === 'ArrowUp') return 'move_up';
    if (key === 'ArrowDown') return 'move_down';
    return null;
  }
  if (event.shiftKey) return null;
  return Object.hasOwn(kPlain, key) ? kPlain[key] : null;
}
