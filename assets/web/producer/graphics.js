// The 节目包装 / Graphics panel of the producer console: lower-thirds, the
// question card, bug, clock, QR code, ticker, full-frame slates and the
// theme, all drawn into the program by the studio.
//
// As for questions, the studio is the single source of truth: the panel only
// shows the last overlay state it was handed (hello.ok, an `overlay.changed`
// event, or the reply to any overlay.* command) and sends commands; it never
// changes its own state ahead of the studio. The protocol is
// assets/protocol.md, "Broadcast graphics (`overlay.*`)".
//
// The static markup is in index.html (#graphics); only the people's buttons
// and the theme list are built here. Names, titles and the ticker are user
// text: they reach the page through h() and .value only.

import { t, onLangChange } from '../i18n.js';
import { h } from '../common.js';
import { Limits, Msg, Slate, kOverlaySides, kOverlayToggles, kSlates } from '../protocol.js';

const kDefaultMinutes = 5;
const kTickMs = 250;

// mountGraphics(root, {send}) wires the panel under root; send(type, fields)
// issues a command (the console's command(): errors come back as toasts).
// Returns update(overlay) — the whole state, or null when logged out.
export function mountGraphics(root, { send }) {
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

  let overlay = null;
  let peopleKey = null; // the people the buttons were built for
  let themesKey = null;
  let tickerShown = null; // the studio's ticker text last put into the input
  let slateEnd = null; // performance.now() at which the countdown reaches 0
  let timer = null;
  const themeNames = new Map(); // theme id → display name, learned as themes go on air

  // --- Commands.

  for (const name of kOverlayToggles) {
    el.toggles[name].addEventListener('click', () => {
      const part = overlay && overlay[name];
      if (part) send(`overlay.${name}`, { visible: !part.visible });
    });
  }

  el.tickerText.addEventListener('input', render);
  el.tickerText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      tickerOnAir();
    }
  });
  el.tickerOn.addEventListener('click', tickerOnAir);
  el.tickerOff.addEventListener('click', () => send(Msg.OVERLAY_TICKER, { visible: false }));

  function tickerOnAir() {
    if (!overlay || el.tickerText.value.trim() === '') return;
    send(Msg.OVERLAY_TICKER, { text: el.tickerText.value, visible: true });
  }

  el.slates.none.addEventListener('click', () => send(Msg.OVERLAY_SLATE, { slate: Slate.NONE }));
  el.slates.hold.addEventListener('click', () => send(Msg.OVERLAY_SLATE, { slate: Slate.HOLD }));
  el.slates.starting.addEventListener('click', () =>
    send(Msg.OVERLAY_SLATE, { slate: Slate.STARTING, countdown_s: countdownSeconds() }));

  function countdownSeconds() {
    const minutes = Number(el.minutes.value);
    if (!Number.isFinite(minutes) || minutes < 0) return kDefaultMinutes * 60;
    return Math.min(Limits.COUNTDOWN_S, Math.round(minutes * 60));
  }

  el.theme.addEventListener('change', () => {
    const chosen = el.theme.value;
    // The list keeps showing the theme on air until the studio says it
    // changed: a refused switch must not leave the wrong name selected.
    el.theme.value = overlay ? overlay.theme : '';
    if (overlay && chosen !== overlay.theme) send(Msg.OVERLAY_THEME, { theme: chosen });
  });

  el.clear.addEventListener('click', () => send(Msg.OVERLAY_CLEAR));

  function lowerThird(person, side) {
    const shown = overlay && overlay.lower_thirds && overlay.lower_thirds[side];
    if (shown && shown.person === person) send(Msg.OVERLAY_LOWER_THIRD, { person, visible: false });
    else send(Msg.OVERLAY_LOWER_THIRD, { person, visible: true, side });
  }

  // --- State.

  function update(next) {
    overlay = next && typeof next === 'object' ? next : null;
    if (!overlay) {
      tickerShown = null;
      el.tickerText.value = '';
    }
    if (overlay && overlay.theme && overlay.theme_name) themeNames.set(overlay.theme, String(overlay.theme_name));
    // remaining_s is as of this message; between updates the panel counts
    // down by itself (the studio sends no event per second).
    const slate = overlay && overlay.slate;
    slateEnd = slate && slate.kind === Slate.STARTING && Number.isFinite(slate.remaining_s)
      ? performance.now() + slate.remaining_s * 1000 : null;
    render();
  }

  // --- Rendering.

  function render() {
    renderPeople();
    renderToggles();
    renderTicker();
    renderSlate();
    renderTheme();
    el.clear.disabled = !overlay;
  }

  function people() {
    const list = overlay && Array.isArray(overlay.people) ? overlay.people : [];
    // The host first, then the guests in their order (guest2 before guest10).
    return [...list].filter((p) => p && typeof p.person === 'string').sort((a, b) =>
      (b.person === 'host') - (a.person === 'host') ||
      a.person.localeCompare(b.person, 'en', { numeric: true }));
  }

  function renderPeople() {
    const list = people();
    const key = JSON.stringify(list.map((p) => [p.person, p.name, p.title]));
    // Rebuilt only when the people change, so a pressed button keeps focus.
    if (key !== peopleKey) {
      peopleKey = key;
      el.people.replaceChildren(...list.map(personButtons));
    }
    el.noPeople.hidden = !overlay || list.length > 0;
    const thirds = (overlay && overlay.lower_thirds) || {};
    for (const button of el.people.querySelectorAll('button[data-side]')) {
      const shown = thirds[button.dataset.side];
      const on = Boolean(shown && shown.person === button.dataset.person);
      setPressed(button, on);
      button.classList.toggle('g-auto', on && Boolean(shown.automatic));
      button.title = t(on && shown.automatic ? 'graphics.lt_automatic' : `graphics.lt_${button.dataset.side}`,
                       { name: personName(button.dataset.person) });
      button.disabled = !overlay;
    }
  }

  function personName(person) {
    const entry = people().find((p) => p.person === person);
    return entry ? entry.name || person : person;
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

  function renderToggles() {
    for (const name of kOverlayToggles) {
      const part = overlay && overlay[name];
      const button = el.toggles[name];
      setPressed(button, Boolean(part && part.visible));
      button.disabled = !part || (name === 'card' && !part.question);
    }
    const question = overlay && overlay.card && overlay.card.question;
    el.toggles.card.title = question ? `#${question.id} ${question.text || ''}` : t('graphics.card_none');
  }

  function renderTicker() {
    const ticker = (overlay && overlay.ticker) || null;
    const input = el.tickerText;
    // New text from the studio replaces the input, but never under the
    // producer's fingers: while it has focus, what they type is kept.
    if (ticker && ticker.text !== tickerShown && document.activeElement !== input) {
      input.value = String(ticker.text || '');
      tickerShown = ticker.text;
    }
    const onAir = Boolean(ticker && ticker.visible);
    input.disabled = !overlay;
    input.classList.toggle('g-on-air', onAir);
    el.tickerOn.disabled = !overlay || input.value.trim() === '';
    el.tickerOn.textContent = t(onAir && input.value !== ticker.text ? 'graphics.ticker_update' : 'graphics.ticker_on');
    setPressed(el.tickerOn, onAir && input.value === ticker.text);
    el.tickerOff.disabled = !onAir;
  }

  function renderSlate() {
    const kind = overlay && overlay.slate ? overlay.slate.kind : null;
    for (const [name, button] of Object.entries(el.slates)) {
      setPressed(button, kind === name);
      button.disabled = !overlay;
    }
    el.minutes.disabled = !overlay;
    el.silenced.hidden = !(overlay && overlay.program_silenced);
    tick();
  }

  // Shows the countdown and keeps a timer running only while there is one.
  function tick() {
    el.remaining.hidden = slateEnd === null;
    if (slateEnd === null) {
      clearInterval(timer);
      timer = null;
      return;
    }
    const seconds = Math.max(0, Math.ceil((slateEnd - performance.now()) / 1000));
    el.remaining.textContent = t('graphics.slate_remaining', { time: mmss(seconds) });
    if (timer === null) timer = setInterval(tick, kTickMs);
  }

  function renderTheme() {
    const current = overlay ? String(overlay.theme || '') : '';
    const ids = overlay && Array.isArray(overlay.themes) ? overlay.themes.map(String) : [];
    if (current && !ids.includes(current)) ids.push(current);
    const key = JSON.stringify(ids.map((id) => [id, themeNames.get(id) || '']));
    if (key !== themesKey) {
      themesKey = key;
      el.theme.replaceChildren(...ids.map((id) =>
        h('option', { value: id }, themeNames.has(id) ? `${themeNames.get(id)} · ${id}` : id)));
    }
    el.theme.value = current;
    el.theme.disabled = !overlay || ids.length < 2;
  }

  onLangChange(() => {
    peopleKey = null; // the buttons' labels are in the old language
    render();
  });

  el.minutes.value = String(kDefaultMinutes);
  render();
  return { update };
}

function setPressed(button, pressed) {
  button.setAttribute('aria-pressed', pressed ? 'true' : 'false');
}

// 290 → "04:50"; an hour or more stays in minutes ("90:00").
function mmss(seconds) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}
