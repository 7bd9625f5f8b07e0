// The guest page's state (/guest/, a remote guest's link /g/<token>) and the
// pure functions that change it: each takes the state and what happened (the
// studio's answer, the browser's, the guest's click) and returns a new state.
// No DOM, no network: guest.js does those and view.js draws the state.
//
// A guest opens the link, sees who they are invited as, picks a camera and a
// microphone (a self view and a level meter), and joins: the browser offers
// its media to the studio (WHIP, one POST) and the guest waits in the green
// room until the producer takes them on air. When the connection drops, the
// page tries again every kRejoinMs into the same slot: a new session each
// time (the studio's WebRTC has no ICE restart).

export const kRejoinMs = 2000;
export const kStatusPollMs = 2000;

export const Phase = Object.freeze({
  LOADING: 'loading', // asking the studio who this link is for
  REFUSED: 'refused', // the link does not work (revoked, expired, wrong)
  SETUP: 'setup', // devices chosen, self view; not yet sent
  JOINING: 'joining', // the offer is on its way / ICE is connecting
  WAITING: 'green_room', // connected, waiting for the producer
  LIVE: 'live', // on air
  REJOINING: 'rejoining', // the connection dropped; trying again
  LEFT: 'left', // the guest left
});

export function initialState({ token = null } = {}) {
  return {
    token,
    phase: token ? Phase.LOADING : Phase.REFUSED,
    invitation: null, // {source, name, title, show, whip, ice_servers}
    devices: { cameras: [], microphones: [] },
    camera: '', // deviceId chosen ('' : the browser's default)
    microphone: '',
    mediaError: null, // {key}: the browser refused the camera or the microphone
    networkError: null, // {key}: WebRTC could not get through
    notice: token ? null : { key: 'guest.error.no_token' },
    attempts: 0, // joins tried since the last time on air or in the green room
    cue: null, // the producer's last cue to this guest: {text, utc}
    talkback: false, // the producer is talking to this guest (heard in the return)
  };
}

export function invitationLoaded(state, invitation) {
  const phase = state.phase === Phase.LOADING ? Phase.SETUP : state.phase;
  return { ...state, invitation, phase, notice: null };
}

// The studio's answer to the link: 401 (revoked or expired) is final; other
// trouble (the studio restarting, the network) is retried by the caller.
export function invitationRefused(state, status) {
  if (status === 401) return { ...state, phase: Phase.REFUSED, notice: { key: 'guest.error.invalid_link' } };
  return { ...state, notice: { key: 'guest.error.studio_unreachable' } };
}

export function devicesListed(state, devices) {
  const cameras = devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `#${i + 1}` }));
  const microphones = devices.filter((d) => d.kind === 'audioinput').map((d, i) => ({ id: d.deviceId, label: d.label || `#${i + 1}` }));
  return { ...state, devices: { cameras, microphones } };
}

export function deviceChosen(state, kind, id) {
  return kind === 'camera' ? { ...state, camera: id } : { ...state, microphone: id };
}

// getUserMedia's refusal, by its DOMException name.
export function mediaRefused(state, name) {
  const key = name === 'NotAllowedError' || name === 'SecurityError' ? 'guest.error.media_denied'
    : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'guest.error.media_missing'
      : name === 'NotReadableError' ? 'guest.error.media_busy'
        : 'guest.error.media_other';
  return { ...state, mediaError: { key } };
}

export function mediaReady(state) {
  return { ...state, mediaError: null };
}

export function joining(state) {
  return { ...state, phase: Phase.JOINING, networkError: null, attempts: state.attempts + 1 };
}

// The studio refused the offer: 409 (someone else is in the slot), 401 (the
// link stopped working) are said as such; 429 (an earlier offer of theirs
// still being answered) is retried without a word; the rest is retried.
export function joinRefused(state, status) {
  if (status === 401) return { ...state, phase: Phase.REFUSED, notice: { key: 'guest.error.invalid_link' } };
  if (status === 409) return { ...state, phase: Phase.REJOINING, networkError: { key: 'guest.error.slot_taken' } };
  if (status === 429) return { ...state, phase: Phase.REJOINING };
  return { ...state, phase: Phase.REJOINING, networkError: { key: 'guest.error.studio_unreachable' } };
}

// The peer connection's state ('connected', 'failed', 'disconnected', …).
// Three failed joins in a row without ever connecting: the network blocks
// WebRTC (a firewall without TURN), which the guest is told.
export function connectionChanged(state, connection) {
  if (state.phase === Phase.LEFT || state.phase === Phase.REFUSED) return state;
  if (connection === 'connected') {
    const phase = state.phase === Phase.LIVE ? Phase.LIVE : Phase.WAITING;
    return { ...state, phase, networkError: null, attempts: 0 };
  }
  if (connection === 'failed' || connection === 'closed') {
    const blocked = state.attempts >= 3;
    return {
      ...state,
      phase: Phase.REJOINING,
      networkError: { key: blocked ? 'guest.error.webrtc_blocked' : 'guest.error.connection_lost' },
    };
  }
  return state;
}

// The studio's view of the slot (GET /api/guest's `state`) while connected.
export function slotStateReceived(state, slotState) {
  if (state.phase !== Phase.WAITING && state.phase !== Phase.LIVE) return state;
  if (slotState === 'live') return { ...state, phase: Phase.LIVE };
  if (slotState === 'green_room') return { ...state, phase: Phase.WAITING };
  return state;
}

// What the studio says of the guest's slot, polled: the producer's last cue.
export function cueReceived(state, cue) {
  const next = cue && typeof cue.text === 'string' ? { text: cue.text, utc: cue.utc || '' } : null;
  if (next && state.cue && next.utc === state.cue.utc && next.text === state.cue.text) return state;
  return { ...state, cue: next };
}

// Whether the producer is talking to the guest now (polled too).
export function talkbackReceived(state, talkback) {
  const on = talkback === true;
  return on === state.talkback ? state : { ...state, talkback: on };
}

export function left(state) {
  return { ...state, phase: Phase.LEFT };
}

// Whether the page should be trying to (re)join now.
export function wantsToJoin(state) {
  return state.phase === Phase.REJOINING;
}
