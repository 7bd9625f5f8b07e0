// The 问政跟踪 panel of the producer console: what it knows and the pure
// functions that change it. The items come from followup.list and change by
// followup.changed; the department list from followup.departments; the
// questions that can be forwarded are the session's unanswered ones (the
// console's own list). No DOM, no socket: followup.js wires, followup_view.js
// draws.

import { Msg, Status } from '../protocol.js';

export const kMaxCommitmentChars = 300;
// Questions that may go to a department: not answered on air, not rejected
// or merged (a merged one goes with the one it was merged into).
const kForwardable = new Set([Status.PENDING, Status.APPROVED, Status.ON_AIR]);

export function initialFollowup() {
  return {
    departments: [], // {id, name, has_link}
    items: null, // the list, newest first (followup.list)
    pendingComments: [], // ratings with a comment waiting for a producer
    today: '',
    selected: new Set(), // question ids ticked for forwarding
    counts: null, // status.followup: {open, overdue, …}
  };
}

export function departmentsReceived(f, message) {
  return { ...f, departments: Array.isArray(message.departments) ? message.departments.filter((d) => !d.removed) : [] };
}

export function listReceived(f, message) {
  return {
    ...f,
    items: Array.isArray(message.items) ? message.items : [],
    pendingComments: Array.isArray(message.pending_comments) ? message.pending_comments : f.pendingComments,
    today: message.today || f.today,
  };
}

// followup.changed, or a command's answer carrying an item: replaced in
// place, or added on top.
export function itemChanged(f, item) {
  if (!item || !Number.isInteger(item.id) || !f.items) return f;
  const index = f.items.findIndex((i) => i.id === item.id);
  const items = f.items.slice();
  if (index >= 0) items[index] = item;
  else items.unshift(item);
  return { ...f, items };
}

export function countsReceived(f, status) {
  return { ...f, counts: status && status.followup ? status.followup : f.counts };
}

// The session's questions that may be forwarded, oldest first.
export function forwardable(questions) {
  return [...questions.values()].filter((q) => kForwardable.has(q.status)).sort((a, b) => a.id - b.id);
}

export function toggled(f, questionId) {
  const selected = new Set(f.selected);
  if (selected.has(questionId)) selected.delete(questionId);
  else selected.add(questionId);
  return { ...f, selected };
}

export function allSelected(f, questions) {
  return { ...f, selected: new Set(forwardable(questions).map((q) => q.id)) };
}

export function forwarded(f) {
  return { ...f, selected: new Set() };
}

// The command that forwards the ticked questions, or null (with the i18n key
// of what is missing in `problem`).
export function forwardCommand(f, departmentId, days) {
  if (!departmentId) return { problem: 'followup.p.pick_department' };
  if (f.selected.size === 0) return { problem: 'followup.p.pick_questions' };
  const fields = { question: [...f.selected].sort((a, b) => a - b), department: departmentId };
  const n = Number.parseInt(days, 10);
  if (Number.isFinite(n) && n > 0) fields.due = n;
  return { type: Msg.FOLLOWUP_FORWARD, fields };
}

export function commitCommand(text, departmentId, due, onAirId) {
  const clean = (text || '').trim();
  if (!clean) return { problem: 'followup.p.promise_text' };
  if (!departmentId) return { problem: 'followup.p.pick_department' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(due || '')) return { problem: 'followup.p.pick_due' };
  const fields = { text: clean, department: departmentId, due };
  if (onAirId) fields.question = onAirId;
  return { type: Msg.FOLLOWUP_COMMIT, fields };
}

// Open items first, the most overdue on top; then the rest, newest first.
export function itemsInOrder(f) {
  const open = (i) => ['awaiting_reply', 'in_progress', 'overdue'].includes(i.status);
  return (f.items || []).slice().sort((a, b) => {
    if (open(a) !== open(b)) return open(a) ? -1 : 1;
    if (open(a)) return a.due.localeCompare(b.due) || a.id - b.id;
    return b.id - a.id;
  });
}

// Open and overdue items: the studio's own counts (status.followup, every
// department) until the list is in, then the list's, which changes live.
export function counts(f) {
  if (f.items) {
    const open = f.items.filter((i) => ['awaiting_reply', 'in_progress', 'overdue'].includes(i.status)).length;
    return { open, overdue: f.items.filter((i) => i.status === 'overdue').length };
  }
  return f.counts;
}
