// The guest page's state (assets/web/guest/state.js): the link, devices,
// joining, the green room, drops and refusals, each said as such.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  Phase, connectionChanged, cueReceived, deviceChosen, devicesListed, initialState, invitationLoaded, invitationRefused, joinRefused,
  joining, left, mediaReady, mediaRefused, slotStateReceived, talkbackReceived, wantsToJoin,
} from '../../../assets/web/guest/state.js';

const invitation = { source: 'remote1', name: '张三', title: '局长', whip: '/whip/remote1', ice_servers: [] };

test('a link without a token says so; one with a token asks the studio', () => {
  const none = initialState({ token: null });
  assert.equal(none.phase, Phase.REFUSED);
  assert.equal(none.notice.key, 'guest.error.no_token');
  assert.equal(initialState({ token: 't' }).phase, Phase.LOADING);
});

test('the invitation leads to the setup; a revoked one is final, other trouble retried', () => {
  const s = invitationLoaded(initialState({ token: 't' }), invitation);
  assert.equal(s.phase, Phase.SETUP);
  assert.equal(s.invitation.name, '张三');
  const revoked = invitationRefused(initialState({ token: 't' }), 401);
  assert.equal(revoked.phase, Phase.REFUSED);
  assert.equal(revoked.notice.key, 'guest.error.invalid_link');
  const away = invitationRefused(initialState({ token: 't' }), 503);
  assert.equal(away.phase, Phase.LOADING);
  assert.equal(away.notice.key, 'guest.error.studio_unreachable');
});

test('devices are listed with a name each, and chosen', () => {
  let s = devicesListed(initialState({ token: 't' }), [
    { kind: 'videoinput', deviceId: 'c1', label: 'USB Camera' },
    { kind: 'videoinput', deviceId: 'c2', label: '' },
    { kind: 'audioinput', deviceId: 'm1', label: 'Headset' },
    { kind: 'audiooutput', deviceId: 'o1', label: 'Speakers' },
  ]);
  assert.deepEqual(s.devices.cameras, [{ id: 'c1', label: 'USB Camera' }, { id: 'c2', label: '#2' }]);
  assert.deepEqual(s.devices.microphones, [{ id: 'm1', label: 'Headset' }]);
  s = deviceChosen(deviceChosen(s, 'camera', 'c2'), 'microphone', 'm1');
  assert.equal(s.camera, 'c2');
  assert.equal(s.microphone, 'm1');
});

test('a refused camera is said by its cause, and cleared once media works', () => {
  const base = initialState({ token: 't' });
  assert.equal(mediaRefused(base, 'NotAllowedError').mediaError.key, 'guest.error.media_denied');
  assert.equal(mediaRefused(base, 'NotFoundError').mediaError.key, 'guest.error.media_missing');
  assert.equal(mediaRefused(base, 'NotReadableError').mediaError.key, 'guest.error.media_busy');
  assert.equal(mediaRefused(base, 'AbortError').mediaError.key, 'guest.error.media_other');
  assert.equal(mediaReady(mediaRefused(base, 'NotAllowedError')).mediaError, null);
});

test('joining, the green room, on air, and back to the green room', () => {
  let s = joining(invitationLoaded(initialState({ token: 't' }), invitation));
  assert.equal(s.phase, Phase.JOINING);
  s = connectionChanged(s, 'connected');
  assert.equal(s.phase, Phase.WAITING);
  s = slotStateReceived(s, 'live');
  assert.equal(s.phase, Phase.LIVE);
  s = slotStateReceived(s, 'green_room');
  assert.equal(s.phase, Phase.WAITING);
  // The studio's view does not move a guest who is not connected.
  assert.equal(slotStateReceived(joining(s), 'live').phase, Phase.JOINING);
});

test('a drop rejoins; three failed joins in a row say the network blocks WebRTC', () => {
  let s = connectionChanged(joining(invitationLoaded(initialState({ token: 't' }), invitation)), 'failed');
  assert.equal(s.phase, Phase.REJOINING);
  assert.equal(s.networkError.key, 'guest.error.connection_lost');
  assert.ok(wantsToJoin(s));
  s = connectionChanged(joining(s), 'failed');
  s = connectionChanged(joining(s), 'failed');
  assert.equal(s.networkError.key, 'guest.error.webrtc_blocked');
  s = connectionChanged(joining(s), 'connected');
  assert.equal(s.attempts, 0);
  assert.equal(s.networkError, null);
});

test('the studio refusing a join: a taken slot waits, a dead link stops', () => {
  const s = joining(invitationLoaded(initialState({ token: 't' }), invitation));
  assert.equal(joinRefused(s, 409).networkError.key, 'guest.error.slot_taken');
  assert.ok(wantsToJoin(joinRefused(s, 409)));
  assert.equal(joinRefused(s, 401).phase, Phase.REFUSED);
  assert.ok(!wantsToJoin(joinRefused(s, 401)));
  assert.equal(joinRefused(s, 0).networkError.key, 'guest.error.studio_unreachable');
});

test('leaving stops everything', () => {
  const s = left(joining(invitationLoaded(initialState({ token: 't' }), invitation)));
  assert.equal(s.phase, Phase.LEFT);
  assert.equal(connectionChanged(s, 'failed').phase, Phase.LEFT);
  assert.ok(!wantsToJoin(s));
});

test('the producer\'s cue is shown once, replaced by the next, gone when the studio has none', () => {
  let s = initialState({ token: 't' });
  s = cueReceived(s, { text: '还有 1 分钟', utc: '2026-12-05T08:00:00.000Z' });
  assert.equal(s.cue.text, '还有 1 分钟');
  const same = cueReceived(s, { text: '还有 1 分钟', utc: '2026-12-05T08:00:00.000Z' });
  assert.equal(same, s, 'the same cue again changes nothing');
  s = cueReceived(s, { text: '请收尾', utc: '2026-12-05T08:01:00.000Z' });
  assert.equal(s.cue.text, '请收尾');
  assert.equal(cueReceived(s, null).cue, null);
  assert.equal(cueReceived(s, { text: 3 }).cue, null);
});

test('the producer talking to the guest shows while the studio says so, and only a true says so', () => {
  let s = initialState({ token: 't' });
  assert.equal(s.talkback, false);
  s = talkbackReceived(s, true);
  assert.equal(s.talkback, true);
  assert.equal(talkbackReceived(s, true), s, 'the same again changes nothing');
  assert.equal(talkbackReceived(s, 'yes').talkback, false);
  assert.equal(talkbackReceived(s, undefined).talkback, false);
});

test('an offer turned away while an earlier one is being answered (429) is retried without a word', () => {
  let s = joining(mediaReady(invitationLoaded(initialState({ token: 't' }), invitation)));
  s = joinRefused(s, 429);
  assert.equal(s.phase, Phase.REJOINING);
  assert.equal(s.networkError, null);
  assert.ok(wantsToJoin(s));
});
