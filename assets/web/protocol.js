// The studio's protocol as the pages know it (assets/protocol.md): message
// types, roles, question statuses and reasons, the limits the pages check
// before sending, and the names of the graphics. One copy for every page.
//
// What a role may send is not here: hello.ok says it (`commands`), and each
// question in the producer's view carries what may be done with it now
// (`actions`). This module holds names and numbers only; it touches no DOM,
// so the pages' state modules and their node tests import it alike.

// Message types, sent and received.
export const Msg = Object.freeze({
  HELLO: 'hello',
  HELLO_OK: 'hello.ok',
  ERROR: 'error',
  REPLY: 'reply',
  // Viewers.
  QUESTION_SUBMIT: 'question.submit',
  QUESTION_RECEIVED: 'question.received',
  QUESTION_VOTE: 'question.vote',
  VOTE: 'vote',
  QUESTIONS_MINE: 'questions.mine',
  QUESTION_UPDATED: 'question.updated',
  QUESTIONS_PUBLIC: 'questions.public',
  // Producers: questions.
  QUESTIONS_LIST: 'questions.list',
  QUESTIONS_CHANGED: 'questions.changed',
  QUESTIONS_VOTES: 'questions.votes',
  QUESTION_UNDO: 'question.undo',
  // Producers: graphics.
  OVERLAY_CHANGED: 'overlay.changed',
  OVERLAY_LOWER_THIRD: 'overlay.lower_third',
  OVERLAY_TICKER: 'overlay.ticker',
  OVERLAY_SLATE: 'overlay.slate',
  OVERLAY_THEME: 'overlay.theme',
  OVERLAY_CLEAR: 'overlay.clear',
  // The live transcript.
  TRANSCRIPT_LIST: 'transcript.list',
  TRANSCRIPT_COMMIT: 'transcript.commit',
  TRANSCRIPT_EDIT: 'transcript.edit',
  TRANSCRIPT_DELETE: 'transcript.delete',
  TRANSCRIPT_LINE: 'transcript.line',
  TRANSCRIPT_UPDATED: 'transcript.updated',
  TRANSCRIPT_PUBLIC: 'transcript.public',
  STUDIO_STATE: 'studio.state', // from a public edge: the studio reachable or not
  // The host's monitor.
  HOST_STATE: 'host.state',
  // 问政跟踪: the department desk, the producers, the asker.
  FOLLOWUP_LIST: 'followup.list',
  FOLLOWUP_FORWARD: 'followup.forward',
  FOLLOWUP_COMMIT: 'followup.commit',
  FOLLOWUP_MODERATE: 'followup.moderate',
  FOLLOWUP_REASSIGN: 'followup.reassign',
  FOLLOWUP_DEPARTMENTS: 'followup.departments',
  FOLLOWUP_ITEM: 'followup.item',
  FOLLOWUP_REPLY: 'followup.reply',
  FOLLOWUP_PROGRESS: 'followup.progress',
  FOLLOWUP_REASSIGN_REQUEST: 'followup.reassign_request',
  FOLLOWUP_CHANGED: 'followup.changed',
  FOLLOWUP_MINE: 'followup.mine',
  FOLLOWUP_RATE: 'followup.rate',
  FOLLOWUP_UPDATED: 'followup.updated',
  // Producers: remote guests in webrtc:// slots.
  GUESTS_ADMIT: 'guests.admit',
  GUESTS_HOLD: 'guests.hold',
  GUESTS_END: 'guests.end',
  GUESTS_INVITE: 'guests.invite',
  GUESTS_CUE: 'guests.cue',
  GUESTS_TALK: 'guests.talk',
  GUESTS_CHANGED: 'guests.changed',
});

export const Role = Object.freeze({
  VIEWER: 'viewer',
  OBSERVER: 'observer',
  PRODUCER: 'producer',
  TYPIST: 'typist',
  HOST: 'host',
  DEPARTMENT: 'department',
});

// A question's status, in the order of the producer's counters.
export const Status = Object.freeze({
  PENDING: 'pending',
  APPROVED: 'approved',
  ON_AIR: 'on_air',
  ANSWERED: 'answered',
  REJECTED: 'rejected',
  MERGED: 'merged',
});
export const kStatuses = Object.freeze(Object.values(Status));

// What a producer does with a question: the names in `question.actions`;
// the command is `question.<action>`.
export const Action = Object.freeze({
  APPROVE: 'approve',
  REJECT: 'reject',
  EDIT: 'edit',
  MERGE: 'merge',
  ON_AIR: 'on_air',
  OFF_AIR: 'off_air',
  ANSWERED: 'answered',
  MOVE: 'move',
});

export function actionCommand(action) {
  return `question.${action}`;
}

// questions.changed names new questions thus (no producer did it).
export const kReceivedAction = 'received';

export const kRejectReasons = Object.freeze(['off_topic', 'duplicate', 'abusive', 'personal_info', 'spam', 'other']);
export const kDefaultRejectReason = 'other';
export const kCategories = Object.freeze(['question', 'suggestion', 'complaint']);
export const kDefaultCategory = 'question';

// Flags on a question in the producer's view.
export const Flag = Object.freeze({ SENSITIVE: 'sensitive', DUPLICATE: 'duplicate', OBSERVER: 'observer' });

export const ErrorCode = Object.freeze({
  BAD_MESSAGE: 'bad_message',
  UNKNOWN_TYPE: 'unknown_type',
  FORBIDDEN: 'forbidden',
  INVALID: 'invalid',
  NOT_FOUND: 'not_found',
  EMPTY: 'empty',
  TOO_LONG: 'too_long',
  BUSY: 'busy',
  RATE_LIMITED: 'rate_limited',
  TOO_MANY_ATTEMPTS: 'too_many_attempts',
  IDENTITY_LOCKED: 'identity_locked',
  ALREADY_VOTED: 'already_voted',
  CONFLICT: 'conflict', // a question's client_id that another viewer's question has
});

// Limits the studio enforces and the pages check first (a page never relies
// on its own check: the studio checks again).
export const Limits = Object.freeze({
  QUESTION_CHARS: 300, // hello.ok's limits.max_chars, until it says otherwise
  NICKNAME_CHARS: 20, // hello.ok's limits.max_nickname_chars
  STAFF_NAME_CHARS: 24, // a producer's or typist's name in their hello
  LINE_CHARS: 1000, // a transcript line
  TYPING_MS: 600000, // transcript.commit's typing_ms
  COUNTDOWN_S: 86400, // overlay.slate's countdown_s
  SEARCH_CHARS: 64, // /api/archive/search's q
  GUEST_NAME_CHARS: 40, // guests.invite's name
  GUEST_TITLE_CHARS: 80, // guests.invite's title
  GUEST_HOURS_MAX: 720, // guests.invite's hours (1 … 720, 48 by default)
  CUE_CHARS: 60, // guests.cue's text (one line)
});

// Viewer ids as the studio issues them.
export const kViewerIdPattern = /^[A-Za-z0-9_-]{16,64}$/;
// A question's client id (question.submit's client_id), made by the page.
export const kClientIdPattern = /^[A-Za-z0-9_-]{8,64}$/;

// Transcript speakers and line kinds the studio names itself.
export const Speaker = Object.freeze({ NARRATION: 'narration', QUESTION: 'question' });
export const LineKind = Object.freeze({ TYPED: 'typed', QUESTION: 'question' });

// Broadcast graphics.
export const kOverlaySides = Object.freeze(['left', 'right']);
export const kOverlayToggles = Object.freeze(['card', 'bug', 'clock', 'qr']); // each its own overlay.<name>
export const Slate = Object.freeze({ NONE: 'none', STARTING: 'starting', HOLD: 'hold' });
export const kSlates = Object.freeze(Object.values(Slate));
