// The 问政跟踪 panel drawn from its state (followup_state.js): the counts, the
// form that records a promise made on air, the list of the session's
// unanswered questions to forward, the items (open first) with a department's
// request to reassign, and the citizens' comments waiting for a producer.
//
// Selectors (data-testid): followup-panel, followup-counts, promise-text,
// promise-department, promise-due, promise-add, forward-department,
// forward-days, forward-all, forward-send, forward-list > forward-question
// (data-question-id) with a checkbox; followup-items > followup-item
// (data-item-id, data-status) with followup-reassign; comments >
// pending-comment (data-rating-id) with comment-approve, comment-reject.

import { h } from '../common.js';
import { t } from '../i18n.js';
import { statusKey } from '../followup/state.js';
import { counts, forwardable, itemsInOrder, kMaxCommitmentChars } from './followup_state.js';

export function createFollowupView(root, actions) {
  const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
  const el = {
    counts: $('followup-counts'),
    promiseText: $('promise-text'),
    promiseDepartment: $('promise-department'),
    promiseDue: $('promise-due'),
    promiseAdd: $('promise-add'),
    forwardDepartment: $('forward-department'),
    forwardDays: $('forward-days'),
    forwardAll: $('forward-all'),
    forwardSend: $('forward-send'),
    forwardList: $('forward-list'),
    items: $('followup-items'),
    comments: $('comments'),
  };
  el.promiseText.maxLength = kMaxCommitmentChars;

  function departmentOptions(select, departments) {
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, t('followup.p.department')),
      ...departments.map((d) => h('option', { value: String(d.id) }, d.name)));
    if (departments.some((d) => String(d.id) === chosen)) select.value = chosen;
  }

  function itemRow(f, item) {
    const reassign = item.reassign_reason
      ? h('div', { class: 'fu-reassign' },
        h('span', {}, t('followup.p.reassign_asked', { reason: item.reassign_reason })),
        h('select', { testid: 'followup-reassign', onchange: (e) => actions.reassign(item.id, Number(e.target.value)) },
          h('option', { value: '' }, t('followup.p.reassign_to')),
          ...f.departments.filter((d) => d.id !== item.department.id).map((d) => h('option', { value: String(d.id) }, d.name))))
      : null;
    return h('li', { class: ['fu-item', `fu-status-${item.status}`], testid: 'followup-item', dataset: { itemId: item.id, status: item.status } },
      h('span', { class: ['badge', `badge-${item.status}`] }, t(statusKey(item))),
      h('span', { class: 'fu-dept' }, item.department.name),
      h('span', { class: 'fu-due' }, t('followup.due', { date: item.due })),
      h('p', { class: 'fu-text' }, item.text),
      item.reply ? h('p', { class: 'fu-reply' }, item.reply) : null,
      reassign);
  }

  return {
    el,
    render(f, questions) {
      const c = counts(f);
      el.counts.textContent = c ? t('followup.p.counts', { open: c.open, overdue: c.overdue }) : '';
      el.counts.dataset.overdue = c && c.overdue > 0 ? 'true' : 'false';
      departmentOptions(el.promiseDepartment, f.departments);
      departmentOptions(el.forwardDepartment, f.departments);
      const open = forwardable(questions);
      el.forwardList.replaceChildren(...open.map((q) => h('li', { testid: 'forward-question', dataset: { questionId: q.id } },
        h('label', {},
          h('input', { type: 'checkbox', checked: f.selected.has(q.id), onchange: () => actions.toggle(q.id) }),
          ` #${q.id} `, q.text))));
      el.forwardSend.disabled = f.selected.size === 0;
      el.items.replaceChildren(...itemsInOrder(f).map((item) => itemRow(f, item)));
      el.comments.replaceChildren(...f.pendingComments.map((r) => h('li', { testid: 'pending-comment', dataset: { ratingId: r.id } },
        h('span', { class: `badge rating-${r.rating}` }, t(`followup.rating.${r.rating}`)),
        ` #${r.item} `, r.comment || '',
        Array.isArray(r.matched_words) && r.matched_words.length > 0
          ? h('span', { class: 'flag flag-sensitive', testid: 'comment-flag-sensitive' },
            t('card.sensitive', { words: r.matched_words.join('、') }))
          : null,
        h('button', { type: 'button', testid: 'comment-approve', onclick: () => actions.moderate(r.id, 'approve') }, t('followup.p.approve')),
        h('button', { type: 'button', testid: 'comment-reject', onclick: () => actions.moderate(r.id, 'reject') }, t('followup.p.reject')))));
    },
  };
}
