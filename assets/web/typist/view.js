// The typist page drawn from its state (state.js): the top bar, the login
// form, the speaker chips, the text box and the record with its editors.
//
// Line elements are kept by id and rebuilt only when their line or their
// editor changes, so a correction being typed is not interrupted by lines
// arriving. People's text reaches the page through h() and textContent only.

import { t } from '../i18n.js';
import { h, codePoints, clockTime, timecode, syncChildren, ConnState } from '../common.js';
import { LineKind, Limits, Speaker } from '../protocol.js';
import { deskVisible, orderedLines, speakerOf } from './state.js';
import { editKey, leavesEditor } from './keys.js';

// createView(handlers) finds the page's elements and returns what draws
// them. handlers (typist.js) act on the typist's clicks and typing:
// chooseSpeaker(speaker), openEditor(id), closeEditor(), leaveEditor() (Esc),
// editTextChanged(text), saveEdit(), askDelete(confirm), confirmDelete().
export function createView(handlers) {
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const ui = {
    showTitle: $('typist-show-title'),
    conn: $('typist-conn'),
    connText: document.querySelector('[data-testid="typist-conn"] .conn-text'),
    user: $('typist-user'),
    logout: $('typist-logout'),
    login: $('typist-login'),
    loginForm: $('typist-login-form'),
    loginToken: $('typist-token'),
    loginName: $('typist-name'),
    loginError: $('typist-login-error'),
    loginSubmit: $('typist-login-submit'),
    desk: $('typist-desk'),
    speakers: $('typist-speakers'),
    current: $('typist-current'),
    input: $('typist-input'),
    count: $('typist-count'),
    hint: $('typist-hint'),
    sending: $('typist-sending'),
    error: $('typist-error'),
    lineCount: $('typist-line-count'),
    scroll: $('typist-scroll'),
    lines: $('typist-lines'),
    linesEmpty: $('typist-lines-empty'),
    jump: $('typist-jump'),
    langToggle: $('lang-toggle'),
  };

  const lineCache = new Map(); // id → {key, el}
  // The chips are rebuilt only when the speakers (or the language) change, so
  // that a chip with the keyboard focus keeps it.
  let chipsKey = '';

  function lineElement(id) {
    const entry = lineCache.get(id);
    return entry && entry.el.isConnected ? entry.el : null;
  }

  // Every line is built again at the next render (a new language, a logout).
  function forgetLines() {
    lineCache.clear();
  }

  function render(state) {
    renderChrome(state);
    if (!deskVisible(state)) return;
    renderSpeakers(state);
    renderCompose(state);
    renderLines(state);
  }

  function renderChrome(state) {
    const visible = deskVisible(state);
    // For tests: logged in and the record loaded.
    if (state.loggedIn && state.listLoaded) document.body.dataset.hello = 'ok';
    else delete document.body.dataset.hello;
    ui.desk.hidden = !visible;
    ui.login.hidden = visible;
    ui.logout.hidden = !state.token;
    ui.user.hidden = !state.loggedIn;
    ui.user.textContent = state.name ? t('typist.user', { name: state.name }) : t('typist.user_anonymous');
    ui.loginError.hidden = !state.loginError;
    ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
    ui.loginSubmit.disabled = state.helloPending;
    ui.loginSubmit.textContent = state.helloPending && !visible ? t('login.waiting') : t('login.submit');
    ui.showTitle.textContent = state.title;
    if (state.title) document.title = `${t('typist.doc_title')} · ${state.title}`;

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
  }

  function renderSpeakers(state) {
    const key = JSON.stringify([state.speakers, document.documentElement.lang]);
    if (key !== chipsKey) {
      chipsKey = key;
      ui.speakers.replaceChildren(...state.speakers.map((speaker, index) => {
        const fkey = `F${index + 1}`;
        return h('button', {
          type: 'button',
          class: 'chip',
          testid: `typist-speaker-${speaker.speaker}`,
          dataset: { speaker: speaker.speaker },
          'aria-pressed': 'false',
          title: t('typist.speaker_key', { key: fkey, name: personName(speaker) }),
          onclick: () => handlers.chooseSpeaker(speaker.speaker),
        }, h('kbd', null, fkey), h('span', { class: 'chip-name' }, personName(speaker)),
        speaker.title ? h('span', { class: 'chip-title' }, speaker.title) : null);
      }));
    }
    for (const chip of ui.speakers.children) {
      const active = chip.dataset.speaker === state.speaker;
      chip.setAttribute('aria-pressed', active ? 'true' : 'false');
      chip.classList.toggle('active', active);
    }
  }

  function renderCompose(state) {
    // The box holds the draft: after a line is stored, only what was typed
    // after it.
    if (ui.input.value !== state.draft) ui.input.value = state.draft;
    const current = speakerOf(state, state.speaker);
    ui.current.textContent = t('typist.input_label', { name: personName(current) });
    ui.current.dataset.speaker = state.speaker || '';
    const count = codePoints(state.draft);
    ui.count.textContent = `${count}/${Limits.LINE_CHARS}`;
    ui.count.classList.toggle('over', count > Limits.LINE_CHARS);
    ui.hint.textContent = t('typist.hint', { n: Math.max(1, state.speakers.length) });
    ui.sending.hidden = !state.commit;
    ui.input.setAttribute('aria-busy', state.commit ? 'true' : 'false');
    const problem = state.inputError;
    ui.error.hidden = !problem;
    ui.error.textContent = problem ? t(problem.key, problem.vars) : '';
  }

  function renderLines(state) {
    const follow = state.followLatest;
    const focus = rememberFocus();
    const lines = orderedLines(state);
    const seen = new Set();
    const elements = lines.map((line) => {
      seen.add(line.id);
      return lineFor(state, line);
    });
    syncChildren(ui.lines, elements);
    for (const id of [...lineCache.keys()]) {
      if (!seen.has(id)) lineCache.delete(id);
    }
    ui.linesEmpty.hidden = elements.length > 0 || !state.listLoaded;
    ui.lineCount.textContent = elements.length > 0 ? String(elements.length) : '';
    restoreFocus(state, focus);
    if (follow) ui.scroll.scrollTop = ui.scroll.scrollHeight;
    ui.jump.hidden = follow;
  }

  function lineFor(state, line) {
    const editing = state.editing && state.editing.id === line.id ? state.editing : null;
    const mode = editing ? [editing.confirmDelete, editing.error, editing.requestId !== null] : null;
    const label = speakerLabel(state, line);
    const key = JSON.stringify([line, label, mode]);
    const cached = lineCache.get(line.id);
    if (cached && cached.key === key) return cached.el;
    const el = buildLine(line, label, editing);
    lineCache.set(line.id, { key, el });
    return el;
  }

  function buildLine(line, label, editing) {
    return h('li', {
      class: ['tline', line.kind === LineKind.QUESTION ? 'tline-question' : null, editing ? 'editing' : null],
      testid: 'transcript-line',
      dataset: { lineId: line.id, speaker: line.speaker, kind: line.kind },
      tabindex: '0',
      title: [line.by, clockTime(line.utc)].filter(Boolean).join(' · ') || null,
      onclick: () => handlers.openEditor(line.id),
      onkeydown: (event) => {
        if (event.key === 'Enter' && event.target === event.currentTarget) {
          event.preventDefault();
          handlers.openEditor(line.id);
        }
      },
    },
    h('time', { class: 'tc', testid: 'transcript-line-time' }, timecode(line.start_ms)),
    h('span', { class: 'who', testid: 'transcript-line-speaker' }, label),
    editing ? buildEditor(editing)
            : h('p', { class: 'text', testid: 'transcript-line-text' }, line.text || ''),
    line.edits > 0
      ? h('span', { class: 'edited', testid: 'transcript-line-edited',
                    title: t('typist.original', { text: line.original_text || '' }) }, t('typist.edited'))
      : null);
  }

  function buildEditor(editing) {
    const pending = editing.requestId !== null;
    const input = h('textarea', {
      class: 'edit-input',
      testid: 'transcript-line-edit-input',
      rows: '2',
      spellcheck: 'false',
      'aria-label': t('typist.edit_label'),
    });
    input.value = editing.text;
    input.addEventListener('input', () => handlers.editTextChanged(input.value));
    input.addEventListener('keydown', (event) => {
      const key = editKey(event);
      if (!key) return;
      event.preventDefault();
      if (key === 'save') handlers.saveEdit();
    });
    const row = editing.confirmDelete
      ? [h('span', { class: 'confirm-text' }, t('typist.delete_question')),
         h('span', { class: 'spacer' }),
         button('transcript-line-delete-cancel', t('action.cancel'), () => handlers.askDelete(false)),
         button('transcript-line-delete-confirm', t('typist.delete_confirm'), handlers.confirmDelete, 'danger', pending)]
      : [h('span', { class: 'hint' }, t('typist.edit_hint')),
         h('span', { class: 'spacer' }),
         button('transcript-line-delete', t('typist.delete'), () => handlers.askDelete(true), 'danger-quiet', pending),
         button('transcript-line-cancel', t('action.cancel'), handlers.closeEditor),
         button('transcript-line-save', t('action.save'), handlers.saveEdit, 'good', pending)];
    return h('div', {
      class: 'editor',
      onclick: (event) => event.stopPropagation(),
      onkeydown: (event) => {
        if (!leavesEditor(event)) return;
        event.preventDefault();
        event.stopPropagation();
        handlers.leaveEditor();
      },
    },
    input,
    h('div', { class: 'editor-row' }, row),
    editing.error
      ? h('p', { class: 'editor-error', role: 'alert', testid: 'transcript-line-error' },
          t(editing.error.key, editing.error.vars))
      : null);
  }

  // A rebuilt line takes the focus with it; it goes back to the same control.
  function rememberFocus() {
    const active = document.activeElement;
    const item = active instanceof Element ? active.closest('[data-testid="transcript-line"]') : null;
    if (!item) return null;
    return {
      element: active,
      id: Number(item.dataset.lineId),
      testid: active === item ? null : active.dataset.testid || null,
      start: typeof active.selectionStart === 'number' ? active.selectionStart : null,
      end: typeof active.selectionEnd === 'number' ? active.selectionEnd : null,
    };
  }

  function restoreFocus(state, focus) {
    if (!focus || focus.element.isConnected) return;
    const item = lineElement(focus.id);
    const target = item && (focus.testid ? item.querySelector(`[data-testid="${focus.testid}"]`) : item);
    if (!target) {
      if (!state.editing) ui.input.focus({ preventScroll: true });
      return;
    }
    target.focus({ preventScroll: true });
    if (focus.start !== null && typeof target.setSelectionRange === 'function') {
      try {
        target.setSelectionRange(focus.start, focus.end);
      } catch {
        // Not a text field after all.
      }
    }
  }

  return { ui, render, renderSpeakers, renderCompose, lineElement, forgetLines };
}

function button(testid, label, handler, extraClass, disabled) {
  return h('button', {
    type: 'button',
    class: ['act', extraClass],
    testid,
    disabled,
    onclick: (event) => {
      event.stopPropagation();
      handler();
    },
  }, label);
}

// The speaker as this page's language says it: the studio names question
// lines and the narration in Chinese.
function speakerLabel(state, line) {
  if (line.kind === LineKind.QUESTION || line.speaker === Speaker.QUESTION) return t('transcript.question_speaker');
  if (line.speaker === Speaker.NARRATION) return t('transcript.narration');
  const known = speakerOf(state, line.speaker);
  return line.speaker_name || (known && known.name) || String(line.speaker || '');
}

function personName(speaker) {
  if (!speaker) return '';
  if (speaker.speaker === Speaker.NARRATION) return t('transcript.narration');
  return speaker.name || speaker.speaker;
}
