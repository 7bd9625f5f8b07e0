// 我的提问's follow-up (问政跟踪) on the viewer page: the questions of this
// viewer that the producers forwarded to a department after a show, with the
// department's reply as it comes, and the citizen's one rating of it. Pure
// functions over the page's `followup` part (app.js keeps it in its state;
// view.js draws it under each question).

import { ErrorCode } from '../protocol.js';

export const kRatings = Object.freeze(['satisfied', 'basically_satisfied', 'dissatisfied']);
export const kMaxCommentChars = 300;

export function initialFollowup() {
  return {
    items: [], // as followup.mine / followup.updated give them, newest first
    rating: {}, // request id → {itemId, rating}, while a rating is on its way
    errors: {}, // item id → i18n key of the last refusal
  };
}

export function followupsListed(followup, items) {
  return Array.isArray(items) ? { ...followup, items: items.slice() } : followup;
}

// A change the studio announced (a reply, a revision, a new due date). The
// viewer's own rating is not in it (the public view has none): kept.
export function followupUpdated(followup, item) {
  if (!item || !Number.isInteger(item.id)) return followup;
  const index = followup.items.findIndex((i) => i.id === item.id);
  if (index < 0) return { ...followup, items: [{ ...item, my_rating: null }, ...followup.items] };
  const items = followup.items.slice();
  items[index] = { ...item, my_rating: items[index].my_rating ?? null };
  return { ...followup, items };
}

// The item that follows up question `questionId`, if any.
export function followupOf(followup, questionId) {
  return followup.items.find((i) => i.question === questionId) || null;
}

// Items whose question is not among `mine` (an earlier show's, or one merged
// into another's): shown on their own.
export function otherFollowups(followup, mine) {
  const ids = new Set(mine.map((q) => q.id));
  return followup.items.filter((i) => !ids.has(i.question));
}

export function mayRate(followup, item) {
  return Boolean(item.reply) && !item.my_rating && !Object.values(followup.rating).some((r) => r.itemId === item.id);
}

export function ratingMessage(itemId, rating, comment) {
  const message = { type: 'followup.rate', item: itemId, rating };
  const text = (comment || '').trim();
  if (text) message.comment = text;
  return message;
}

export function ratingSent(followup, requestId, itemId, rating) {
  if (requestId === null) return followup;
  const errors = { ...followup.errors };
  delete errors[itemId];
  return { ...followup, rating: { ...followup.rating, [requestId]: { itemId, rating } }, errors };
}

export function isRatingRequest(followup, requestId) {
  return Object.prototype.hasOwnProperty.call(followup.rating, requestId);
}

// The studio's answer to a rating: taken (the item as it now is, with this
// viewer's rating), or refused with its reason at the item.
export function ratingAnswered(followup, requestId, message) {
  const sent = followup.rating[requestId];
  if (!sent) return followup;
  const rating = { ...followup.rating };
  delete rating[requestId];
  const items = followup.items.slice();
  const index = items.findIndex((i) => i.id === sent.itemId);
  if (message.type === 'error') {
    if (message.code === ErrorCode.CONFLICT && index >= 0) {
      // Rated already (another tab): as good as done.
      items[index] = { ...items[index], my_rating: items[index].my_rating || sent.rating };
      return { ...followup, rating, items };
    }
    return { ...followup, rating, errors: { ...followup.errors, [sent.itemId]: 'followup.rate_failed' } };
  }
  if (index >= 0) items[index] = { ...(message.item || items[index]), my_rating: sent.rating };
  return { ...followup, rating, items };
}

// The connection went: no answer will come for ratings on their way.
export function followupDisconnected(followup) {
  return { ...followup, rating: {} };
}
