// The producer console drawn from its state (state.js): the top bar, the
// login form, the last action, the toast and the board of question cards.
//
// Cards are kept by id and rebuilt only when their question or their editor
// (editing, rejecting, merging) changes, so a producer typing an edit is not
// interrupted by other questions arriving. People's text reaches the page
// through h() and textContent only.

import { t } from '../i18n.js';
import { h, icon, codePoints, clockTime, syncChildren, ConnState } from '../common.js';
import { Action, Flag, Limits, Msg, Status, kCategories, kReceivedAction, kRejectReasons } from '../protocol.js';
import { allowed, boardVisible, columns, counts, editProblem, maySend } from './state.js';

const kToastMs = 6000;

// createView(handlers) finds the page's elements and returns what draws
// them. handlers (producer.js) act on the producer's clicks and typing:
// select(id, focus), act(action, q) for the buttons of a card, closeMode(id),
// modeChanged(id, change), submitMode(id), dragStart(event, q), dragEnd(event).
export function createView(handlers) {
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const ui = {
    showTitle: $('producer-show-title'),
    conn: $('producer-conn'),
    connText: document.querySelector('[data-testid="producer-conn"] .conn-text'),
    counts: {
      pending: $('count-pending'),
      approved: $('count-approved'),
      on_air: $('count-on-air'),
      answered: $('count-answered'),
      rejected: $('count-rejected'),
      merged: $('count-merged'),
    },
    counters: $('counters'),
    help: $('help'),
    undo: $('undo'),
    user: $('producer-user'),
    logout: $('logout'),
    lastAction: $('last-action'),
    toast: $('producer-message'),
    login: $('login'),
    loginForm: $('login-form'),
    loginToken: $('login-token'),
    loginName: $('login-name'),
    loginError: $('login-error'),
    loginSubmit: $('login-submit'),
    board: $('board'),
    graphics: $('graphics'),
    langToggle: $('lang-toggle'),
    lists: {
      pending: $('pending-list'),
      approved: $('approved-list'),
      onAir: $('onair-slot'),
      recent: $('recent-list'),
    },
  };

  const cardCache = new Map(); // id → {key, el}
  // Place of each approved question in the air queue (0 = next), for the labels.
  let queueRank = new Map();
  let toastTimer = null;

  function cardElement(id) {
    const entry = cardCache.get(id);
    return entry && entry.el.isConnected ? entry.el : null;
  }

  // Every card is built again at the next render (a new language, a logout).
  function forgetCards() {
    cardCache.clear();
  }

  function render(state) {
    renderChrome(state);
    if (!boardVisible(state)) return;
    const focus = rememberFocus();
    const view = columns(state);
    const seen = new Set();
    const place = (list, questions, variant) => {
      const elements = questions.map((q) => {
        seen.add(q.id);
        return cardFor(state, q, variant);
      });
      syncChildren(list, elements);
      list.nextElementSibling.hidden = elements.length > 0;
    };
    place(ui.lists.pending, view.pending, 'normal');
    queueRank = new Map(view.approved.map((q, index) => [q.id, index]));
    place(ui.lists.approved, view.approved, 'queue');
    place(ui.lists.onAir, view.onAir, 'large');
    place(ui.lists.recent, view.recent, 'normal');
    for (const id of [...cardCache.keys()]) {
      if (!seen.has(id)) cardCache.delete(id);
    }
    for (const { el } of cardCache.values()) {
      const chosen = Number(el.dataset.questionId) === state.selectedId;
      el.classList.toggle('selected', chosen);
      el.setAttribute('aria-selected', chosen ? 'true' : 'false');
    }
    restoreFocus(focus);
  }

  function renderChrome(state) {
    const visible = boardVisible(state);
    if (state.loggedIn) document.body.dataset.hello = 'ok'; // for tests: logged in, board filled
    else delete document.body.dataset.hello;
    ui.board.hidden = !visible;
    ui.graphics.hidden = !visible;
    ui.login.hidden = visible;
    ui.counters.hidden = !visible;
    ui.help.hidden = !visible;
    ui.undo.hidden = !visible;
    ui.logout.hidden = !state.token;
    ui.user.hidden = !state.loggedIn;
    ui.user.textContent = state.name ? t('producer.user', { name: state.name }) : t('producer.user_anonymous');
    ui.undo.disabled = !maySend(state, Msg.QUESTION_UNDO);
    ui.loginError.hidden = !state.loginError;
    ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
    ui.loginSubmit.disabled = state.helloPending;
    ui.loginSubmit.textContent = state.helloPending && !visible ? t('login.waiting') : t('login.submit');

    const title = state.status && state.status.show && state.status.show.title;
    ui.showTitle.textContent = title || '';

    let connKey = 'conn.connecting';
    let connState = 'connecting';
    if (state.connection === ConnState.CLOSED) {
      connKey = 'conn.closed';
      connState = 'closed';
    } else if (state.connection === ConnState.OPEN && (state.loggedIn || !state.token)) {
      connKey = 'conn.open';
      connState = 'open';
    }
    ui.conn.dataset.state = connState;
    ui.connText.textContent = t(connKey);

    const byStatus = counts(state);
    for (const [status, node] of Object.entries(ui.counts)) node.textContent = String(byStatus[status]);
    renderLastAction(state.lastAction);
  }

  // "小李 · 通过 · #12": who did what last, so that two producers see each other.
  // New questions ("received") come from the audience or the hotline: the
  // studio names no one ("viewers"), so neither does the line.
  function renderLastAction(last) {
    ui.lastAction.hidden = !last;
    if (!last) return;
    const ids = last.ids.slice(0, 4).map((id) => `#${id}`).join(' ') + (last.ids.length > 4 ? ' …' : '');
    const by = last.action === kReceivedAction ? '' : last.by;
    ui.lastAction.textContent = [by, actionName(last.action), ids].filter(Boolean).join(' · ');
  }

  function toast(text, kind) {
    ui.toast.textContent = text;
    ui.toast.dataset.kind = kind;
    ui.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { ui.toast.hidden = true; }, kToastMs);
  }

  function cardFor(state, q, variant) {
    const mode = state.modes.get(q.id);
    const rank = variant === 'queue' ? queueRank.get(q.id) : null;
    const key = JSON.stringify([q, variant, rank, mode ? { kind: mode.kind, error: mode.error || null } : null]);
    const cached = cardCache.get(q.id);
    if (cached && cached.key === key) return cached.el;
    const el = buildCard(q, variant, mode);
    cardCache.set(q.id, { key, el });
    return el;
  }

  function buildCard(q, variant, mode) {
    const flags = Array.isArray(q.flags) ? q.flags : [];
    const card = h('li', {
      class: ['qcard', `status-${q.status}`, variant === 'large' ? 'qcard-large' : null],
      testid: 'question-card',
      dataset: { questionId: q.id, status: q.status },
      tabindex: '0',
      'aria-selected': 'false',
      onclick: () => handlers.select(q.id, false),
    });

    if (variant === 'queue' && !mode) {
      card.draggable = true;
      card.addEventListener('dragstart', (event) => handlers.dragStart(event, q));
      card.addEventListener('dragend', handlers.dragEnd);
    }

    const head = h('div', { class: 'qcard-head' },
      h('span', { class: 'qid', testid: 'card-id' }, `#${q.id}`),
      variant === 'queue' && queueRank.has(q.id)
        ? h('span', { class: 'position' }, t('card.position', { n: queueRank.get(q.id) + 1 })) : null,
      h('span', { class: 'nickname', testid: 'card-nickname' }, q.nickname || t('anonymous')),
      q.observer ? h('span', { class: 'observer-tag', testid: 'card-observer' }, t('observer.badge', { name: q.observer })) : null,
      h('span', { class: ['category', `category-${q.category}`], testid: 'card-category' }, categoryLabel(q.category)),
      h('time', { class: 'time', datetime: q.received_utc || null, testid: 'card-time' }, clockTime(q.received_utc)),
      q.status === Status.APPROVED || q.status === Status.ON_AIR || (q.votes ?? 0) > 0
        ? h('span', { class: 'votes', testid: 'card-votes', title: t('card.votes', { n: q.votes ?? 0 }) },
            icon('thumb'), String(q.votes ?? 0)) : null);
    card.appendChild(head);

    if (mode && mode.kind === Action.EDIT) {
      card.appendChild(buildEditor(q, mode));
    } else {
      const text = h('p', { class: 'qcard-text', testid: 'card-text' }, q.text || '');
      if (q.edited && q.original_text !== undefined) text.title = t('card.original', { text: q.original_text });
      card.appendChild(text);
    }

    if (q.edited) {
      card.appendChild(h('details', { class: 'original', testid: 'card-original' },
        h('summary', null, h('span', { class: 'edited-tag', testid: 'card-edited' }, t('card.edited')), ' · ',
          t('card.show_original')),
        h('p', { class: 'original-text', testid: 'card-original-text' }, q.original_text || ''),
        Array.isArray(q.edits) && q.edits.length > 0
          ? h('ol', { class: 'edit-history' }, q.edits.map((edit) =>
            h('li', null, h('span', { class: 'edit-meta' }, [clockTime(edit.utc), edit.by].filter(Boolean).join(' · ')),
              ' ', edit.text || '')))
          : null));
    }

    const flagRow = [];
    if (flags.includes(Flag.SENSITIVE) || (Array.isArray(q.matched_words) && q.matched_words.length > 0)) {
      const words = Array.isArray(q.matched_words) ? q.matched_words.join('、') : '';
      flagRow.push(h('span', { class: 'flag flag-sensitive', testid: 'card-flag-sensitive' },
                     t('card.sensitive', { words })));
    }
    if (q.duplicate_of != null && q.duplicate_of !== q.id) {
      flagRow.push(h('span', { class: 'flag flag-duplicate', testid: 'card-flag-duplicate' },
        t('card.duplicate', { id: q.duplicate_of }),
        allowed(Action.MERGE, q)
          ? h('button', { type: 'button', class: 'link', testid: 'action-merge-duplicate',
                          onclick: (e) => { e.stopPropagation(); handlers.act('merge_duplicate', q); } },
              t('card.merge_into_dup', { id: q.duplicate_of }))
          : null));
    }
    if (q.status === Status.REJECTED && q.reject_reason) {
      flagRow.push(h('span', { class: 'flag flag-reason', testid: 'card-reject-reason' },
        t('card.reject_reason', { reason: kRejectReasons.includes(q.reject_reason) ? t(`reason.${q.reject_reason}`) : q.reject_reason })));
    }
    if (q.status === Status.MERGED && q.merged_into != null) {
      flagRow.push(h('span', { class: 'flag flag-merged', testid: 'card-merged-into' },
                     t('card.merged_into', { id: q.merged_into })));
    }
    if (flagRow.length > 0) card.appendChild(h('div', { class: 'flags' }, flagRow));

    if (mode && mode.kind === Action.REJECT) card.appendChild(buildRejectForm(q, mode));
    if (mode && mode.kind === Action.MERGE) card.appendChild(buildMergeForm(q, mode));
    if (mode && mode.error) card.appendChild(h('p', { class: 'mode-error', role: 'alert' }, mode.error));

    if (!mode) card.appendChild(buildActions(q));
    return card;
  }

  function actionButton(name, label, key, q, extraClass) {
    return h('button', {
      type: 'button',
      class: ['act', `act-${name}`, extraClass],
      testid: `action-${name.replace(/_/g, '-')}`,
      title: key ? `${label} (${key})` : label,
      onclick: (event) => {
        event.stopPropagation();
        handlers.act(name, q);
      },
    }, label, key ? h('kbd', null, key) : null);
  }

  // The buttons the question's status allows, in this order, with their keys.
  const kButtons = [
    [Action.APPROVE, 'A', 'good'],
    [Action.ON_AIR, 'O', 'air'],
    [Action.OFF_AIR, 'F', null],
    [Action.ANSWERED, 'D', 'good'],
    [Action.EDIT, 'E', null],
    [Action.MERGE, 'M', null],
    [Action.REJECT, 'R', 'bad'],
  ];

  function buildActions(q) {
    const buttons = kButtons.filter(([action]) => allowed(action, q))
      .map(([action, key, extraClass]) => actionButton(action, t(`action.${action}`), key, q, extraClass));
    return h('div', { class: 'actions' }, buttons);
  }

  // An inline editor's field: Enter confirms (with Ctrl/⌘ when asked), Escape
  // closes the editor, and a click stays inside it (not a card selection).
  function editorKeys(field, q, confirm, { withModifier = false } = {}) {
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (!withModifier || event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        confirm();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        handlers.closeMode(q.id);
      }
    });
    field.addEventListener('click', (e) => e.stopPropagation());
  }

  function buildEditor(q, mode) {
    const counter = h('span', { class: 'counter', testid: 'edit-counter' });
    const save = h('button', { type: 'button', class: ['act', 'good'], testid: 'edit-save',
                               onclick: (e) => { e.stopPropagation(); handlers.submitMode(q.id); } }, t('action.save'));
    const area = h('textarea', {
      class: 'edit-text', testid: 'edit-text', rows: '4', 'data-autofocus': '',
      'aria-label': t('action.edit'),
    });
    const sync = () => {
      const count = codePoints(area.value);
      counter.textContent = `${count}/${Limits.QUESTION_CHARS}`;
      counter.classList.toggle('over', count > Limits.QUESTION_CHARS);
      save.disabled = Boolean(editProblem(area.value));
    };
    area.value = mode.text;
    area.addEventListener('input', () => {
      sync();
      handlers.modeChanged(q.id, { text: area.value });
    });
    // In a text area a plain Enter is a new line: Ctrl/⌘+Enter saves.
    editorKeys(area, q, () => handlers.submitMode(q.id), { withModifier: true });
    sync();
    return h('div', { class: 'editor' },
      area,
      h('div', { class: 'editor-row' },
        counter,
        h('span', { class: 'hint' }, t('edit.hint')),
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'act', testid: 'edit-cancel',
                      onclick: (e) => { e.stopPropagation(); handlers.closeMode(q.id); } }, t('action.cancel')),
        save));
  }

  function buildRejectForm(q, mode) {
    const select = h('select', { class: 'reject-reason', testid: 'reject-reason', 'data-autofocus': '',
                                 'aria-label': t('reject.reason') },
      kRejectReasons.map((reason) => h('option', { value: reason, selected: reason === mode.reason }, t(`reason.${reason}`))));
    const confirm = () => {
      handlers.modeChanged(q.id, { reason: select.value });
      handlers.submitMode(q.id);
    };
    select.addEventListener('change', () => handlers.modeChanged(q.id, { reason: select.value }));
    editorKeys(select, q, confirm);
    return h('div', { class: 'inline-form' },
      h('label', null, h('span', { class: 'field-label' }, t('reject.reason')), select),
      h('button', { type: 'button', class: ['act', 'bad'], testid: 'reject-confirm',
                    onclick: (e) => { e.stopPropagation(); confirm(); } },
        t('action.confirm_reject')),
      h('button', { type: 'button', class: 'act', testid: 'reject-cancel',
                    onclick: (e) => { e.stopPropagation(); handlers.closeMode(q.id); } }, t('action.cancel')));
  }

  function buildMergeForm(q, mode) {
    const input = h('input', { type: 'number', min: '1', step: '1', class: 'merge-into', testid: 'merge-into',
                               'data-autofocus': '', inputmode: 'numeric', 'aria-label': t('merge.into') });
    input.value = mode.into || '';
    const confirm = () => {
      handlers.modeChanged(q.id, { into: input.value });
      handlers.submitMode(q.id);
    };
    input.addEventListener('input', () => handlers.modeChanged(q.id, { into: input.value }));
    editorKeys(input, q, confirm);
    return h('div', { class: 'inline-form' },
      h('label', null, h('span', { class: 'field-label' }, t('merge.into')), ' #', input),
      h('button', { type: 'button', class: ['act', 'good'], testid: 'merge-confirm',
                    onclick: (e) => { e.stopPropagation(); confirm(); } },
        t('action.confirm_merge')),
      h('button', { type: 'button', class: 'act', testid: 'merge-cancel',
                    onclick: (e) => { e.stopPropagation(); handlers.closeMode(q.id); } }, t('action.cancel')));
  }

  // A rebuilt card takes the focus with it; it goes back to the same control.
  function rememberFocus() {
    const active = document.activeElement;
    if (!active || active === document.body) return null;
    const card = active.closest('[data-testid="question-card"]');
    if (!card) return null;
    return {
      element: active,
      id: Number(card.dataset.questionId),
      testid: active.dataset.testid || null,
      isCard: active === card,
      start: typeof active.selectionStart === 'number' ? active.selectionStart : null,
      end: typeof active.selectionEnd === 'number' ? active.selectionEnd : null,
    };
  }

  function restoreFocus(focus) {
    if (!focus || document.activeElement === focus.element) return;
    let target = focus.element.isConnected ? focus.element : null;
    if (!target) {
      const card = cardElement(focus.id);
      if (card) target = focus.isCard ? card : card.querySelector(`[data-testid="${focus.testid}"]`);
    }
    if (!target) return;
    target.focus({ preventScroll: true });
    if (focus.start !== null && typeof target.setSelectionRange === 'function') {
      try {
        target.setSelectionRange(focus.start, focus.end);
      } catch {
        // Not a text field after all.
      }
    }
  }

  return { ui, render, cardElement, forgetCards, toast };
}

// An action's name in the page's language ("通过"), or the studio's word for
// one this page does not know.
export function actionName(action) {
  const name = t(`action_name.${action}`);
  return name === `action_name.${action}` ? action : name;
}

function categoryLabel(category) {
  return kCategories.includes(category) ? t(`category.${category}`) : String(category || '');
}
