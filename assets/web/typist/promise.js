// The typist's key for promises (问政跟踪): Alt+P takes the last line of the
// record as a promise made on air; the bar under the text box asks for the
// department and the deadline, and Enter (or 记录) sends followup.commit with
// the line, so the promise keeps the line's words and its moment in the show.

import { h } from '../common.js';
import { t } from '../i18n.js';
import { Msg } from '../protocol.js';

// mountPromise(root, {send, lastLine, done}): send(message) returns a request
// id (or null); lastLine() the last line of the record or null; done() gives
// the keyboard back to the text box. Returns {signedIn, open, close, reply,
// error}: reply and error say whether the message was the bar's.
export function mountPromise(root, { send, lastLine, done }) {
  const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
  const el = {
    bar: $('promise-bar'), line: $('promise-line'), department: $('promise-department'), due: $('promise-due'),
    save: $('promise-save'), cancel: $('promise-cancel'), message: $('promise-message'),
  };
  let departmentsRequest = null;
  let commitRequest = null;
  let lineId = 0;

  function say(key, vars, kind) {
    el.message.hidden = !key;
    el.message.textContent = key ? t(key, vars) : '';
    el.message.dataset.kind = kind || '';
  }

  function close() {
    el.bar.hidden = true;
    done();
  }

  function save() {
    const department = Number(el.department.value);
    if (!department) {
      say('followup.p.pick_department', null, 'error');
      el.department.focus();
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(el.due.value)) {
      say('followup.p.pick_due', null, 'error');
      el.due.focus();
      return;
    }
    commitRequest = send({ type: Msg.FOLLOWUP_COMMIT, line: lineId, department, due: el.due.value });
  }

  el.save.addEventListener('click', save);
  el.cancel.addEventListener('click', close);
  el.bar.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });

  return {
    signedIn() {
      departmentsRequest = send({ type: Msg.FOLLOWUP_DEPARTMENTS });
    },
    open() {
      const line = lastLine();
      if (!line) {
        say('typist.promise_no_line', null, 'error');
        return;
      }
      lineId = line.id;
      el.line.textContent = line.text;
      el.bar.hidden = false;
      say(null);
      (el.department.value ? el.due : el.department).focus();
    },
    close,
    reply(message) {
      if (message.id === departmentsRequest) {
        const list = Array.isArray(message.departments) ? message.departments.filter((d) => !d.removed) : [];
        el.department.replaceChildren(h('option', { value: '' }, t('followup.p.department')),
          ...list.map((d) => h('option', { value: String(d.id) }, d.name)));
        return true;
      }
      if (message.id === commitRequest) {
        commitRequest = null;
        say('typist.promise_saved', { department: message.item ? message.item.department.name : '' }, 'ok');
        close();
        return true;
      }
      return false;
    },
    error(message) {
      if (message.id === undefined || message.id !== commitRequest) return false;
      commitRequest = null;
      say('typist.promise_failed', { reason: message.message || message.code }, 'error');
      return true;
    },
  };
}
