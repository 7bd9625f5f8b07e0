// 我的提问's follow-up on the viewer page (assets/web/viewer/followup_state.js):
// replies as they come, a rating sent once and answered, refused or found
// to be there already.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  initialFollowup, followupsListed, followupUpdated, followupOf, otherFollowups, mayRate, ratingMessage, ratingSent,
  isRatingRequest, ratingAnswered, followupDisconnected,
} from '../../../assets/web/viewer/followup_state.js';

const item = (id, question, extra = {}) => ({
  id, question, status: 'awaiting_reply', reply: null, department: { id: 1, name: '市住建局' }, due: '2026-12-15',
  my_rating: null, ...extra,
});

test('a listed item is found by its question; one of another show stands alone', () => {
  const f = followupsListed(initialFollowup(), [item(1, 10), item(2, 99)]);
  assert.equal(followupOf(f, 10).id, 1);
  assert.equal(followupOf(f, 11), null);
  assert.deepEqual(otherFollowups(f, [{ id: 10 }]).map((i) => i.id), [2]);
  assert.equal(followupsListed(f, 'garbage'), f);
});

test('a reply that comes keeps the viewer’s own rating; a new item goes first', () => {
  let f = followupsListed(initialFollowup(), [item(1, 10, { reply: '旧', my_rating: 'satisfied' })]);
  f = followupUpdated(f, item(1, 10, { reply: '新', status: 'answered' }));
  assert.equal(f.items[0].reply, '新');
  assert.equal(f.items[0].my_rating, 'satisfied');
  f = followupUpdated(f, item(3, 12));
  assert.deepEqual(f.items.map((i) => i.id), [3, 1]);
  assert.equal(followupUpdated(f, { id: 'x' }), f);
});

test('a rating: only after a reply, once, its answer taken or its refusal shown', () => {
  let f = followupsListed(initialFollowup(), [item(1, 10), item(2, 11, { reply: '已办' })]);
  assert.ok(!mayRate(f, f.items[0]), 'nothing to rate before a reply');
  assert.ok(mayRate(f, f.items[1]));
  assert.deepEqual(ratingMessage(2, 'satisfied', '  '), { type: 'followup.rate', item: 2, rating: 'satisfied' });
  assert.equal(ratingMessage(2, 'satisfied', ' 好 ').comment, '好');
  f = ratingSent(f, 7, 2, 'satisfied');
  assert.ok(isRatingRequest(f, 7));
  assert.ok(!mayRate(f, f.items[1]), 'not twice while the first is on its way');
  f = ratingAnswered(f, 7, { type: 'error', code: 'busy', message: 'x' });
  assert.equal(f.errors[2], 'followup.rate_failed');
  assert.ok(mayRate(f, f.items[1]));
  f = ratingSent(f, 8, 2, 'dissatisfied');
  assert.equal(f.errors[2], undefined);
  f = ratingAnswered(f, 8, { type: 'reply', ok: true, item: item(2, 11, { reply: '已办', rating: { total: 1 } }) });
  assert.equal(f.items[1].my_rating, 'dissatisfied');
  assert.ok(!mayRate(f, f.items[1]));
  // Rated already in another tab: as good as done.
  let g = followupsListed(initialFollowup(), [item(5, 13, { reply: '答复' })]);
  g = ratingAnswered(ratingSent(g, 9, 5, 'satisfied'), 9, { type: 'error', code: 'conflict' });
  assert.equal(g.items[0].my_rating, 'satisfied');
  assert.deepEqual(followupDisconnected(ratingSent(g, 10, 5, 'satisfied')).rating, {});
  assert.equal(ratingSent(g, null, 5, 'satisfied'), g, 'not sent: nothing changes');
});
