// The viewer page drawn from its state (state.js): the show's header, the
// question on air, the question form, the viewer's own questions, the
// public list with votes, the live text and the video's status. People's
// text reaches the page through h() and textContent only.

import { t } from '../i18n.js';
import { h, icon, codePoints, clockTime, timecode, syncChildren, ConnState } from '../common.js';
import { LineKind, Speaker, Status, kCategories, kStatuses } from '../protocol.js';
import { canVote, formProblem, canSubmit, publicDisplayOrder, unconfirmed } from './state.js';
import { followupOf, initialFollowup, kMaxCommentChars, kRatings, mayRate, otherFollowups } from './followup_state.js';

// createView({vote, rate}) finds the page's elements and returns what draws
// them; vote(questionId) acts on an up-vote button, rate(itemId, rating,
// comment) on a rating of a department's reply (问政跟踪).
export function createView({ vote, rate }) {
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const ui = {
    title: $('show-title'),
    people: $('show-people'),
    live: $('live-indicator'),
    liveText: document.querySelector('[data-testid="live-indicator"] .live-text'),
    observer: $('viewer-observer'),
    banner: $('connection-banner'),
    notice: $('notice'),
    video: $('video'),
    videoStatus: $('video-status'),
    onAirCard: $('onair-card'),
    onAirText: $('onair-text'),
    onAirMeta: $('onair-meta'),
    form: $('question-form'),
    nickname: $('question-nickname'),
    text: $('question-text'),
    counter: $('question-counter'),
    submit: $('question-submit'),
    formMessage: $('question-message'),
    mine: $('my-questions'),
    mineEmpty: $('my-questions-empty'),
    publicList: $('public-questions'),
    publicEmpty: $('public-empty'),
    publicMessage: $('public-message'),
    liveBlog: $('live-text'), // (liveText above is the LIVE badge's label)
    liveBlogList: $('live-text-list'),
    liveBlogEmpty: $('live-text-empty'),
    langToggle: $('lang-toggle'),
  };

  // Live text items are kept by id and rebuilt only when their line (or the
  // language) changes, so that a new line is one insertion for a screen
  // reader, not a new list.
  const liveItems = new Map(); // id → {key, el}
  // 我的提问's follow-up (followup_state.js), set by app.js.
  let followup = initialFollowup();

  function renderAll(state) {
    renderHeader(state);
    renderNotice(state);
    renderConnection(state);
    renderOnAir(state);
    renderForm(state);
    renderMine(state);
    renderPublic(state);
    renderLiveText(state);
  }

  // For tests: the lists of this connection's hello.ok are in place.
  function renderHello(said) {
    if (said) document.body.dataset.hello = 'ok';
    else delete document.body.dataset.hello;
  }

  function renderHeader(state) {
    const show = state.show;
    const title = show && show.title ? show.title : t('viewer.title_default');
    ui.title.textContent = title;
    if (show && show.title) document.title = show.title;
    const people = [];
    if (show && show.host && show.host.name) {
      people.push(h('span', { class: 'person' },
                    h('span', { class: 'person-role' }, t('viewer.host')), ' ',
                    h('span', { class: 'person-name' }, show.host.name)));
    }
    const guests = show && Array.isArray(show.guests) ? show.guests.filter((g) => g && g.name) : [];
    if (guests.length > 0) {
      people.push(h('span', { class: 'person' },
                    h('span', { class: 'person-role' }, t('viewer.guests')), ' ',
                    guests.map((guest, i) => [
                      i > 0 ? '、' : null,
                      h('span', { class: 'person-name', testid: 'show-guest' }, guest.name),
                      guest.title ? h('span', { class: 'person-title' }, guest.title) : null,
                    ])));
    }
    ui.people.replaceChildren(...people);
    ui.people.hidden = people.length === 0;
    ui.observer.hidden = !state.observerName;
    ui.observer.textContent = state.observerName ? t('observer.badge', { name: state.observerName }) : '';
  }

  function renderNotice(state) {
    ui.notice.hidden = !state.noticeKey;
    ui.notice.textContent = state.noticeKey ? t(state.noticeKey, state.noticeVars || undefined) : '';
  }

  function renderConnection(state) {
    const closed = state.connection === ConnState.CLOSED;
    // At a public edge the page may be connected while the studio is not.
    const key = closed ? 'conn.closed' : state.studioReachable === false ? 'conn.studio_reconnecting' : null;
    ui.banner.hidden = key === null;
    ui.banner.textContent = key ? t(key) : '';
  }

  function renderOnAir(state) {
    const q = state.onAir;
    ui.onAirCard.dataset.state = q ? 'on_air' : 'none';
    if (q) {
      ui.onAirCard.dataset.questionId = String(q.id);
      ui.onAirText.textContent = q.text || '';
      ui.onAirMeta.replaceChildren(...questionMeta(q).filter(Boolean));
    } else {
      delete ui.onAirCard.dataset.questionId;
      ui.onAirText.textContent = t('onair.none');
      ui.onAirMeta.replaceChildren();
    }
  }

  function renderForm(state) {
    const count = codePoints(ui.text.value);
    const max = state.limits.max_chars;
    ui.counter.textContent = `${count}/${max}`;
    ui.counter.classList.toggle('over', count > max);
    ui.nickname.classList.toggle('over', codePoints(ui.nickname.value.trim()) > state.limits.max_nickname_chars);
    const waiting = state.submitRequest !== null;
    const offline = state.connection !== ConnState.OPEN;
    ui.submit.disabled = Boolean(formProblem(state, ui.text.value, ui.nickname.value)) ||
      !canSubmit(state, Date.now()) || offline;
    ui.submit.textContent = waiting ? t('form.sending') : t('form.submit');
    ui.form.setAttribute('aria-busy', waiting ? 'true' : 'false');

    let message = state.formMessage;
    if (offline && (!message || message.kind === 'ok')) message = { key: 'error.offline', kind: 'error' };
    ui.formMessage.hidden = !message;
    ui.formMessage.textContent = message ? t(message.key, message.vars) : '';
    ui.formMessage.dataset.kind = message ? message.kind : '';
  }

  function renderMine(state) {
    // Sent but not yet acknowledged (the connection dropped before the
    // answer): shown once, as 等待确认, until the studio acknowledges it.
    const waiting = unconfirmed(state).reverse().map((e) =>
      h('li', { class: 'question mine-item is-unconfirmed', testid: 'my-question',
                dataset: { clientId: e.clientId, status: 'sending' } },
        h('div', { class: 'question-head' },
          h('span', { class: 'badge status-sending', testid: 'my-question-status', dataset: { status: 'sending' } },
            t('status.sending')),
          kCategories.includes(e.category) ? h('span', { class: 'category' }, t(`category.${e.category}`)) : null),
        h('p', { class: 'question-text', testid: 'my-question-text' }, e.text),
        h('p', { class: 'question-note' }, t('mine.unconfirmed'))));
    // Newest first: the one just sent is where the eye is.
    const items = waiting.concat(state.mine.slice().reverse().map((q) =>
      h('li', { class: 'question mine-item', testid: 'my-question', dataset: { questionId: q.id, status: q.status } },
        h('div', { class: 'question-head' },
          statusBadge(q.status, 'my-question-status'),
          kCategories.includes(q.category) ? h('span', { class: 'category' }, t(`category.${q.category}`)) : null,
          h('time', { class: 'time', datetime: q.received_utc || null }, clockTime(q.received_utc))),
        h('p', { class: 'question-text', testid: 'my-question-text' }, q.text || ''),
        q.status === Status.MERGED && q.merged_into != null
          ? h('p', { class: 'question-note' }, t('mine.merged_into', { id: q.merged_into })) : null,
        followupBlock(followupOf(followup, q.id)))));
    // Followed-up questions of earlier shows (or merged into another's).
    const others = otherFollowups(followup, state.mine).map((item) =>
      h('li', { class: 'question mine-item', testid: 'my-question', dataset: { itemId: item.id, status: 'followup' } },
        h('p', { class: 'question-text', testid: 'my-question-text' }, item.text || ''),
        item.show ? h('p', { class: 'question-note' }, item.show.title) : null,
        followupBlock(item)));
    items.push(...others);
    ui.mine.replaceChildren(...items);
    ui.mineEmpty.hidden = items.length > 0;
  }

  // Under a question: where it went after the show, the department's reply
  // and, once there is one, the asker's rating (once).
  function followupBlock(item) {
    if (!item) return null;
    const overdue = item.status === 'overdue';
    const parts = [
      h('p', { class: ['followup-status', overdue ? 'is-overdue' : null], testid: 'my-followup-status',
               dataset: { status: item.status } },
        t('mine.followup.forwarded', { department: item.department.name, due: item.due }),
        ' · ', t(overdue ? 'followup.status.overdue_question' : `followup.status.${item.status}`)),
    ];
    if (item.reply) {
      parts.push(h('div', { class: 'followup-reply', testid: 'my-followup-reply' },
        h('span', { class: 'reply-label' }, t('followup.reply_label')),
        h('p', {}, item.reply)));
    }
    if (item.my_rating) {
      parts.push(h('p', { class: 'followup-rated', testid: 'my-followup-rated', dataset: { rating: item.my_rating } },
        t('mine.followup.rated', { rating: t(`followup.rating.${item.my_rating}`) })));
    } else if (mayRate(followup, item)) {
      const comment = h('input', {
        type: 'text', class: 'followup-comment', testid: 'my-followup-comment', maxlength: kMaxCommentChars,
        placeholder: t('mine.followup.comment_placeholder'),
      });
      parts.push(h('div', { class: 'followup-rate', testid: 'my-followup-rate' },
        h('span', {}, t('mine.followup.rate')),
        ...kRatings.map((rating) => h('button', {
          type: 'button', class: `rate-${rating}`, testid: `rate-${rating}`,
          onclick: () => rate(item.id, rating, comment.value),
        }, t(`followup.rating.${rating}`))),
        comment));
    }
    if (followup.errors[item.id]) {
      parts.push(h('p', { class: 'question-note', role: 'alert' }, t(followup.errors[item.id])));
    }
    parts.push(h('a', { class: 'followup-link', href: `/followup/#item=${item.id}` }, t('mine.followup.public_page')));
    return h('div', { class: 'followup-block', testid: 'my-followup', dataset: { itemId: item.id } }, ...parts);
  }

  function setFollowup(next) {
    followup = next;
  }

  function renderPublic(state) {
    const items = publicDisplayOrder(state).map((q) => {
      const voted = state.voted.has(q.id);
      const button = h('button', {
        type: 'button',
        class: ['vote', voted ? 'voted' : null],
        testid: 'public-question-vote',
        disabled: !canVote(state, q),
        'aria-pressed': voted ? 'true' : 'false',
        title: voted ? t('public.voted') : t('public.vote'),
        'aria-label': `${voted ? t('public.voted') : t('public.vote')} (${q.votes ?? 0})`,
        onclick: () => vote(q.id),
      }, icon('thumb'), h('span', { class: 'vote-count', testid: 'public-question-votes' }, String(q.votes ?? 0)));
      return h('li', {
        class: ['question', 'public-item', q.status === Status.ON_AIR ? 'is-on-air' : null],
        testid: 'public-question',
        dataset: { questionId: q.id, status: q.status },
      },
      h('div', { class: 'question-head' },
        questionMeta(q),
        q.status === Status.ON_AIR || q.status === Status.ANSWERED ? statusBadge(q.status, 'public-question-status') : null),
      h('div', { class: 'question-body' },
        h('p', { class: 'question-text', testid: 'public-question-text' }, q.text || ''),
        button));
    });
    ui.publicList.replaceChildren(...items);
    ui.publicEmpty.hidden = items.length > 0;
    const message = state.publicMessage;
    ui.publicMessage.hidden = !message;
    ui.publicMessage.textContent = message ? t(message.key, message.vars) : '';
  }

  function renderLiveText(state) {
    const seen = new Set();
    const items = state.liveLines.map((line) => {
      seen.add(line.id);
      const key = JSON.stringify([line, liveSpeaker(line)]);
      const cached = liveItems.get(line.id);
      if (cached && cached.key === key) return cached.el;
      const el = liveTextItem(line);
      liveItems.set(line.id, { key, el });
      return el;
    });
    for (const id of [...liveItems.keys()]) {
      if (!seen.has(id)) liveItems.delete(id);
    }
    syncChildren(ui.liveBlogList, items);
    ui.liveBlogEmpty.hidden = items.length > 0;
    ui.liveBlog.dataset.loaded = state.liveLoaded ? 'true' : 'false';
  }

  // The live video's state ('soon' | 'playing' | 'unsupported', from
  // program_player.js) and the LIVE badge.
  function renderVideo(videoState) {
    ui.videoStatus.hidden = videoState === 'playing';
    ui.videoStatus.dataset.i18n = videoState === 'unsupported' ? 'video.unsupported' : 'video.soon';
    ui.videoStatus.textContent = t(ui.videoStatus.dataset.i18n);
    const live = videoState === 'playing';
    ui.live.dataset.live = live ? 'true' : 'false';
    ui.liveText.dataset.i18n = live ? 'viewer.live' : 'viewer.not_live';
    ui.liveText.textContent = t(ui.liveText.dataset.i18n);
  }

  return {
    ui, renderAll, renderHello, renderNotice, renderConnection, renderOnAir, renderForm, renderMine, setFollowup,
    renderPublic, renderLiveText, renderVideo,
  };
}

function questionMeta(q) {
  return [
    h('span', { class: 'nickname', testid: 'question-nickname-label' }, q.nickname || t('anonymous')),
    q.observer ? h('span', { class: 'observer-tag', testid: 'observer-badge' },
                   t('observer.badge', { name: q.observer })) : null,
    kCategories.includes(q.category)
      ? h('span', { class: ['category', `category-${q.category}`] }, t(`category.${q.category}`)) : null,
  ];
}

function statusBadge(status, testid) {
  const value = kStatuses.includes(status) ? status : Status.PENDING;
  return h('span', { class: ['badge', `status-${value}`], testid, dataset: { status: value } },
           t(`status.${value}`));
}

// The studio names question lines and the narration in Chinese.
function liveSpeaker(line) {
  if (line.kind === LineKind.QUESTION) return t('transcript.question_speaker');
  if (line.speaker === Speaker.NARRATION) return t('transcript.narration');
  return line.speaker_name || '';
}

function liveTextItem(line) {
  const question = line.kind === LineKind.QUESTION;
  return h('li', {
    class: ['live-line', question ? 'live-line-question' : null],
    testid: 'live-text-line',
    dataset: { lineId: line.id, speaker: line.speaker, kind: line.kind },
  },
  h('div', { class: 'live-line-head' },
    h('time', { class: 'live-line-time', testid: 'live-text-line-time' }, timecode(line.start_ms)),
    h('span', { class: 'live-line-speaker', testid: 'live-text-line-speaker' }, liveSpeaker(line))),
  h('p', { class: 'live-line-text', testid: 'live-text-line-text' }, line.text || ''));
}
