// The guest page (/guest/): a remote guest's browser as a camera of the
// show. Their link (/g/<token> → /guest/#t=<token>) names them and the slot
// they fill; the token leaves the address bar at once (kept in this tab's
// sessionStorage, so a reload still works) and goes only in the
// Authorization header of the two requests that need it:
//   GET  /api/guest            who the link is for, the slot's state, ICE servers
//   POST /whip/<source>        the offer (WHIP): 201 with the studio's answer
//   DELETE <Location>          leaving
// state.js holds what the page knows, view.js draws it; this module does the
// browser's side: devices, the peer connection, retries.
//
// `?audio=raw` switches the browser's echo cancellation, noise suppression
// and gain control off (a measured line, a mixing desk's feed; the tests'
// tones); by default they are on, for a guest who forgot headphones.
// `?relay=1` sends everything through TURN (iceTransportPolicy "relay").

import { takeTokenFromHash } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange } from '../i18n.js';
import {
  Phase, connectionChanged, cueReceived, talkbackReceived, deviceChosen, devicesListed, initialState, invitationLoaded, invitationRefused,
  joinRefused, joining, kRejoinMs, kStatusPollMs, left, mediaReady, mediaRefused, slotStateReceived, wantsToJoin,
} from './state.js';
import { createView } from './view.js';

const kTokenKey = 'yst.guest.token';
// ICE's gathering this long at most before the offer goes (host candidates
// come at once; a slow STUN or TURN server does not hold the guest up).
const kGatherMs = 3000;
// A join that has not connected this long after the answer is given up and
// tried again (a network that drops UDP leaves ICE checking for half a minute).
const kConnectMs = 5000;
// 'disconnected' for this long counts as lost.
const kDisconnectedMs = 2000;

const params = new URLSearchParams(location.search);
const rawAudio = params.get('audio') === 'raw';
const relayOnly = params.get('relay') === '1';


let state = initialState({ token: takeTokenFromHash('t', kTokenKey) });
let stream = null; // the camera and microphone
let pc = null;
let location_ = null; // the session's WHIP Location, for DELETE
let rejoinTimer = 0;
let connectTimer = 0;
let disconnectedTimer = 0;
let meter = null;

const view = createView({
  device: (kind, id) => {
    dispatch(deviceChosen(state, kind, id));
    openMedia();
  },
  join: () => join(),
  leave: () => leave(),
});

function dispatch(next) {
  state = next;
  view.render(state);
  if (wantsToJoin(state) && !rejoinTimer) {
    rejoinTimer = setTimeout(() => {
      rejoinTimer = 0;
      if (wantsToJoin(state)) join();
    }, kRejoinMs);
  }
}

function authorization() {
  return { Authorization: `Bearer ${state.token}` };
}

async function loadInvitation() {
  try {
    const response = await fetch('/api/guest', { headers: authorization(), cache: 'no-store' });
    if (!response.ok) {
      dispatch(invitationRefused(state, response.status));
      if (response.status !== 401) setTimeout(loadInvitation, kRejoinMs);
      return;
    }
    dispatch(invitationLoaded(state, await response.json()));
    openMedia();
  } catch {
    dispatch(invitationRefused(state, 0));
    setTimeout(loadInvitation, kRejoinMs);
  }
}

// The studio's view of the slot while connected: green room or on air, the
// producer's cue and whether they are talking to the guest.
async function pollSlot() {
  if (state.phase === Phase.WAITING || state.phase === Phase.LIVE) {
    try {
      const response = await fetch('/api/guest', { headers: authorization(), cache: 'no-store' });
      if (response.ok) {
        const slot = await response.json();
        dispatch(talkbackReceived(cueReceived(slotStateReceived(state, slot.state), slot.cue),
          slot.talkback));
      }
    } catch {
      // The next poll; the peer connection says whether the guest is cut off.
    }
  }
  setTimeout(pollSlot, kStatusPollMs);
}

async function openMedia() {
  const constraints = {
    video: {
      width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 },
      ...(state.camera ? { deviceId: { exact: state.camera } } : {}),
    },
    audio: {
      echoCancellation: !rawAudio, noiseSuppression: !rawAudio, autoGainControl: !rawAudio,
      ...(state.microphone ? { deviceId: { exact: state.microphone } } : {}),
    },
  };
  let next;
  try {
    next = await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    dispatch(mediaRefused(state, error && error.name));
    return;
  }
  const previous = stream;
  stream = next;
  view.selfView(stream);
  startMeter(stream);
  // A new device on a connection already open: its track swapped in place,
  // without a new offer.
  if (pc) {
    for (const sender of pc.getSenders()) {
      const track = stream.getTracks().find((t) => sender.track && t.kind === sender.track.kind);
      if (track) await sender.replaceTrack(track);
    }
  }
  if (previous) for (const track of previous.getTracks()) track.stop();
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    // No list; the default devices are in use.
  }
  const videoTrack = stream.getVideoTracks()[0];
  const audioTrack = stream.getAudioTracks()[0];
  let next_ = devicesListed(mediaReady(state), devices);
  if (videoTrack) next_ = deviceChosen(next_, 'camera', videoTrack.getSettings().deviceId || state.camera);
  if (audioTrack) next_ = deviceChosen(next_, 'microphone', audioTrack.getSettings().deviceId || state.microphone);
  dispatch(next_);
}

function startMeter(media) {
  if (meter) meter.close();
  const track = media.getAudioTracks()[0];
  if (!track || typeof AudioContext === 'undefined') return;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let running = true;
  const tick = () => {
    if (!running) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    // -60 dBFS … 0 dBFS across the bar.
    view.level(Math.max(0, (20 * Math.log10(rms || 1e-9) + 60) / 60));
    requestAnimationFrame(tick);
  };
  tick();
  meter = { close: () => { running = false; context.close(); } };
}

function preferCodecs(transceiver, kind, order) {
  if (!transceiver.setCodecPreferences || !RTCRtpSender.getCapabilities) return;
  const codecs = RTCRtpSender.getCapabilities(kind).codecs;
  const rank = (c) => {
    const i = order.findIndex((name) => c.mimeType.toLowerCase() === name);
    return i < 0 ? order.length : i;
  };
  const wanted = codecs.filter((c) => rank(c) < order.length).sort((a, b) => rank(a) - rank(b));
  if (wanted.length) transceiver.setCodecPreferences(wanted);
}

function gathered(connection) {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, kGatherMs);
    connection.addEventListener('icegatheringstatechange', () => {
      if (connection.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function closePeer() {
  clearTimeout(connectTimer);
  clearTimeout(disconnectedTimer);
  if (pc) {
    pc.onconnectionstatechange = null;
    pc.close();
    pc = null;
  }
}

async function join() {
  if (!stream || !state.invitation) return;
  closePeer();
  dispatch(joining(state));
  const connection = new RTCPeerConnection({
    iceServers: state.invitation.ice_servers || [],
    iceTransportPolicy: relayOnly ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
  });
  pc = connection;
  // Both ways: the guest's camera and microphone go, the program and their
  // mix-minus come back on the same connection.
  const returned = new MediaStream();
  connection.ontrack = (event) => {
    if (connection !== pc) return;
    returned.addTrack(event.track);
    view.returnView(returned);
  };
  for (const track of stream.getTracks()) {
    const transceiver = connection.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
    if (track.kind === 'video') preferCodecs(transceiver, 'video', ['video/vp8', 'video/h264']);
    if (track.kind === 'audio') preferCodecs(transceiver, 'audio', ['audio/opus']);
  }
  connection.onconnectionstatechange = () => {
    if (connection !== pc) return;
    const now = connection.connectionState;
    if (now === 'connected') {
      clearTimeout(connectTimer);
      clearTimeout(disconnectedTimer);
    } else if (now === 'disconnected') {
      clearTimeout(disconnectedTimer);
      disconnectedTimer = setTimeout(() => {
        if (connection === pc && connection.connectionState !== 'connected') lost();
      }, kDisconnectedMs);
      return;
    } else if (now === 'failed') {
      lost();
      return;
    }
    dispatch(connectionChanged(state, now));
  };
  try {
    await connection.setLocalDescription(await connection.createOffer());
    await gathered(connection);
    if (connection !== pc) return;
    const response = await fetch(state.invitation.whip, {
      method: 'POST',
      headers: { ...authorization(), 'Content-Type': 'application/sdp' },
      body: connection.localDescription.sdp,
    });
    if (connection !== pc) return;
    if (response.status !== 201) {
      closePeer();
      dispatch(joinRefused(state, response.status));
      return;
    }
    location_ = response.headers.get('Location');
    await connection.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    connectTimer = setTimeout(() => {
      if (connection === pc && connection.connectionState !== 'connected') lost();
    }, kConnectMs);
  } catch {
    if (connection !== pc) return;
    closePeer();
    dispatch(joinRefused(state, 0));
  }
}

function lost() {
  closePeer();
  dispatch(connectionChanged(state, 'failed'));
}

function endSession(keepalive) {
  if (!location_) return;
  fetch(location_, { method: 'DELETE', headers: authorization(), keepalive }).catch(() => {});
  location_ = null;
}

function leave() {
  clearTimeout(rejoinTimer);
  rejoinTimer = 0;
  closePeer();
  endSession(false);
  dispatch(left(state));
}

addEventListener('pagehide', () => endSession(true));

applyStatic();
mountLangToggle(document.querySelector('[data-testid="lang-toggle"]'));
onLangChange(() => view.render(state));
view.render(state);
if (state.token) {
  loadInvitation();
  pollSlot();
}
