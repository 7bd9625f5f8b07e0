// The producer console's 问政跟踪 panel (assets/web/producer/followup_state.js):
// which questions may be forwarded, the commands it builds (or what is
// missing), items changing in place and the order they are shown in.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  initialFollowup, departmentsReceived, listReceived, itemChanged, forwardable, toggled, allSelected, forwarded,
  forwardCommand, commitCommand, itemsInOrder, counts,
} from '../../../assets/web/producer/followup_state.js';

const questions = new Map([
  [3, { id: 3, status: 'approved' }], [1, { id: 1, status: 'pending' }], [2, { id: 2, status: 'answered' }],
  [4, { id: 4, status: 'rejected' }], [5, { id: 5, status: 'merged' }], [6, { id: 6, status: 'on_air' }],
]);

test('only unanswered questions may be forwarded, ticked ones in a list', () => {
  assert.deepEqual(forwardable(questions).map((q) => q.id), [1, 3, 6]);
  let f = toggled(toggled(initialFollowup(), 3), 1);
  assert.deepEqual(forwardCommand(f, 7, '').fields, { question: [1, 3], department: 7 });
  assert.deepEqual(forwardCommand(f, 7, '3').fields.due, 3);
  assert.equal(forwardCommand(f, 0, '').problem, 'followup.p.pick_department');
  f = toggled(f, 3);
  assert.deepEqual([...f.selected], [1]);
  f = allSelected(f, questions);
  assert.deepEqual([...f.selected].sort(), [1, 3, 6]);
  assert.equal(forwardCommand(forwarded(f), 7, '').problem, 'followup.p.pick_questions');
});

test('a promise needs its words, a department and a date; the question on air goes with it', () => {
  assert.deepEqual(commitCommand(' 年底办结 ', 2, '2026-12-31', 9),
    { type: 'followup.commit', fields: { text: '年底办结', department: 2, due: '2026-12-31', question: 9 } });
  assert.equal(commitCommand('', 2, '2026-12-31').problem, 'followup.p.promise_text');
  assert.equal(commitCommand('x', 0, '2026-12-31').problem, 'followup.p.pick_department');
  assert.equal(commitCommand('x', 2, '').problem, 'followup.p.pick_due');
  assert.equal(commitCommand('x', 2, '2026-12-31', null).fields.question, undefined);
});

test('items change in place; open ones first, the earliest due on top; counts follow the list', () => {
  let f = departmentsReceived(initialFollowup(), { departments: [{ id: 1, name: 'a' }, { id: 2, name: 'b', removed: true }] });
  assert.deepEqual(f.departments.map((d) => d.id), [1]);
  assert.equal(counts({ ...f, counts: { open: 9, overdue: 2 } }).open, 9);
  f = listReceived(f, {
    items: [
      { id: 5, status: 'answered', due: '2026-12-01' }, { id: 4, status: 'awaiting_reply', due: '2026-12-20' },
      { id: 3, status: 'overdue', due: '2026-12-02' }, { id: 2, status: 'done', due: '2026-11-01' },
    ],
    pending_comments: [{ id: 1 }],
  });
  assert.deepEqual(itemsInOrder(f).map((i) => i.id), [3, 4, 5, 2]);
  assert.deepEqual(counts(f), { open: 2, overdue: 1 });
  f = itemChanged(f, { id: 3, status: 'answered', due: '2026-12-02' });
  assert.deepEqual(counts(f), { open: 1, overdue: 0 });
  f = itemChanged(f, { id: 6, status: 'in_progress', due: '2027-01-01' });
  assert.equal(f.items[0].id, 6);
  assert.equal(f.pendingComments.length, 1);
});
