// The typist page's keyboard, by name. Pure (a key event's fields in, a
// name out), so that node tests read the bindings; typist.js runs them.
//
// Keyboard first: the text box keeps the focus; Enter publishes (Shift+Enter
// does nothing: a line holds no line break), F1…Fn switch the speaker
// wherever the focus is, ↑ in an empty box corrects the last line, Esc
// clears the box's error. In a correction: Enter saves, Esc leaves it (or
// the question whether to delete). Alt+P marks the last line as a promise
// made on air (问政跟踪).

// An IME's Enter picks a candidate; it must neither publish nor save.
function composing(event) {
  return event.isComposing || event.keyCode === 229;
}

function plain(event) {
  return !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
}

// A key in the text box: 'publish', 'no_newline' (Shift+Enter), 'edit_last'
// (↑ with the box empty), 'dismiss' (Esc), or null.
export function composeKey(event, draft) {
  if (composing(event)) return null;
  if (event.key === 'Enter') return event.shiftKey ? 'no_newline' : 'publish';
  if (event.key === 'ArrowUp' && plain(event) && draft === '') return 'edit_last';
  if (event.key === 'Escape') return 'dismiss';
  return null;
}

// The index of the speaker an F-key picks (F1 → 0), or null. With a
// modifier it is the browser's (or the system's) key.
export function speakerIndex(event) {
  if (!plain(event)) return null;
  const match = /^F(\d{1,2})$/.exec(event.key);
  return match ? Number(match[1]) - 1 : null;
}

// A key in a correction's text: 'save' (Enter), 'no_newline' (Shift+Enter),
// or null.
export function editKey(event) {
  if (composing(event) || event.key !== 'Enter') return null;
  return event.shiftKey ? 'no_newline' : 'save';
}

// Esc in a correction (not while composing) leaves it.
export function leavesEditor(event) {
  return event.key === 'Escape' && !composing(event);
}

// Alt+P, wherever the focus is: mark the last line as a promise (问政跟踪).
// (Ctrl+P is the browser's print.)
export function promiseKey(event) {
  return Boolean(event.altKey) && !event.ctrlKey && !event.metaKey && !composing(event) &&
    (event.key === 'p' || event.key === 'P' || event.code === 'KeyP');
}
