// The 远程嘉宾 / Remote guests panel of the producer console: for each
// webrtc:// slot, who is in it (green room or on air), 接入 and 退回, the
// talkback (对讲), 断开, a cue to the guest's page, and an invitation link
// made here and shown once. The console (Qt) has the same controls under
// the slot's tile, with the picture and 监听.
//
// guests_state.js holds what the panel knows; guests_view.js draws it.

import { onLangChange, t } from '../i18n.js';
import { Msg } from '../protocol.js';
import {
  initialGuests, statusReceived, slotChanged, invitationMade, admitCommand, talkCommand, endCommand, cueCommand,
  inviteCommand,
} from './guests_state.js';
import { createGuestsView } from './guests_view.js';

// mountGuests(root, {send, toast}): send(type, fields) issues a command
// (the console's command(): errors come back as toasts) and returns its
// request id or null; toast(text, kind) says what is wrong or done.
// Returns {status, changed, reply}.
export function mountGuests(root, { send, toast }) {
  let g = initialGuests();
  const invitations = new Map(); // request id → source

  const issue = (cmd) => {
    if (!cmd) return null;
    if (cmd.problem) {
      toast(t(cmd.problem), 'error');
      return null;
    }
    return send(cmd.type, cmd.fields);
  };

  const view = createGuestsView(root, {
    admit: (source) => issue(admitCommand(g, source)),
    talk: (source) => issue(talkCommand(g, source)),
    end: (source) => issue(endCommand(source)),
    cue: (source, text) => issue(cueCommand(source, text)) !== null,
    invite: (source, name, title, hours) => {
      const id = issue(inviteCommand(source, name, title, hours));
      if (id !== null) invitations.set(id, source);
    },
    copy: async (input) => {
      try {
        await navigator.clipboard.writeText(input.value);
        toast(t('guests.p.copied'), 'ok');
      } catch {
        // No clipboard (plain HTTP, or refused): selected for Ctrl+C.
        input.select();
      }
    },
  });

  const render = () => view.render(g);
  onLangChange(render);
  render();

  return {
    // hello.ok's status: the slots as they are.
    status(status) {
      g = statusReceived(g, status);
      render();
    },
    // guests.changed.
    changed(message) {
      g = slotChanged(g, String(message.source), message.slot);
      render();
    },
    // A reply to a guests.* command (a slot's new state, or an invitation).
    reply(message) {
      if (message.command === Msg.GUESTS_INVITE && invitations.has(message.id)) {
        g = invitationMade(g, invitations.get(message.id), message, location.origin);
        invitations.delete(message.id);
      } else if (message.source && message.slot) {
        g = slotChanged(g, String(message.source), message.slot);
      }
      render();
    },
  };
}
