// The public tracker drawn from its state (state.js): the departments' chart
// (how many items, how many overdue, answered on time, satisfaction), the
// filters, the list of items and one item with its history and the
// citizens' comments. Everything people wrote (questions, replies,
// comments, names) reaches the page through h() and textContent only.
//
// Selectors (data-testid): dept-chart > dept-row (data-department-id) with
// dept-name, bar-ontime, bar-satisfaction, dept-overdue; filter-department,
// filter-status, filter-show, filter-search, filter-form; items > item
// (data-item-id, data-status, data-kind) with item-status, item-department,
// item-text, item-due, item-reply, item-rating, item-archive, item-share;
// items-empty, load-more; item-view with item-back, history > history-entry,
// comments > comment; notice.

import { h } from '../common.js';
import { t } from '../i18n.js';
import { chartRows, dueLabel, hashFor, kStatuses, Kind, ratingShares, statusKey } from './state.js';

// An item's due date in the page's language, with the days left or past.
export function dueLine(item, today) {
  const label = dueLabel(item, today);
  return t(label.key, label.vars);
}

export function createView() {
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const ui = {
    notice: $('notice'),
    chart: $('dept-chart'),
    chartEmpty: $('chart-empty'),
    form: $('filter-form'),
    department: $('filter-department'),
    status: $('filter-status'),
    show: $('filter-show'),
    search: $('filter-search'),
    listCard: $('list-card'),
    items: $('items'),
    itemsEmpty: $('items-empty'),
    more: $('load-more'),
    itemView: $('item-view'),
    itemCard: $('item-card'),
    history: $('history'),
    comments: $('comments'),
    commentsEmpty: $('comments-empty'),
    back: $('item-back'),
    today: $('today'),
    langToggle: $('lang-toggle'),
  };

  function option(value, label, selected) {
    return h('option', { value: String(value), selected: selected || undefined }, label);
  }

  function drawFilters(state) {
    const f = state.filters;
    ui.department.replaceChildren(
      option(0, t('followup.filter.all_departments'), !f.department),
      ...state.departments.map((d) => option(d.id, d.name, d.id === f.department)));
    ui.status.replaceChildren(
      option('', t('followup.filter.all_statuses'), !f.status),
      ...kStatuses.map((s) => option(s, t(`followup.filter.${s}`), s === f.status)));
    ui.show.replaceChildren(
      option(0, t('followup.filter.all_shows'), !f.show),
      ...state.shows.map((s) => option(s.id, s.title, s.id === f.show)));
    if (document.activeElement !== ui.search) ui.search.value = f.q;
  }

  function pct(value) {
    return value === null || value === undefined ? '—' : `${Math.round(value)}%`;
  }

  function bar(testid, value, cls) {
    const width = value === null || value === undefined ? 0 : Math.max(0, Math.min(100, value));
    const fill = h('div', { class: ['bar-fill', cls] });
    // Through the CSSOM: the page's CSP allows no style attributes.
    fill.style.width = `${width}%`;
    return h('div', { class: 'bar-track', testid, dataset: { value: value ?? '' } },
      fill, h('span', { class: 'bar-label' }, pct(value)));
  }

  function drawChart(state) {
    const rows = chartRows(state.stats);
    ui.chartEmpty.hidden = rows.length > 0 || state.stats === null;
    ui.chart.replaceChildren(...rows.map((row) => h('li', {
      class: 'dept-row', testid: 'dept-row', dataset: { departmentId: row.id },
    },
    h('a', { class: 'dept-name', testid: 'dept-name', href: hashFor({ filters: { department: row.id, status: '', show: 0, q: '' } }) },
      row.name),
    h('span', { class: 'dept-counts' },
      t('followup.chart.items', { n: row.items }),
      row.overdue > 0 ? h('span', { class: 'dept-overdue', testid: 'dept-overdue' }, t('followup.chart.overdue', { n: row.overdue })) : null),
    h('div', { class: 'dept-bars' },
      h('span', { class: 'bar-caption' }, t('followup.chart.on_time')),
      bar('bar-ontime', row.onTimePct, 'bar-ontime'),
      h('span', { class: 'bar-caption' }, t('followup.chart.satisfaction')),
      bar('bar-satisfaction', row.satisfactionPct, 'bar-satisfaction')),
    row.medianDays !== null && row.medianDays !== undefined
      ? h('span', { class: 'dept-median' }, t('followup.chart.median_days', { n: row.medianDays }))
      : null)));
  }

  function ratingLine(item) {
    const shares = ratingShares(item.rating);
    if (!shares) return null;
    return h('p', { class: 'item-rating', testid: 'item-rating' },
      t('followup.rating.summary', {
        n: shares.total, a: item.rating.satisfied, b: item.rating.basically_satisfied, c: item.rating.dissatisfied,
      }));
  }

  function itemCard(item, today, full) {
    const kind = item.kind === Kind.QUESTION ? t('followup.kind.question') : t('followup.kind.commitment');
    return h('article', {
      class: ['item', `fu-status-${item.status}`], testid: 'item',
      dataset: { itemId: item.id, status: item.status, kind: item.kind },
    },
    h('header', { class: 'item-head' },
      h('span', { class: ['badge', `badge-${item.status}`], testid: 'item-status' }, t(statusKey(item))),
      h('span', { class: 'item-kind' }, kind),
      h('span', { class: 'item-department', testid: 'item-department' }, item.department.name)),
    h('p', { class: 'item-text', testid: 'item-text' }, item.text),
    item.kind === Kind.QUESTION
      ? h('p', { class: 'item-meta' }, t('followup.asked_by', { name: item.asker || t('anonymous') }),
        item.show ? ` · ${item.show.title}` : '')
      : h('p', { class: 'item-meta' }, item.show ? t('followup.promised_in', { show: item.show.title }) : ''),
    h('p', { class: 'item-due', testid: 'item-due' }, dueLine(item, today)),
    item.reply
      ? h('div', { class: 'item-reply', testid: 'item-reply' },
        h('span', { class: 'reply-label' },
          item.kind === Kind.QUESTION ? t('followup.reply_label') : t('followup.progress_label')),
        h('p', { class: 'reply-text' }, item.reply))
      : null,
    ratingLine(item),
    h('p', { class: 'item-links' },
      item.archive
        ? h('a', { href: item.archive, testid: 'item-archive' },
          item.kind === Kind.COMMITMENT ? t('followup.watch_promise') : t('followup.watch_show'))
        : null,
      full ? null : h('a', { href: hashFor({ item: item.id }), testid: 'item-share' }, t('followup.item_link'))));
  }

  function drawList(state) {
    const items = state.items || [];
    ui.items.replaceChildren(...items.map((item) => h('li', {}, itemCard(item, state.today, false))));
    ui.itemsEmpty.hidden = !(state.listStatus === 'loaded' && items.length === 0);
    ui.more.hidden = !state.nextBefore;
    ui.more.disabled = state.loadingMore;
    ui.listCard.dataset.loaded = state.listStatus === 'loaded' ? 'true' : 'false';
  }

  function historyText(entry) {
    const d = entry.detail || {};
    switch (entry.action) {
      case 'forward': return t('followup.history.forward', { due: d.due || '' });
      case 'commit': return t('followup.history.commit', { due: d.due || '' });
      case 'reply': return t('followup.history.reply');
      case 'reply_revised': return t('followup.history.reply_revised');
      case 'progress': return d.state === 'done' ? t('followup.history.done') : t('followup.history.progress');
      case 'due': return t('followup.history.due', { from: d.from || '', to: d.to || '' });
      case 'reassign': return t('followup.history.reassign');
      case 'reassign_request': return t('followup.history.reassign_request');
      case 'rate': return t('followup.history.rate');
      default: return entry.action;
    }
  }

  function drawItem(state) {
    const body = state.item;
    ui.itemView.dataset.loaded = state.itemStatus === 'loaded' ? 'true' : 'false';
    if (!body || !body.item) {
      ui.itemCard.replaceChildren();
      ui.history.replaceChildren();
      ui.comments.replaceChildren();
      ui.commentsEmpty.hidden = true;
      return;
    }
    ui.itemCard.replaceChildren(itemCard(body.item, state.today, true));
    ui.history.replaceChildren(...(body.history || []).map((entry) => h('li', { class: 'history-entry', testid: 'history-entry' },
      h('time', { datetime: entry.utc }, new Date(entry.utc).toLocaleString(undefined, { hour12: false })),
      h('span', {}, historyText(entry)),
      entry.detail && typeof entry.detail.text === 'string' && entry.action !== 'commit'
        ? h('p', { class: 'history-text' }, entry.detail.text) : null)));
    const comments = (body.comments || []).filter((c) => c.comment);
    ui.comments.replaceChildren(...comments.map((c) => h('li', { class: 'comment', testid: 'comment' },
      h('span', { class: `badge rating-${c.rating}` }, t(`followup.rating.${c.rating}`)),
      h('p', {}, c.comment))));
    ui.commentsEmpty.hidden = comments.length > 0;
  }

  return {
    ui,
    render(state) {
      ui.notice.hidden = !state.notice;
      ui.notice.textContent = state.notice ? t(state.notice.key, state.notice.vars) : '';
      ui.today.textContent = state.today ? t('followup.today', { date: state.today }) : '';
      drawFilters(state);
      drawChart(state);
      const showItem = state.itemId > 0;
      ui.listCard.hidden = showItem;
      ui.itemView.hidden = !showItem;
      if (showItem) drawItem(state);
      else drawList(state);
    },
  };
}
