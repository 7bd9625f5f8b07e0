// The public tracker's state (assets/web/followup/state.js): the address,
// late answers, the chart's order and how an item's status and due date read.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  initialState, parseHash, hashFor, listUrl, sameFilters, listRequested, listLoaded, listFailed, moreRequested,
  itemRequested, itemLoaded, itemFailed, chartRows, statusKey, daysLeft, dueLabel, ratingShares, kPageSize,
} from '../../../assets/web/followup/state.js';

test('the address holds the filters or one item, and nothing malformed', () => {
  assert.deepEqual(parseHash('#department=3&status=overdue&show=12&q=办证'), {
    item: 0, filters: { department: 3, status: 'overdue', show: 12, q: '办证' },
  });
  assert.deepEqual(parseHash('#item=42').item, 42);
  const bad = parseHash('#department=-1&status=late&show=1e3&item=x&q=' + 'a'.repeat(300));
  assert.deepEqual(bad.filters, { department: 0, status: '', show: 0, q: 'a'.repeat(100) });
  assert.equal(bad.item, 0);
  const filters = { department: 3, status: 'answered', show: 0, q: '医保 卡' };
  assert.deepEqual(parseHash(hashFor({ filters })).filters, filters);
  assert.equal(hashFor({ item: 7 }), '#item=7');
  assert.equal(hashFor(), '#');
});

test('the list URL carries the filters, the page size and where to go on from', () => {
  const url = new URL(listUrl({ department: 2, status: '', show: 0, q: '<script>' }, 99), 'http://x');
  assert.equal(url.pathname, '/api/followup');
  assert.equal(url.searchParams.get('department'), '2');
  assert.equal(url.searchParams.get('q'), '<script>');
  assert.equal(url.searchParams.get('before'), '99');
  assert.equal(url.searchParams.get('limit'), String(kPageSize));
  assert.equal(url.searchParams.has('status'), false);
});

test('a list answer counts only for the filters last asked for; more is appended', () => {
  const a = { department: 1, status: '', show: 0, q: '' };
  const b = { department: 2, status: '', show: 0, q: '' };
  let state = listRequested(initialState(), a);
  const first = state.listToken;
  state = listRequested(state, b);
  state = listLoaded(state, first, { items: [{ id: 9 }], next_before: null });
  assert.equal(state.items, null, 'a late answer for other filters is dropped');
  state = listLoaded(state, state.listToken, { items: [{ id: 5 }, { id: 4 }], next_before: 4, today: '2026-12-10' });
  assert.deepEqual(state.items.map((i) => i.id), [5, 4]);
  assert.equal(state.nextBefore, 4);
  assert.equal(state.today, '2026-12-10');
  assert.ok(sameFilters(state.filters, b));
  state = moreRequested(state);
  assert.equal(state.loadingMore, true);
  state = listLoaded(state, state.listToken, { items: [{ id: 3 }], next_before: null }, true);
  assert.deepEqual(state.items.map((i) => i.id), [5, 4, 3]);
  assert.equal(state.nextBefore, null);
  state = listFailed(state, state.listToken, Object.assign(new Error('x'), { code: 'busy' }));
  assert.equal(state.notice.key, 'followup.error.busy');
});

test('an item answer counts only while it is the one in the address', () => {
  let state = itemRequested(initialState(), 4);
  state = itemRequested(state, 5);
  state = itemLoaded(state, 4, { item: { id: 4 } });
  assert.equal(state.item, null);
  state = itemFailed(state, 5, Object.assign(new Error('no'), { code: 'not_found' }));
  assert.equal(state.notice.key, 'followup.error.no_item');
});

test('the chart lists departments with items, the most overdue first', () => {
  const d = (id, name, items, overdue) => ({
    department: { id, name }, items, open: overdue, overdue, on_time_pct: null, satisfaction_pct: 50,
    median_days_to_reply: 2.5, ratings: { total: 2 },
  });
  const rows = chartRows([d(1, '市住建局', 5, 0), d(2, '市医保局', 2, 1), d(3, '市交通局', 0, 0), d(4, '市教育局', 9, 0)]);
  assert.deepEqual(rows.map((r) => r.name), ['市医保局', '市教育局', '市住建局']);
  assert.equal(rows[0].onTimePct, null);
  assert.equal(rows[0].satisfactionPct, 50);
});

test('an overdue question reads differently from an overdue promise; days are counted from the API’s today', () => {
  assert.equal(statusKey({ status: 'overdue', kind: 'question' }), 'followup.status.overdue_question');
  assert.equal(statusKey({ status: 'overdue', kind: 'commitment' }), 'followup.status.overdue');
  assert.equal(statusKey({ status: 'answered', kind: 'question' }), 'followup.status.answered');
  assert.equal(daysLeft('2026-12-15', '2026-12-10'), 5);
  assert.equal(daysLeft('2026-12-09', '2026-12-10'), -1);
  assert.equal(daysLeft('garbled', '2026-12-10'), null);
  assert.deepEqual(ratingShares({ satisfied: 1, basically_satisfied: 1, dissatisfied: 1, total: 3 }),
    { satisfied: 33, basically_satisfied: 33, dissatisfied: 33, total: 3 });
  assert.equal(ratingShares({ total: 0 }), null);
});

test('a due date reads with the days left or past while the item is open', () => {
  const open = { status: 'awaiting_reply', due: '2026-12-15' };
  assert.deepEqual(dueLabel(open, '2026-12-10'), { key: 'followup.due_in', vars: { date: '2026-12-15', n: 5 } });
  assert.deepEqual(dueLabel(open, '2026-12-15'), { key: 'followup.due_today', vars: { date: '2026-12-15' } });
  assert.deepEqual(dueLabel({ ...open, status: 'overdue' }, '2026-12-17'),
    { key: 'followup.due_past', vars: { date: '2026-12-15', n: 2 } });
  assert.deepEqual(dueLabel({ ...open, status: 'answered' }, '2026-12-17'), { key: 'followup.due', vars: { date: '2026-12-15' } });
});
