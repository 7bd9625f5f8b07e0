// The public tracker's state (/followup/, 问政跟踪) and the pure functions that
// change it: each takes the state and an answer of the studio's follow-up
// API (/api/followup…, assets/protocol.md) or a change of the address and
// returns a new state. No DOM, no fetch: followup.js does those and view.js
// draws the state.
//
// The address says what is shown, so every list and every item can be
// shared:
//   #department=3&status=overdue&show=12&q=办证   a filtered list
//   #item=42                                      one item
//
// Answers can come late and out of order: a list's answer counts only for
// the latest filters asked for (listToken), an item's only while it is the
// one in the address.

export const FollowupStatus = Object.freeze({
  AWAITING_REPLY: 'awaiting_reply',
  ANSWERED: 'answered',
  IN_PROGRESS: 'in_progress',
  DONE: 'done',
  OVERDUE: 'overdue',
});
export const kStatuses = Object.freeze(Object.values(FollowupStatus));
export const Kind = Object.freeze({ QUESTION: 'question', COMMITMENT: 'commitment' });
export const Rating = Object.freeze({
  SATISFIED: 'satisfied',
  BASICALLY_SATISFIED: 'basically_satisfied',
  DISSATISFIED: 'dissatisfied',
});
export const kRatings = Object.freeze(Object.values(Rating));
// The API's page size and the longest search it takes.
export const kPageSize = 50;
export const kMaxQueryChars = 100;

export function initialState() {
  return {
    filters: emptyFilters(),
    itemId: 0, // the item in the address; 0: the list
    items: null, // the list, once loaded
    nextBefore: null, // the id to ask for more with; null: no more
    listStatus: 'none', // 'loading' | 'loaded' | 'failed'
    listToken: 0,
    loadingMore: false,
    item: null, // {item, history, comments} of itemId
    itemStatus: 'none',
    stats: null, // per department
    departments: [], // for the filter
    shows: [], // for the filter: {id, title}
    today: '',
    notice: null, // {key, vars}
  };
}

function emptyFilters() {
  return { department: 0, status: '', show: 0, q: '' };
}

// ---------------------------------------------------------------------------
// The address.

function positive(text) {
  const n = Number.parseInt(text || '', 10);
  return Number.isFinite(n) && n > 0 && String(n) === text ? n : 0;
}

// '#department=3&status=overdue' → {item: 0, filters: {department: 3, status: 'overdue', show: 0, q: ''}};
// what is malformed is left out.
export function parseHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const status = params.get('status') || '';
  return {
    item: positive(params.get('item')),
    filters: {
      department: positive(params.get('department')),
      status: kStatuses.includes(status) ? status : '',
      show: positive(params.get('show')),
      q: (params.get('q') || '').trim().slice(0, kMaxQueryChars),
    },
  };
}

export function hashFor({ item = 0, filters = emptyFilters() } = {}) {
  if (item) return `#item=${item}`;
  const params = new URLSearchParams();
  if (filters.department) params.set('department', String(filters.department));
  if (filters.status) params.set('status', filters.status);
  if (filters.show) params.set('show', String(filters.show));
  if (filters.q) params.set('q', filters.q);
  const text = params.toString();
  return text ? `#${text}` : '#';
}

// The API's URL for the list with `filters` (and `before`, for more).
export function listUrl(filters, before = null) {
  const params = new URLSearchParams();
  if (filters.department) params.set('department', String(filters.department));
  if (filters.status) params.set('status', filters.status);
  if (filters.show) params.set('show', String(filters.show));
  if (filters.q) params.set('q', filters.q);
  if (before) params.set('before', String(before));
  params.set('limit', String(kPageSize));
  return `/api/followup?${params.toString()}`;
}

export function sameFilters(a, b) {
  return a.department === b.department && a.status === b.status && a.show === b.show && a.q === b.q;
}

// ---------------------------------------------------------------------------
// The list.

export function listRequested(state, filters) {
  return {
    ...state, filters, itemId: 0, listStatus: 'loading', listToken: state.listToken + 1, loadingMore: false,
    notice: null,
  };
}

export function listLoaded(state, token, body, append = false) {
  if (token !== state.listToken) return state;
  const items = Array.isArray(body && body.items) ? body.items : [];
  return {
    ...state,
    items: append && state.items ? [...state.items, ...items] : items,
    nextBefore: body && Number.isInteger(body.next_before) ? body.next_before : null,
    listStatus: 'loaded',
    loadingMore: false,
    today: (body && body.today) || state.today,
  };
}

export function moreRequested(state) {
  return { ...state, loadingMore: true };
}

export function listFailed(state, token, error) {
  if (token !== state.listToken) return state;
  return { ...state, listStatus: 'failed', loadingMore: false, notice: noticeFor(error) };
}

// ---------------------------------------------------------------------------
// One item.

export function itemRequested(state, id) {
  return { ...state, itemId: id, item: null, itemStatus: 'loading', notice: null };
}

export function itemLoaded(state, id, body) {
  if (id !== state.itemId) return state;
  return { ...state, item: body, itemStatus: 'loaded', today: (body && body.today) || state.today };
}

export function itemFailed(state, id, error) {
  if (id !== state.itemId) return state;
  const notFound = error && error.code === 'not_found';
  return { ...state, itemStatus: 'failed', notice: notFound ? { key: 'followup.error.no_item' } : noticeFor(error) };
}

// ---------------------------------------------------------------------------
// Departments, their figures, the shows.

export function statsLoaded(state, body) {
  const departments = Array.isArray(body && body.departments) ? body.departments : [];
  return { ...state, stats: departments, today: (body && body.today) || state.today };
}

export function departmentsLoaded(state, body) {
  const departments = Array.isArray(body && body.departments) ? body.departments : [];
  return { ...state, departments };
}

export function showsLoaded(state, body) {
  const sessions = Array.isArray(body && body.sessions) ? body.sessions : [];
  return { ...state, shows: sessions.map((s) => ({ id: s.id, title: s.title })) };
}

// The chart's rows: departments with items, the most overdue first, then by
// how many they have. Percentages are null where there is nothing to judge.
export function chartRows(stats) {
  return (stats || [])
    .filter((d) => d.items > 0)
    .map((d) => ({
      id: d.department.id,
      name: d.department.name,
      items: d.items,
      open: d.open,
      overdue: d.overdue,
      onTimePct: d.on_time_pct,
      satisfactionPct: d.satisfaction_pct,
      ratings: d.ratings ? d.ratings.total : 0,
      medianDays: d.median_days_to_reply,
    }))
    .sort((a, b) => b.overdue - a.overdue || b.items - a.items || a.name.localeCompare(b.name, 'zh'));
}

// ---------------------------------------------------------------------------
// How an item reads.

// The i18n key of an item's status as the tracker words it.
export function statusKey(item) {
  if (item.status === FollowupStatus.OVERDUE) {
    return item.kind === Kind.QUESTION ? 'followup.status.overdue_question' : 'followup.status.overdue';
  }
  return `followup.status.${item.status}`;
}

// Days until the due date (negative: past it), from the API's "today".
export function daysLeft(due, today) {
  const a = Date.parse(`${due}T00:00:00Z`);
  const b = Date.parse(`${today}T00:00:00Z`);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return Math.round((a - b) / 86400000);
}

// How an item's due date reads: {key, vars} for t() — with the days left or
// past while it is open.
export function dueLabel(item, today) {
  const left = daysLeft(item.due, today);
  const open = ['awaiting_reply', 'in_progress', 'overdue'].includes(item.status);
  if (!open || left === null) return { key: 'followup.due', vars: { date: item.due } };
  if (left < 0) return { key: 'followup.due_past', vars: { date: item.due, n: -left } };
  if (left === 0) return { key: 'followup.due_today', vars: { date: item.due } };
  return { key: 'followup.due_in', vars: { date: item.due, n: left } };
}

// What the ratings say: {satisfied, basically_satisfied, dissatisfied, total}
// as shares of the total (0..100, rounded), or null without any.
export function ratingShares(rating) {
  if (!rating || !rating.total) return null;
  const share = (n) => Math.round((100 * n) / rating.total);
  return {
    satisfied: share(rating.satisfied),
    basically_satisfied: share(rating.basically_satisfied),
    dissatisfied: share(rating.dissatisfied),
    total: rating.total,
  };
}

function noticeFor(error) {
  if (error && error.code === 'busy') return { key: 'followup.error.busy' };
  return { key: 'followup.error.load', vars: { reason: (error && error.message) || '' } };
}
