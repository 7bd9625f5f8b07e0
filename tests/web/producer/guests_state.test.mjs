// The producer's remote guests panel (assets/web/producer/guests_state.js):
// the studio's status and guests.changed in, the commands its controls send
// and what each slot's row shows out.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Msg } from '../../../assets/web/protocol.js';
import {
  initialGuests, statusReceived, slotChanged, invitationMade, slotView, admitCommand, talkCommand, endCommand,
  cueCommand, inviteCommand, kDefaultHours,
} from '../../../assets/web/producer/guests_state.js';

// A status as the studio sends it: two cameras, two slots, a talkback mic.
function status({ talkback = true, remote1 = { state: 'waiting', whip: false, talkback: false } } = {}) {
  const sources = [
    { id: 'host', label: '主持人', webrtc: null, talkback: false },
    { id: 'remote1', label: '远程嘉宾', webrtc: remote1, talkback: false },
    { id: 'field', label: '现场', webrtc: { state: 'waiting', whip: true, talkback: false }, talkback: false },
  ];
  if (talkback) sources.push({ id: 'ifb', label: '对讲', webrtc: null, talkback: true });
  return { sources };
}

const green = { state: 'green_room', whip: false, talkback: false, kind: 'guest', guest: '张三', title: '局长', admitted: false };

test('the slots are the webrtc:// sources, in the show\'s order', () => {
  const g = statusReceived(initialGuests(), status());
  assert.deepEqual(g.slots.map((s) => s.id), ['remote1', 'field']);
  assert.equal(g.talkback, true);
  assert.equal(statusReceived(initialGuests(), status({ talkback: false })).talkback, false);
  assert.deepEqual(statusReceived(g, null).slots, [], 'logged out: no slots');
});

test('a waiting slot offers only the invitation', () => {
  const g = statusReceived(initialGuests(), status());
  const v = slotView(g, g.slots[0]);
  assert.equal(v.stateKey, 'guests.p.state.waiting');
  assert.equal(v.who, '');
  assert.equal(v.admit, null);
  assert.equal(v.talk, false);
  assert.equal(v.end, false);
  assert.equal(v.cue, false);
  assert.equal(admitCommand(g, 'remote1'), null);
});

test('a guest in the green room: admit, talk, end, cue; on air: hold', () => {
  let g = statusReceived(initialGuests(), status());
  g = slotChanged(g, 'remote1', green);
  const v = slotView(g, g.slots[0]);
  assert.equal(v.stateKey, 'guests.p.state.green_room');
  assert.equal(v.who, '张三 · 局长');
  assert.equal(v.admit, 'admit');
  assert.equal(v.talk, true);
  assert.equal(v.end, true);
  assert.equal(v.cue, true);
  assert.deepEqual(admitCommand(g, 'remote1'), { type: Msg.GUESTS_ADMIT, fields: { source: 'remote1' } });
  assert.deepEqual(talkCommand(g, 'remote1'), { type: Msg.GUESTS_TALK, fields: { source: 'remote1', on: true } });
  g = slotChanged(g, 'remote1', { ...green, state: 'live', admitted: true, talkback: true });
  assert.equal(slotView(g, g.slots[0]).admit, 'hold');
  assert.equal(slotView(g, g.slots[0]).talking, true);
  assert.deepEqual(admitCommand(g, 'remote1'), { type: Msg.GUESTS_HOLD, fields: { source: 'remote1' } });
  assert.deepEqual(talkCommand(g, 'remote1'), { type: Msg.GUESTS_TALK, fields: { source: 'remote1', on: false } });
  assert.deepEqual(endCommand('remote1'), { type: Msg.GUESTS_END, fields: { source: 'remote1' } });
});

test('no talkback microphone in the show: no 对讲', () => {
  let g = statusReceived(initialGuests(), status({ talkback: false }));
  g = slotChanged(g, 'remote1', green);
  assert.equal(slotView(g, g.slots[0]).talk, false);
  assert.equal(talkCommand(g, 'remote1'), null);
});

test('a WHIP publisher: named as such, no green room, no cue', () => {
  let g = statusReceived(initialGuests(), status());
  g = slotChanged(g, 'field', { state: 'live', whip: true, talkback: false, kind: 'publisher', guest: 'OBS', title: '', admitted: true });
  const v = slotView(g, g.slots[1]);
  assert.equal(v.publisher, true);
  assert.equal(v.admit, null);
  assert.equal(v.cue, false);
  assert.equal(v.end, true);
});

test('a change for a slot the panel does not know, or no slot at all, changes nothing', () => {
  const g = statusReceived(initialGuests(), status());
  assert.equal(slotChanged(g, 'nosuch', green), g);
  assert.equal(slotChanged(g, 'remote1', null), g);
  assert.equal(slotView(g, { id: 'x', slot: { state: '<b>odd</b>' } }).stateKey, 'guests.p.state.waiting');
});

test('a cue is one line of 1–60 characters', () => {
  assert.deepEqual(cueCommand('remote1', '  请看镜头 '), { type: Msg.GUESTS_CUE, fields: { source: 'remote1', text: '请看镜头' } });
  assert.deepEqual(cueCommand('remote1', '  '), { problem: 'guests.p.cue_empty' });
  assert.deepEqual(cueCommand('remote1', '第一行\n第二行'), { problem: 'guests.p.cue_long' });
  assert.deepEqual(cueCommand('remote1', '字'.repeat(61)), { problem: 'guests.p.cue_long' });
  assert.equal(cueCommand('remote1', '字'.repeat(60)).type, Msg.GUESTS_CUE);
  assert.equal(cueCommand('remote1', '😀'.repeat(60)).type, Msg.GUESTS_CUE, 'characters, not UTF-16 units');
});

test('an invitation: a name, an optional title, 1–720 hours', () => {
  assert.deepEqual(inviteCommand('remote1', ' 李四 ', '', ''),
    { type: Msg.GUESTS_INVITE, fields: { source: 'remote1', name: '李四', hours: kDefaultHours } });
  assert.deepEqual(inviteCommand('remote1', '李四', '市民观察员', '2'),
    { type: Msg.GUESTS_INVITE, fields: { source: 'remote1', name: '李四', title: '市民观察员', hours: 2 } });
  assert.deepEqual(inviteCommand('remote1', '', '', '2'), { problem: 'guests.p.name_empty' });
  assert.deepEqual(inviteCommand('remote1', '名'.repeat(41), '', '2'), { problem: 'guests.p.name_long' });
  assert.deepEqual(inviteCommand('remote1', '李四', '职'.repeat(81), '2'), { problem: 'guests.p.name_long' });
  for (const hours of ['0', '721', '1.5', 'abc']) {
    assert.deepEqual(inviteCommand('remote1', '李四', '', hours), { problem: 'guests.p.hours' }, hours);
  }
});

test('the link from the invitation\'s reply is kept for its slot', () => {
  const origin = 'http://10.1.2.3:8080';
  let g = statusReceived(initialGuests(), status());
  g = invitationMade(g, 'remote1', { link: 'https://studio.example.org/g/abc', path: '/g/abc' }, origin);
  assert.equal(slotView(g, g.slots[0]).link, 'https://studio.example.org/g/abc');
  assert.equal(slotView(g, g.slots[1]).link, '');
  g = invitationMade(g, 'field', { path: '/g/def' }, origin);
  assert.equal(slotView(g, g.slots[1]).link, 'http://10.1.2.3:8080/g/def', 'a path alone: on this page\'s address');
  g = invitationMade(g, 'field', { link: 'http://0.0.0.0:8080/g/ghi', path: '/g/ghi' }, origin);
  assert.equal(slotView(g, g.slots[1]).link, 'http://10.1.2.3:8080/g/ghi', 'every address is no address to open');
  g = invitationMade(g, 'field', { link: 'http://[::]:8080/g/jkl', path: '/g/jkl' }, origin);
  assert.equal(slotView(g, g.slots[1]).link, 'http://10.1.2.3:8080/g/jkl');
  assert.equal(invitationMade(g, 'field', {}, origin), g);
  // A new status keeps the links made on this page; signing out forgets them.
  assert.equal(slotView(statusReceived(g, status()), g.slots[0]).link, 'https://studio.example.org/g/abc');
  assert.equal(statusReceived(g, null).links.size, 0);
});
