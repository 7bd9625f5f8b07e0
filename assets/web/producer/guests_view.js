// The 远程嘉宾 panel drawn from its state (guests_state.js): a row per
// webrtc:// slot with its state, who is in it, 接入/退回, 对讲, 断开, a cue
// to the guest's page and an invitation (name, title, hours) whose link is
// shown once, with 复制.
//
// Selectors (data-testid): guests-panel, guest-slots > guest-slot
// (data-source, data-state) with guest-state, guest-who, guest-admit,
// guest-talk, guest-end, guest-cue-text, guest-cue-send, guest-invite-name,
// guest-invite-title, guest-invite-hours, guest-invite-make, guest-link,
// guest-link-copy.
//
// A row is made once per slot and then updated in place: what the producer
// is typing into it survives the studio's updates.

import { h } from '../common.js';
import { t } from '../i18n.js';
import { Limits } from '../protocol.js';
import { kDefaultHours, slotView } from './guests_state.js';

export function createGuestsView(root, actions) {
  const list = root.querySelector('[data-testid="guest-slots"]');
  const rows = new Map(); // source → {node, parts}

  function makeRow(source) {
    const p = {};
    p.label = h('span', { class: 'gs-label' });
    p.state = h('span', { class: 'badge', testid: 'guest-state' });
    p.who = h('span', { class: 'gs-who', testid: 'guest-who' });
    p.admit = h('button', { type: 'button', class: 'g-btn', testid: 'guest-admit', onclick: () => actions.admit(source) });
    p.talk = h('button', { type: 'button', class: 'g-btn', testid: 'guest-talk', onclick: () => actions.talk(source) });
    p.end = h('button', { type: 'button', class: 'g-btn g-neutral', testid: 'guest-end', onclick: () => actions.end(source) });
    p.cueText = h('input', { type: 'text', class: 'g-input gs-cue', testid: 'guest-cue-text', maxLength: Limits.CUE_CHARS,
      autocomplete: 'off', onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); sendCue(); } } });
    p.cueSend = h('button', { type: 'button', class: 'g-btn', testid: 'guest-cue-send', onclick: () => sendCue() });
    p.cue = h('span', { class: 'gs-group' }, p.cueText, p.cueSend);
    p.name = h('input', { type: 'text', class: 'g-input gs-name', testid: 'guest-invite-name', maxLength: Limits.GUEST_NAME_CHARS, autocomplete: 'off' });
    p.title = h('input', { type: 'text', class: 'g-input gs-title', testid: 'guest-invite-title', maxLength: Limits.GUEST_TITLE_CHARS, autocomplete: 'off' });
    p.hours = h('input', { type: 'number', class: 'g-input g-minutes', testid: 'guest-invite-hours', min: '1',
      max: String(Limits.GUEST_HOURS_MAX), step: '1', inputmode: 'numeric', value: String(kDefaultHours) });
    p.hoursUnit = h('span', { class: 'g-unit' });
    p.make = h('button', { type: 'button', class: 'g-btn', testid: 'guest-invite-make',
      onclick: () => actions.invite(source, p.name.value, p.title.value, p.hours.value) });
    p.link = h('input', { type: 'text', class: 'g-input gs-link', testid: 'guest-link', readOnly: true });
    p.copy = h('button', { type: 'button', class: 'g-btn', testid: 'guest-link-copy', onclick: () => actions.copy(p.link) });
    p.linkNote = h('span', { class: 'g-note' });
    p.linkRow = h('div', { class: 'gs-row' }, p.link, p.copy, p.linkNote);
    function sendCue() {
      if (actions.cue(source, p.cueText.value)) p.cueText.value = '';
    }
    const node = h('li', { class: 'gs-slot', testid: 'guest-slot', dataset: { source } },
      h('div', { class: 'gs-row' }, p.label, p.state, p.who, p.admit, p.talk, p.end, p.cue),
      h('div', { class: 'gs-row' }, p.name, p.title, p.hours, p.hoursUnit, p.make),
      p.linkRow);
    return { node, p };
  }

  return {
    render(state) {
      root.hidden = state.slots.length === 0;
      const wanted = [];
      for (const entry of state.slots) {
        if (!rows.has(entry.id)) rows.set(entry.id, makeRow(entry.id));
        const { node, p } = rows.get(entry.id);
        const v = slotView(state, entry);
        node.dataset.state = entry.slot.state || 'waiting';
        p.label.textContent = entry.label;
        p.state.textContent = t(v.stateKey);
        p.state.className = `badge gs-state-${node.dataset.state}`;
        p.who.textContent = v.publisher ? t('guests.p.publisher', { name: v.who }) : v.who;
        p.admit.hidden = v.admit === null;
        p.admit.textContent = t(v.admit === 'hold' ? 'guests.p.hold' : 'guests.p.admit');
        p.talk.hidden = !v.talk;
        p.talk.textContent = t('guests.p.talk');
        p.talk.setAttribute('aria-pressed', String(v.talking));
        p.end.hidden = !v.end;
        p.end.textContent = t('guests.p.end');
        p.cue.hidden = !v.cue;
        p.cueText.placeholder = t('guests.p.cue_placeholder');
        p.cueSend.textContent = t('guests.p.cue_send');
        p.name.placeholder = t('guests.p.name');
        p.title.placeholder = t('guests.p.title');
        p.hours.title = t('guests.p.hours_label');
        p.hours.setAttribute('aria-label', t('guests.p.hours_label'));
        p.hoursUnit.textContent = t('guests.p.hours_unit');
        p.make.textContent = t('guests.p.invite');
        p.linkRow.hidden = !v.link;
        if (p.link.value !== v.link) p.link.value = v.link;
        p.copy.textContent = t('guests.p.copy');
        p.linkNote.textContent = t('guests.p.link_once');
        wanted.push(node);
      }
      list.replaceChildren(...wanted);
    },
  };
}
