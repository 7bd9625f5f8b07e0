// Viewer page: the live program (HLS), the question on air, the live text
// (图文直播), the question form, the viewer's own questions and the public
// (approved) list with votes. The protocol is assets/protocol.md, "Audience
// questions" and "Live transcript".
//
// This module wires the page: the studio connection, the viewer's identity,
// votes and unacknowledged questions in localStorage, the form, the timers.
// What the page knows is viewer/state.js, changed only by its pure
// functions; viewer/view.js draws it.

import { applyStatic, mountLangToggle, onLangChange } from './i18n.js';
import { StudioSocket, ConnState, loadJson, saveJson, retrySeconds } from './common.js';
import { ErrorCode, Msg, kCategories, kDefaultCategory, kViewerIdPattern } from './protocol.js';
import { ProgramPlayer } from './program_player.js';
import {
  initialState, connectionChanged, helloMessage, helloSent, issuedViewerId, viewerIdChanged, helloOk, maySend,
  feedStep, feedApplied, feedLost,
  errorKind, errorReceived, rateLimitTicked, formProblem, canSubmit, makeClientId, submissionMessage, submitSent,
  submitOffline, resendsDue, resubmissionMessage, resubmitSent, outboxEntryFor, acknowledgedEntry, savedOutbox,
  draftEdited, questionReceived, questionUpdated, mineListed, publicChanged, voteSent, voteReceived, liveRequested,
  liveListed, liveLineReceived, studioStateChanged,
} from './viewer/state.js';
import { createView } from './viewer/view.js';
import {
  initialFollowup, followupsListed, followupUpdated, ratingMessage, ratingSent, isRatingRequest, ratingAnswered,
  followupDisconnected,
} from './viewer/followup_state.js';

const kViewerKey = 'yst.viewer';
const kObserverKey = 'yst.observer_token';
const kVotesKeyPrefix = 'yst.votes.';
// Questions sent and not yet acknowledged, with their client ids: sent again
// after a reconnect or a reload until the studio acknowledges them.
const kOutboxKey = 'yst.outbox';

const view = createView({
  vote: (questionId) => vote(questionId),
  rate: (itemId, rating, comment) => rate(itemId, rating, comment),
});
// 我的提问's follow-up (问政跟踪): the department's replies to this viewer's
// questions, asked for after each hello and updated as they come.
let followup = initialFollowup();
let followupRequest = null;

function followupChanged(next) {
  followup = next;
  view.setFollowup(followup);
  view.renderMine(state);
}

function rate(itemId, rating, comment) {
  const item = followup.items.find((i) => i.id === itemId);
  if (!item) return;
  followupChanged(ratingSent(followup, socket.send(ratingMessage(itemId, rating, comment)), itemId, rating));
}
const { ui } = view;

// ---------------------------------------------------------------------------
// Identity: the viewer id (kept for good) and an observer invitation token.

// The studio issues viewer ids (signed: a made-up one is replaced): the page
// keeps the one hello.ok gave it and sends it with its next hello. Null
// before the first hello.ok (and with storage disabled, on every load).
function loadViewerId() {
  try {
    const id = localStorage.getItem(kViewerKey);
    return id && kViewerIdPattern.test(id) ? id : null;
  } catch {
    return null; // Storage disabled: a fresh id per page load.
  }
}

// An invitation link lands on /#o=<token>: keep the token, then take it out
// of the address bar so that it is not bookmarked, shared or shown on screen.
function takeObserverTokenFromHash() {
  const match = /^#o=(.+)$/.exec(location.hash);
  if (match) {
    let token = match[1];
    try {
      token = decodeURIComponent(token);
    } catch {
      // Keep it as it came.
    }
    try {
      localStorage.setItem(kObserverKey, token);
    } catch {
      // Used for this page load only.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  try {
    return localStorage.getItem(kObserverKey);
  } catch {
    return null;
  }
}

function forgetObserverToken() {
  try {
    localStorage.removeItem(kObserverKey);
  } catch {
    // Nothing stored.
  }
}

const viewerId = loadViewerId();
let state = initialState({
  viewerId,
  observerToken: takeObserverTokenFromHash(),
  voted: viewerId ? loadJson(kVotesKeyPrefix + viewerId, []) : [],
  outbox: loadJson(kOutboxKey, []),
});

// The votes this viewer gave are remembered under their id.
function saveVotes() {
  if (state.viewerId) saveJson(kVotesKeyPrefix + state.viewerId, [...state.voted]);
}

// The outbox as stored, written whenever it changed.
let storedOutbox = state.outbox;
function keepOutbox() {
  if (state.outbox === storedOutbox) return;
  storedOutbox = state.outbox;
  saveJson(kOutboxKey, savedOutbox(state));
}

// The form's text goes once its question is the outbox's (acknowledged, or
// waiting to be sent again) — unless the viewer has typed something else.
function clearDraftOf(entry) {
  if (entry && ui.text.value === entry.text) ui.text.value = '';
}

// ---------------------------------------------------------------------------
// The studio connection.

let helloTimer = null; // a hello the studio asked to wait for (rate_limited)
let liveTimer = null; // asking for the live text again after a rate_limited
let rateLimitTimer = null; // the seconds left before another question
let resendTimer = null; // sending unacknowledged questions again after a wait

const socket = new StudioSocket({
  onOpen: sayHello,
  onMessage: handleMessage,
  onState: (connection) => {
    const before = state;
    state = connectionChanged(state, connection);
    if (connection !== ConnState.OPEN) {
      followup = followupDisconnected(followup);
      view.setFollowup(followup);
      followupRequest = null;
      view.renderHello(false);
      clearTimeout(helloTimer);
      clearTimeout(liveTimer);
      clearTimeout(resendTimer);
      // The form's question went unanswered: it waits in the list now.
      clearDraftOf(outboxEntryFor(before, before.submitRequest));
      keepOutbox();
    }
    view.renderConnection(state);
    view.renderForm(state);
    view.renderMine(state);
    view.renderPublic(state);
  },
});

function sayHello() {
  const hello = helloMessage(state);
  state = helloSent(state, hello.role);
  socket.send(hello, { withId: false });
}

// The live text is not part of hello.ok: asked for once the connection is a
// viewer's (and gets transcript.public from then on).
function askLiveText() {
  if (maySend(state, Msg.TRANSCRIPT_LIST)) state = liveRequested(state, socket.send({ type: Msg.TRANSCRIPT_LIST }));
}

function handleMessage(message) {
  switch (message.type) {
    case Msg.HELLO_OK:
      onHelloOk(message);
      break;
    case Msg.ERROR:
      onError(message);
      break;
    case Msg.QUESTION_RECEIVED: {
      const entry = acknowledgedEntry(state, message);
      const forForm = message.id !== undefined && message.id === state.submitRequest;
      state = questionReceived(state, message);
      if (entry) clearDraftOf(entry);
      else if (forForm) ui.text.value = '';
      keepOutbox();
      view.renderForm(state);
      view.renderMine(state);
      break;
    }
    case Msg.QUESTION_UPDATED:
      state = questionUpdated(state, message.question);
      view.renderMine(state);
      break;
    case Msg.REPLY:
      if (message.id !== undefined && message.id === followupRequest) {
        followupRequest = null;
        followupChanged(followupsListed(followup, message.items));
      } else if (isRatingRequest(followup, message.id)) {
        followupChanged(ratingAnswered(followup, message.id, message));
      }
      break;
    case Msg.FOLLOWUP_UPDATED:
      followupChanged(followupUpdated(followup, message.item));
      break;
    case Msg.QUESTIONS_MINE:
      state = mineListed(state, message.questions);
      view.renderMine(state);
      askFollowups(message);
      break;
    case Msg.QUESTIONS_PUBLIC:
      if (!followFeed(message)) break;
      state = publicChanged(state, message);
      view.renderOnAir(state);
      view.renderPublic(state);
      break;
    case Msg.VOTE:
      onVote(message);
      break;
    case Msg.TRANSCRIPT_LIST:
      state = liveListed(state, message);
      view.renderLiveText(state);
      break;
    case Msg.STUDIO_STATE:
      state = studioStateChanged(state, message);
      view.renderConnection(state);
      break;
    case Msg.TRANSCRIPT_PUBLIC:
      if (!followFeed(message)) break;
      state = liveLineReceived(state, message.line);
      view.renderLiveText(state);
      break;
    default:
      break; // Events for other roles, or newer than this page.
  }
}

// Whether a numbered public message is to be applied now; a lost one makes
// the page ask for a snapshot (a hello without `since`).
function followFeed(message) {
  switch (feedStep(state, message)) {
    case 'skip':
      return false;
    case 'resync':
      state = feedLost(state);
      if (socket.isOpen()) sayHello();
      return false;
    default:
      state = feedApplied(state, message);
      return true;
  }
}

function onHelloOk(message) {
  const issued = issuedViewerId(state, message);
  if (issued) {
    // The studio issued an id (the first visit, or one it did not sign, as
    // an earlier version's page made up): use it from now on. The votes
    // remembered under the old one go with it.
    try {
      if (state.viewerId) localStorage.removeItem(kVotesKeyPrefix + state.viewerId);
      localStorage.setItem(kViewerKey, issued);
    } catch {
      // See loadViewerId.
    }
    state = viewerIdChanged(state, issued, loadJson(kVotesKeyPrefix + issued, []));
  }
  state = helloOk(state, message);
  keepOutbox();
  view.renderHello(true);
  view.renderAll(state);
  if (state.liveRequest === null && !state.liveLoaded) askLiveText();
  askFollowups(message);
  sendAgain();
}

// Only a viewer whose questions were followed up is told so (hello.ok's
// `followup` on the studio's address, questions.mine's at a public edge):
// the studio is not asked for every viewer's.
function askFollowups(message) {
  if (message.followup === true && followupRequest === null && maySend(state, Msg.FOLLOWUP_MINE)) {
    followupRequest = socket.send({ type: Msg.FOLLOWUP_MINE });
  }
}

// Sends the unacknowledged questions again, each with its client id (the
// studio acknowledges one it has stored already with the same question), once
// this connection's hello.ok is in: a question sent before it would be an
// anonymous viewer's. Later when a refusal asked to wait.
function sendAgain() {
  clearTimeout(resendTimer);
  if (!socket.isOpen() || state.helloRole !== null) return;
  const now = Date.now();
  for (const entry of resendsDue(state, now)) {
    state = resubmitSent(state, entry.clientId, socket.send(resubmissionMessage(entry)));
  }
  if (state.outbox.some((e) => e.requestId === null) && state.resendAtMs > now) {
    resendTimer = setTimeout(sendAgain, state.resendAtMs - now);
  }
  keepOutbox();
  view.renderMine(state);
}

function onError(message) {
  if (isRatingRequest(followup, message.id)) {
    followupChanged(ratingAnswered(followup, message.id, message));
    return;
  }
  if (message.id !== undefined && message.id === followupRequest) {
    followupRequest = null; // Asked again at the next hello.
    return;
  }
  const kind = errorKind(state, message);
  const before = state;
  state = errorReceived(state, message, Date.now());
  keepOutbox();
  const retryS = retrySeconds(message);
  switch (kind) {
    case 'observer_refused':
      forgetObserverToken();
      view.renderNotice(state);
      break;
    case 'observer_later':
      view.renderNotice(state);
      break;
    case 'hello_rate_limited':
      // Hellos are limited per connection: say it again when allowed.
      clearTimeout(helloTimer);
      helloTimer = setTimeout(() => { if (socket.isOpen()) sayHello(); }, retryS * 1000);
      break;
    case 'identity_locked':
      // The connection has another viewer id than the one kept here (another
      // tab changed it): a fresh connection takes the kept one.
      socket.restart();
      break;
    case 'live':
      if (message.code === ErrorCode.RATE_LIMITED) {
        clearTimeout(liveTimer);
        liveTimer = setTimeout(() => { if (socket.isOpen()) askLiveText(); }, retryS * 1000);
      }
      break;
    case 'submit':
      if (message.code === ErrorCode.RATE_LIMITED) tickRateLimitLater();
      view.renderForm(state);
      break;
    case 'resubmit': {
      const entry = outboxEntryFor(before, message.id);
      if (state.outbox.some((e) => e.clientId === entry.clientId)) {
        sendAgain(); // kept: sent again when the wait is over
      } else if (ui.text.value.trim() === '') {
        // Refused for good: the text goes back to an empty form, to be sent anew.
        ui.text.value = entry.text;
        ui.nickname.value = ui.nickname.value || entry.nickname;
      }
      view.renderForm(state);
      view.renderMine(state);
      break;
    }
    case 'vote':
      if (state.voted !== before.voted) saveVotes();
      view.renderPublic(state);
      break;
    case 'flood':
      view.renderForm(state);
      break;
    default:
      break;
  }
}

// While questions are rate-limited the form counts the seconds down.
function tickRateLimitLater() {
  clearTimeout(rateLimitTimer);
  if (state.retryUntilMs === 0) return;
  rateLimitTimer = setTimeout(() => {
    state = rateLimitTicked(state, Date.now());
    tickRateLimitLater();
    view.renderForm(state);
  }, 1000);
}

function onVote(message) {
  const before = state;
  state = voteReceived(state, message);
  if (state.voted !== before.voted) saveVotes();
  view.renderPublic(state);
}

function vote(questionId) {
  if (state.voted.has(questionId)) return;
  const requestId = socket.send({ type: Msg.QUESTION_VOTE, question: questionId });
  if (requestId === null) return;
  state = voteSent(state, requestId, questionId);
  view.renderPublic(state);
}

// ---------------------------------------------------------------------------
// The question form.

function selectedCategory() {
  const checked = ui.form.querySelector('input[name="category"]:checked');
  return checked && kCategories.includes(checked.value) ? checked.value : kDefaultCategory;
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (formProblem(state, ui.text.value, ui.nickname.value) || !canSubmit(state, Date.now())) return;
  if (!socket.isOpen()) {
    state = submitOffline(state);
    view.renderForm(state);
    return;
  }
  // A client id of its own: however often the question is sent (after a
  // reconnect, a reload), the studio keeps it once.
  const clientId = makeClientId(crypto.getRandomValues(new Uint8Array(16)));
  const message = submissionMessage(ui.text.value, ui.nickname.value, selectedCategory(), clientId);
  state = submitSent(state, socket.send(message), message);
  keepOutbox();
  view.renderForm(state);
});

ui.text.addEventListener('input', () => {
  state = draftEdited(state);
  view.renderForm(state);
});
ui.nickname.addEventListener('input', () => view.renderForm(state));

// Ctrl/⌘+Enter in the textarea sends, as in most chat boxes.
ui.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    ui.form.requestSubmit();
  }
});

// ---------------------------------------------------------------------------
// The live video (program_player.js), and start.

const player = new ProgramPlayer(ui.video, view.renderVideo);

mountLangToggle(ui.langToggle);
onLangChange(() => {
  view.renderAll(state);
  view.renderVideo(player.state);
});
applyStatic();
view.renderVideo('soon');
view.renderAll(state);
socket.connect();
player.start();
