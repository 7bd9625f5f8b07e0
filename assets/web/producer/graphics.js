// The 节目包装 / Graphics panel of the producer console: lower-thirds, the
// question card, bug, clock, QR code, ticker, full-frame slates and the
// theme, all drawn into the program by the studio.
//
// This module wires the panel: its buttons to the commands, the overlay
// states the console hands it, and the countdown's timer. What the panel
// knows is graphics_state.js, changed only by its pure functions;
// graphics_view.js draws it.

import { onLangChange } from '../i18n.js';
import { Slate, kOverlayToggles } from '../protocol.js';
import {
  initialGraphics, overlayChanged, toggleCommand, lowerThirdCommand, tickerOnCommand, tickerOffCommand,
  slateCommand, themeCommand, clearCommand, kDefaultMinutes,
} from './graphics_state.js';
import { createGraphicsView } from './graphics_view.js';

const kTickMs = 250;

// mountGraphics(root, {send}) wires the panel under root; send(type, fields)
// issues a command (the console's command(): errors come back as toasts).
// Returns update(overlay) — the whole state, or null when logged out.
export function mountGraphics(root, { send }) {
  let state = initialGraphics();
  let timer = null;

  const issue = (cmd) => {
    if (cmd) send(cmd.type, cmd.fields);
  };

  const view = createGraphicsView(root, {
    lowerThird: (person, side) => issue(lowerThirdCommand(state, person, side)),
  });
  const { el } = view;

  function render() {
    view.render(state, performance.now());
    // The countdown runs on a timer only while there is one.
    if (state.slateEndMs === null) {
      clearInterval(timer);
      timer = null;
    } else if (timer === null) {
      timer = setInterval(() => view.renderCountdown(state, performance.now()), kTickMs);
    }
  }

  for (const name of kOverlayToggles) {
    el.toggles[name].addEventListener('click', () => issue(toggleCommand(state, name)));
  }

  const tickerOnAir = () => issue(tickerOnCommand(state, el.tickerText.value));
  el.tickerText.addEventListener('input', render);
  el.tickerText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      tickerOnAir();
    }
  });
  el.tickerOn.addEventListener('click', tickerOnAir);
  el.tickerOff.addEventListener('click', () => issue(tickerOffCommand()));

  for (const kind of [Slate.NONE, Slate.HOLD, Slate.STARTING]) {
    el.slates[kind].addEventListener('click', () => issue(slateCommand(kind, el.minutes.value)));
  }

  el.theme.addEventListener('change', () => {
    const cmd = themeCommand(state, el.theme.value);
    // The list keeps showing the theme on air until the studio says it
    // changed: a refused switch must not leave the wrong name selected.
    render();
    issue(cmd);
  });

  el.clear.addEventListener('click', () => issue(clearCommand()));

  function update(overlay) {
    state = overlayChanged(state, overlay, performance.now());
    render();
  }

  onLangChange(() => {
    view.forgetPeople(); // the buttons' labels are in the old language
    render();
  });

  el.minutes.value = String(kDefaultMinutes);
  render();
  return { update };
}
