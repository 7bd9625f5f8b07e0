// Draws the guest page's state (state.js) into index.html's elements, and
// hands the guest's clicks and choices to `actions`.

import { t } from '../i18n.js';
import { Phase } from './state.js';

export function createView(actions) {
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const camera = $('camera');
  const microphone = $('microphone');
  camera.addEventListener('change', () => actions.device('camera', camera.value));
  microphone.addEventListener('change', () => actions.device('microphone', microphone.value));
  $('join').addEventListener('click', () => actions.join());
  $('leave').addEventListener('click', () => actions.leave());

  function fillSelect(select, list, chosen) {
    const ids = list.map((d) => d.id).join('\n');
    if (select.dataset.ids !== ids) {
      select.replaceChildren(...list.map((d) => {
        const option = document.createElement('option');
        option.value = d.id;
        option.textContent = d.label;
        return option;
      }));
      select.dataset.ids = ids;
    }
    if (chosen) select.value = chosen;
  }

  function showMessage(node, message) {
    node.hidden = !message;
    node.textContent = message ? t(message.key, message.vars) : '';
  }

  return {
    render(state) {
      const invitation = state.invitation;
      $('show-title').textContent = invitation ? invitation.show : '';
      $('who').textContent = invitation
        ? t('guest.invited_as', { name: invitation.name, title: invitation.title || '' }).trim()
        : '';
      const phase = $('phase');
      phase.dataset.phase = state.phase;
      phase.textContent = t(`guest.phase.${state.phase}`);
      fillSelect(camera, state.devices.cameras, state.camera);
      fillSelect(microphone, state.devices.microphones, state.microphone);
      showMessage($('notice'), state.notice);
      showMessage($('media-error'), state.mediaError);
      showMessage($('network-error'), state.networkError);
      const cue = $('cue');
      cue.hidden = !state.cue;
      $('cue-text').textContent = state.cue ? state.cue.text : '';
      $('talkback').hidden = !state.talkback;
      const inSession = [Phase.JOINING, Phase.WAITING, Phase.LIVE, Phase.REJOINING].includes(state.phase);
      $('join').hidden = inSession || state.phase === Phase.REFUSED || state.phase === Phase.LOADING;
      $('join').disabled = !!state.mediaError;
      $('join').textContent = t(state.phase === Phase.LEFT ? 'guest.rejoin' : 'guest.join');
      $('leave').hidden = !inSession;
    },
    selfView(stream) {
      $('self-view').srcObject = stream;
    },
    // The program and the guest's mix-minus, as the studio sends them back.
    returnView(stream) {
      const video = $('return-view');
      if (video.srcObject !== stream) video.srcObject = stream;
      video.play().catch(() => {});
    },
    level(fraction) {
      $('meter').style.width = `${Math.round(Math.min(1, fraction) * 100)}%`;
    },
  };
}
