// The department desk drawn from its state (state.js): the department's
// name, its counts, and its items (overdue first), each with the question
// or promise, the due date, the reply so far and, when opened, the form to
// write a reply or report progress, a request to reassign and the item's
// history. What people wrote reaches the page through h() and textContent.
//
// Selectors (data-testid): dept-name, dept-counts, conn, notice; items >
// item (data-item-id, data-status, data-kind) with item-status, item-text,
// item-due, item-reply, item-open; when open: reply-text, reply-send (a
// question) or progress-state, progress-text, progress-send (a commitment),
// reassign-reason, reassign-send, item-error, history > history-entry.

import { h, syncChildren } from '../common.js';
import { t } from '../i18n.js';
import { Msg } from '../protocol.js';
import { statusKey } from '../followup/state.js';
import { dueLine } from '../followup/view.js';
import { isSending, kMaxProgressChars, kMaxReasonChars, kMaxReplyChars, may, openCount, overdueCount } from './state.js';

// createView({open, draft, reply, progress, reassign}) finds the page's
// elements; the callbacks act on the reader's clicks and typing.
export function createView(actions) {
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const ui = {
    name: $('dept-name'),
    counts: $('dept-counts'),
    conn: $('conn'),
    notice: $('notice'),
    items: $('items'),
    empty: $('items-empty'),
    langToggle: $('lang-toggle'),
  };
  // The open item's form is kept across renders so that typing is never
  // interrupted; it is rebuilt when another item opens.
  let drawnFormFor = 0;
  let form = null;
  const cardCache = new Map(); // item id → {key, node}

  function buildForm(state, item) {
    const question = item.kind === 'question';
    const limit = question ? kMaxReplyChars : kMaxProgressChars;
    const text = h('textarea', {
      testid: question ? 'reply-text' : 'progress-text', rows: 6, maxlength: limit,
      placeholder: question ? t('dept.reply_placeholder') : t('dept.progress_placeholder'),
      oninput: (event) => actions.draft(item.id, event.target.value),
    });
    text.value = state.drafts[item.id] ?? (item.reply || '');
    const stateSelect = question ? null : h('select', { testid: 'progress-state' },
      h('option', { value: 'in_progress' }, t('followup.status.in_progress')),
      h('option', { value: 'done' }, t('followup.status.done')));
    const send = h('button', {
      type: 'button', class: 'primary', testid: question ? 'reply-send' : 'progress-send',
      onclick: () => (question ? actions.reply(item.id, text.value)
        : actions.progress(item.id, stateSelect.value, text.value)),
    }, question ? (item.reply ? t('dept.revise') : t('dept.send_reply')) : t('dept.send_progress'));
    const reason = h('input', { type: 'text', testid: 'reassign-reason', maxlength: kMaxReasonChars, placeholder: t('dept.reassign_placeholder') });
    const reassign = h('button', {
      type: 'button', testid: 'reassign-send', onclick: () => actions.reassign(item.id, reason.value),
    }, t('dept.reassign'));
    const error = h('p', { class: 'item-error', testid: 'item-error', role: 'alert', hidden: true });
    const history = h('ol', { class: 'history', testid: 'history' });
    const box = h('div', { class: 'item-form' },
      h('label', { class: 'form-label' }, question ? t('dept.reply_label') : t('dept.progress_label')),
      text, stateSelect, send,
      may(state, Msg.FOLLOWUP_REASSIGN_REQUEST) ? h('div', { class: 'reassign' }, reason, reassign) : null,
      error,
      h('h4', {}, t('followup.history_heading')), history);
    return { box, send, error, history, itemId: item.id };
  }

  function updateForm(state) {
    const sending = isSending(state, form.itemId);
    form.send.disabled = sending || !state.signedIn;
    const problem = state.errors[form.itemId];
    form.error.hidden = !problem;
    form.error.textContent = problem ? t(problem.key, problem.vars) : '';
    const history = state.history[form.itemId];
    form.history.replaceChildren(...(history || []).map((entry) => h('li', { class: 'history-entry', testid: 'history-entry' },
      h('time', { datetime: entry.utc }, new Date(entry.utc).toLocaleString(undefined, { hour12: false })),
      ` ${entry.actor} · ${t(`dept.action.${entry.action}`)}`,
      entry.detail && typeof entry.detail.text === 'string' ? h('p', {}, entry.detail.text) : null)));
  }

  function itemCard(state, item) {
    const open = state.openId === item.id;
    return h('li', {
      class: ['item', `fu-status-${item.status}`, open ? 'open' : null], testid: 'item',
      dataset: { itemId: item.id, status: item.status, kind: item.kind },
    },
    h('header', { class: 'item-head' },
      h('span', { class: ['badge', `badge-${item.status}`], testid: 'item-status' }, t(statusKey(item))),
      h('span', { class: 'item-kind' }, item.kind === 'question' ? t('followup.kind.question') : t('followup.kind.commitment')),
      h('span', { class: 'item-due', testid: 'item-due' }, dueLine(item, state.today))),
    h('p', { class: 'item-text', testid: 'item-text' }, item.text),
    item.kind === 'question' ? h('p', { class: 'item-meta' }, t('followup.asked_by', { name: item.asker || t('anonymous') }),
      item.show ? ` · ${item.show.title}` : '') : null,
    item.reassign_reason ? h('p', { class: 'item-meta' }, t('dept.reassign_asked', { reason: item.reassign_reason })) : null,
    item.reply ? h('div', { class: 'item-reply', testid: 'item-reply' }, h('p', {}, item.reply)) : null,
    h('p', { class: 'item-links' },
      h('button', { type: 'button', testid: 'item-open', onclick: () => actions.open(item.id) },
        open ? t('dept.close') : (item.kind === 'question' ? t('dept.answer') : t('dept.report'))),
      item.archive ? h('a', { href: item.archive, target: '_blank', rel: 'noopener' }, t('followup.watch_show')) : null));
  }

  return {
    ui,
    render(state) {
      ui.notice.hidden = !state.notice;
      ui.notice.textContent = state.notice ? t(state.notice.key, state.notice.vars) : '';
      ui.name.textContent = state.department ? state.department.name : t('dept.title');
      ui.counts.textContent = state.items
        ? t('dept.counts', { open: openCount(state), overdue: overdueCount(state) }) : '';
      const items = state.items || [];
      ui.empty.hidden = state.items === null || items.length > 0;
      if (state.openId !== drawnFormFor) {
        drawnFormFor = state.openId;
        const item = items.find((i) => i.id === state.openId);
        form = item ? buildForm(state, item) : null;
      }
      // A card is built again only when its item (or whether it is open)
      // changed, and kept in place otherwise: a reply being typed keeps its
      // focus while other items change.
      const cards = items.map((item) => {
        const key = `${state.openId === item.id}|${state.today}|${JSON.stringify(item)}`;
        let drawn = cardCache.get(item.id);
        if (!drawn || drawn.key !== key) {
          drawn = { key, node: itemCard(state, item) };
          if (form && item.id === form.itemId) drawn.node.appendChild(form.box);
          cardCache.set(item.id, drawn);
        }
        return drawn.node;
      });
      for (const id of [...cardCache.keys()]) {
        if (!items.some((i) => i.id === id)) cardCache.delete(id);
      }
      syncChildren(ui.items, cards);
      if (form) updateForm(state);
    },
    setConn(key) {
      ui.conn.textContent = t(key);
    },
    forget() {
      drawnFormFor = -1;
      cardCache.clear();
    },
  };
}
