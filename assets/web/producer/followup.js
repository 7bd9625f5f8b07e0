// The 问政跟踪 panel of the producer console: record a promise made on air
// (with the question on air), forward the session's unanswered questions to
// departments, follow the items (open and overdue first, a department's
// request to reassign), and approve the comments citizens wrote with their
// ratings. followup_state.js holds what it knows; followup_view.js draws it.

import { onLangChange, t } from '../i18n.js';
import { Msg } from '../protocol.js';
import {
  initialFollowup, departmentsReceived, listReceived, itemChanged, countsReceived, toggled, allSelected, forwarded,
  forwardCommand, commitCommand,
} from './followup_state.js';
import { createFollowupView } from './followup_view.js';

// mountFollowup(root, {send, questions, onAir, toast}): send(type, fields)
// issues a command and returns its request id; questions() the console's
// questions (a Map); onAir() the id of the question on air or null;
// toast(text) says what is missing. Returns {signedIn, reply, changed,
// status, render}.
export function mountFollowup(root, { send, questions, onAir, toast }) {
  let f = initialFollowup();
  const view = createFollowupView(root, {
    toggle: (id) => { f = toggled(f, id); render(); },
    reassign: (item, department) => { if (department) send(Msg.FOLLOWUP_REASSIGN, { item, department }); },
    moderate: (rating, action) => send(Msg.FOLLOWUP_MODERATE, { rating, action }),
  });
  const { el } = view;

  function render() {
    view.render(f, questions());
  }

  function issue(cmd) {
    if (cmd.problem) {
      toast(t(cmd.problem));
      return null;
    }
    return send(cmd.type, cmd.fields);
  }

  el.promiseAdd.addEventListener('click', () => {
    const id = issue(commitCommand(el.promiseText.value, Number(el.promiseDepartment.value), el.promiseDue.value, onAir()));
    if (id !== null) el.promiseText.value = '';
  });
  el.forwardAll.addEventListener('click', () => { f = allSelected(f, questions()); render(); });
  el.forwardSend.addEventListener('click', () => {
    if (issue(forwardCommand(f, Number(el.forwardDepartment.value), el.forwardDays.value)) !== null) {
      f = forwarded(f);
      render();
    }
  });
  onLangChange(render);

  return {
    // After a producer's hello.ok: the departments and the items.
    signedIn() {
      send(Msg.FOLLOWUP_DEPARTMENTS, {});
      send(Msg.FOLLOWUP_LIST, {});
    },
    // A reply to one of the panel's commands.
    reply(message) {
      if (message.command === Msg.FOLLOWUP_DEPARTMENTS) f = departmentsReceived(f, message);
      else if (message.command === Msg.FOLLOWUP_LIST) f = listReceived(f, message);
      else if (message.item) f = itemChanged(f, message.item);
      if (message.command === Msg.FOLLOWUP_FORWARD && Array.isArray(message.refused) && message.refused.length) {
        toast(t('followup.p.refused', { n: message.refused.length }));
      }
      if (message.command === Msg.FOLLOWUP_MODERATE || message.command === Msg.FOLLOWUP_FORWARD) {
        send(Msg.FOLLOWUP_LIST, {});
      }
      render();
    },
    changed(message) {
      f = itemChanged(f, message.item);
      if (message.action === 'rate') send(Msg.FOLLOWUP_LIST, {});
      render();
    },
    status(status) {
      f = countsReceived(f, status);
      render();
    },
    render,
  };
}
