// The pages' protocol constants (assets/web/protocol.js) against the
// protocol's own description (assets/protocol.md): a name or a limit that
// drifts from the document fails here, not in front of a producer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import {
  Action, ErrorCode, Limits, Msg, Role, Slate, actionCommand, kCategories, kOverlaySides, kOverlayToggles,
  kClientIdPattern, kRejectReasons, kStatuses, kViewerIdPattern,
} from '../../assets/web/protocol.js';

const doc = await readFile(new URL('../../assets/protocol.md', import.meta.url), 'utf8');

// The backquoted words of the line that starts with `start`.
function quotedOn(start) {
  const line = doc.split('\n').find((l) => l.startsWith(start));
  assert.ok(line, `protocol.md has no line starting ${start}`);
  return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

test('every message type the pages use is in the protocol', () => {
  for (const type of Object.values(Msg)) assert.ok(doc.includes(`\`${type}\``) || doc.includes(`"${type}"`), type);
  for (const role of Object.values(Role)) assert.ok(doc.includes(`"role":"${role}"`) || doc.includes(`role: "${role}"`), role);
  for (const code of Object.values(ErrorCode)) assert.ok(doc.includes(`\`${code}\``), code);
});

test('question statuses, actions, reasons and categories are the protocol\'s', () => {
  const statusRows = doc.split('\n').filter((l) => /^\| `[a-z_]+` \| \S+ \/ /.test(l)).map((l) => /`([a-z_]+)`/.exec(l)[1]);
  assert.deepEqual([...kStatuses], statusRows);
  const reject = quotedOn('| `question.reject`');
  assert.deepEqual([...kRejectReasons], reject.slice(reject.indexOf('off_topic'), reject.indexOf('other') + 1));
  const submit = quotedOn('| `question.submit`');
  assert.deepEqual([...kCategories], submit.slice(submit.indexOf('question'), submit.indexOf('complaint') + 1));
  for (const action of Object.values(Action)) assert.ok(doc.includes(`| \`${actionCommand(action)}\``), action);
});

test('graphics names are the protocol\'s', () => {
  assert.deepEqual([...Object.values(Slate)], quotedOn('| `overlay.slate`').slice(2, 5));
  for (const name of kOverlayToggles) assert.ok(doc.includes(`| \`overlay.${name}\``), name);
  for (const side of kOverlaySides) assert.ok(quotedOn('| `overlay.lower_third`').some((w) => w.includes(side)), side);
});

test('the limits the pages check are the studio\'s', () => {
  assert.match(doc, new RegExp(`\`text\` \\(1–${Limits.QUESTION_CHARS} characters`));
  assert.match(doc, new RegExp(`\`nickname\\?\` \\(≤ ${Limits.NICKNAME_CHARS} characters`));
  assert.match(doc, new RegExp(`\`name\` \\(optional, ≤ ${Limits.STAFF_NAME_CHARS} characters`));
  assert.match(doc, new RegExp(`\`text\` \\(1–${Limits.LINE_CHARS} characters\\)`));
  assert.match(doc, new RegExp(`0–${Limits.TYPING_MS}:`));
  assert.match(doc, new RegExp(`\`countdown_s\\?\` \\(0–${Limits.COUNTDOWN_S},`));
  assert.match(doc, new RegExp(`\`q\` is 1–${Limits.SEARCH_CHARS} characters`));
  assert.ok(doc.includes(`\`${kViewerIdPattern.source.slice(1, -1)}\``));
  assert.ok(doc.includes(`\`${kClientIdPattern.source.slice(1, -1)}\``));
});
