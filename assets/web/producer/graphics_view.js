// The producer's graphics panel drawn from its state (graphics_state.js).
// The static markup is in index.html (#graphics); only the people's buttons
// and the theme list are built here, and rebuilt only when the people or
// the themes change, so that a pressed button keeps the focus. Names,
// titles and the ticker are user text: they reach the page through h() and
// .value only.

import { t } from '../i18n.js';
import { h } from '../common.js';
import { kOverlaySides, kOverlayToggles, kSlates } from '../protocol.js';
import {
  lowerThirdShown, mmss, people, personName, slateKind, slateRemainingS, themeChoice, tickerShown, toggleShown,
} from './graphics_state.js';

// createGraphicsView(root, {lowerThird}) finds the panel's elements under
// root and returns what draws them; lowerThird(person, side) acts on a
// person's side button.
export function createGraphicsView(root, { lowerThird }) {
  const $ = (id) => root.querySelector(`[data-testid="${id}"]`);
  const el = {
    people: $('graphics-people'),
    noPeople: $('graphics-no-people'),
    toggles: Object.fromEntries(kOverlayToggles.map((name) => [name, $(`graphics-${name}`)])),
    tickerText: $('graphics-ticker-text'),
    tickerOn: $('graphics-ticker-on'),
    tickerOff: $('graphics-ticker-off'),
    slates: Object.fromEntries(kSlates.map((kind) => [kind, $(`graphics-slate-${kind}`)])),
    minutes: $('graphics-slate-minutes'),
    remaining: $('graphics-slate-remaining'),
    silenced: $('graphics-silenced'),
    theme: $('graphics-theme'),
    clear: $('graphics-clear'),
  };

  let peopleKey = null; // the people the buttons were built for
  let themesKey = null;
  let tickerText = null; // the studio's ticker text last put into the input

  function render(state, nowMs) {
    renderPeople(state);
    renderToggles(state);
    renderTicker(state);
    renderSlate(state, nowMs);
    renderTheme(state);
    el.clear.disabled = !state.overlay;
  }

  // The people's buttons are built again at the next render (a new language).
  function forgetPeople() {
    peopleKey = null;
  }

  function renderPeople(state) {
    const list = people(state);
    const key = JSON.stringify(list.map((p) => [p.person, p.name, p.title]));
    if (key !== peopleKey) {
      peopleKey = key;
      el.people.replaceChildren(...list.map(personButtons));
    }
    el.noPeople.hidden = !state.overlay || list.length > 0;
    for (const button of el.people.querySelectorAll('button[data-side]')) {
      const { person, side } = button.dataset;
      const { on, automatic } = lowerThirdShown(state, person, side);
      setPressed(button, on);
      button.classList.toggle('g-auto', automatic);
      button.title = t(automatic ? 'graphics.lt_automatic' : `graphics.lt_${side}`,
                       { name: personName(state, person) });
      button.disabled = !state.overlay;
    }
  }

  function personButtons(p) {
    const name = String(p.name || p.person);
    const title = String(p.title || '');
    return h('span', { class: 'g-person', testid: `graphics-lt-${p.person}` },
      h('span', { class: 'g-person-label', title: title ? `${name} ${title}` : name },
        h('span', { class: 'g-person-name' }, name),
        title ? h('span', { class: 'g-person-title' }, title) : null),
      kOverlaySides.map((side) => h('button', {
        type: 'button',
        class: 'g-btn g-side',
        testid: `graphics-lt-${p.person}-${side}`,
        dataset: { person: p.person, side },
        'aria-pressed': 'false',
        'aria-label': t(`graphics.lt_${side}`, { name }),
        onclick: () => lowerThird(p.person, side),
      }, t(`graphics.${side}`))));
  }

  function renderToggles(state) {
    for (const name of kOverlayToggles) {
      const { pressed, disabled } = toggleShown(state, name);
      setPressed(el.toggles[name], pressed);
      el.toggles[name].disabled = disabled;
    }
    const question = state.overlay && state.overlay.card && state.overlay.card.question;
    el.toggles.card.title = question ? `#${question.id} ${question.text || ''}` : t('graphics.card_none');
  }

  function renderTicker(state) {
    const ticker = (state.overlay && state.overlay.ticker) || null;
    const input = el.tickerText;
    if (!state.overlay) {
      tickerText = null;
      input.value = '';
    }
    // New text from the studio replaces the input, but never under the
    // producer's fingers: while it has focus, what they type is kept.
    if (ticker && ticker.text !== tickerText && document.activeElement !== input) {
      input.value = String(ticker.text || '');
      tickerText = ticker.text;
    }
    const shown = tickerShown(state, input.value);
    input.disabled = !state.overlay;
    input.classList.toggle('g-on-air', shown.onAir);
    el.tickerOn.disabled = shown.onDisabled;
    el.tickerOn.textContent = t(shown.update ? 'graphics.ticker_update' : 'graphics.ticker_on');
    setPressed(el.tickerOn, shown.pressed);
    el.tickerOff.disabled = shown.offDisabled;
  }

  function renderSlate(state, nowMs) {
    const kind = slateKind(state);
    for (const [name, button] of Object.entries(el.slates)) {
      setPressed(button, kind === name);
      button.disabled = !state.overlay;
    }
    el.minutes.disabled = !state.overlay;
    el.silenced.hidden = !(state.overlay && state.overlay.program_silenced);
    renderCountdown(state, nowMs);
  }

  // The starting slate's countdown: drawn with everything else, and on its
  // own every few hundred milliseconds while there is one.
  function renderCountdown(state, nowMs) {
    const seconds = slateRemainingS(state, nowMs);
    el.remaining.hidden = seconds === null;
    if (seconds !== null) el.remaining.textContent = t('graphics.slate_remaining', { time: mmss(seconds) });
  }

  function renderTheme(state) {
    const { options, current, disabled } = themeChoice(state);
    const key = JSON.stringify(options.map((o) => [o.id, o.label]));
    if (key !== themesKey) {
      themesKey = key;
      el.theme.replaceChildren(...options.map((o) => h('option', { value: o.id }, o.label)));
    }
    el.theme.value = current;
    el.theme.disabled = disabled;
  }

  return { el, render, renderCountdown, forgetPeople };
}

function setPressed(button, pressed) {
  button.setAttribute('aria-pressed', pressed ? 'true' : 'false');
}
