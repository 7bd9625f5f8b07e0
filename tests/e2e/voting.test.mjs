// End-to-end: a citizen observer's invitation link and viewers' up-votes.
// The observer opens the link an organiser made with `yishiting observers
// add` (/o/<token>): the page greets them as 市民观察员, and the token leaves
// the address bar. Their question reaches the producer console with the
// observer's badge and name, and the studio holds it as theirs. Once it is
// approved, a viewer up-votes it: the count goes up on every page and in the
// studio; a second vote from the same viewer (a second tab of theirs, opened
// before the first vote) is refused with the page's message and counts
// nothing; another viewer's vote counts. A link with a wrong token says so
// and leaves a plain viewer.
//
//   YST_URL=http://127.0.0.1:18080 YST_PRODUCER_TOKEN=… \
//     YST_OBSERVER_LINK=http://127.0.0.1:18080/o/… YST_OBSERVER_NAME=李观察 \
//     YST_ARTIFACTS=dir node tests/e2e/voting.test.mjs
//
// Exit status 0 when every check passes, 1 otherwise; the last line is
// "1 passed, 0 failed" or "0 passed, 1 failed". Screenshots go to
// YST_ARTIFACTS (default tests/artifacts/e2e), named voting-*.
//
// Selectors: data-testid attributes of assets/web/index.html and
// viewer/view.js (viewer and observer): viewer-observer (the observer's
// greeting), notice, question-text, question-submit, question-message,
// my-questions > my-question (data-question-id, data-status),
// public-questions > public-question (data-question-id) with
// public-question-text,
// observer-badge, public-question-vote (aria-pressed, disabled) >
// public-question-votes; public-message; <body data-hello="ok">. Producer
// (assets/web/producer/): login-token, login-name, login-submit,
// pending-list, approved-list > question-card with card-observer,
// card-votes, action-approve.

import path from 'node:path';
import {
  artifactsDir, assertNoProblems, baseUrl, check, connectAs, log, missingHls, pollUntil,
  runBrowserTest, testid, watch,
} from './support.mjs';

const kStepTimeoutMs = 15000;

const producerToken = process.env.YST_PRODUCER_TOKEN || '';
const observerLink = process.env.YST_OBSERVER_LINK || '';
const observerName = process.env.YST_OBSERVER_NAME || '';

const runTag = Date.now().toString(36);
const questionText = `老旧小区加装电梯的补贴什么时候到位？（观察员 e2e ${runTag}）`;
const observerBadge = `市民观察员 · ${observerName}`;

let step = 0;

async function snapshot(pages, label) {
  step += 1;
  const prefix = `voting-${String(step).padStart(2, '0')}-${label}`;
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: path.join(artifactsDir, `${prefix}-${name}.png`), fullPage: true });
  }
}

// Polls `probe` ({ok, value, seen}) until ok, or fails with what it last saw.
function until(probe, what, timeoutMs = kStepTimeoutMs) {
  return pollUntil(probe, what, timeoutMs);
}

// The studio's side: a producer connection outside the browser that reads.
let studio = null;

async function serverQuestion(id) {
  const answer = await studio.request({ type: 'questions.list' });
  return (answer.questions || []).find((q) => q.id === id) || null;
}

async function expectServer(id, predicate, what) {
  return until(async () => {
    const q = await serverQuestion(id);
    return { ok: Boolean(q) && predicate(q), value: q, seen: q };
  }, `the studio to hold #${id} ${what}`);
}

async function mobileViewer(browser, name) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await watch(page, name, missingHls);
  page.setDefaultTimeout(kStepTimeoutMs);
  return { context, page };
}

// Waits for `locator` to be on the page; fails saying what was expected.
async function shows(locator, what) {
  await locator.waitFor({ timeout: kStepTimeoutMs }).catch(() => {
    throw new Error(`expected ${what}; it did not appear`);
  });
}

async function openViewer(page, name, url = `${baseUrl}/`) {
  const response = await page.goto(url, { waitUntil: 'load' });
  check(response && response.ok(), `${name}: ${url} answered HTTP ${response && response.status()}`);
  await shows(page.locator('body[data-hello="ok"]'), `${name}: the page connected to the studio (data-hello)`);
}

function publicItem(page, id) {
  return page.locator(`${testid('public-questions')} ${testid('public-question')}[data-question-id="${id}"]`);
}

// The count a page shows on the question's up-vote button.
async function expectShownVotes(page, name, id, votes) {
  const count = publicItem(page, id).locator(testid('public-question-votes'));
  await until(async () => {
    const shown = (await count.count()) > 0 ? (await count.textContent()).trim() : null;
    return { ok: shown === String(votes), seen: shown };
  }, `${name} to show ${votes} vote(s) on #${id}`);
}

async function voteButton(page, id) {
  return publicItem(page, id).locator(testid('public-question-vote'));
}

// The page's button says this viewer has voted: pressed, and disabled.
async function expectVoted(page, name, id) {
  const button = await voteButton(page, id);
  await until(async () => {
    const seen = (await button.count()) === 1
      ? { pressed: await button.getAttribute('aria-pressed'), disabled: await button.isDisabled() } : null;
    return { ok: Boolean(seen) && seen.pressed === 'true' && seen.disabled, seen };
  }, `${name}: the up-vote button on #${id} pressed and disabled`);
}

async function run(browser) {
  const opened = [];
  const observer = await mobileViewer(browser, 'observer');
  const viewer = await mobileViewer(browser, 'viewer');
  const other = await mobileViewer(browser, 'other viewer');
  const stranger = await mobileViewer(browser, 'wrong link');
  opened.push(observer, viewer, other, stranger);
  const producerContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const producer = await producerContext.newPage();
  await watch(producer, 'producer', missingHls);
  producer.setDefaultTimeout(kStepTimeoutMs);
  const secondTab = await viewer.context.newPage();
  await watch(secondTab, 'viewer, second tab', missingHls);
  secondTab.setDefaultTimeout(kStepTimeoutMs);
  const pages = { observer: observer.page, viewer: viewer.page, 'viewer-tab2': secondTab, producer };

  studio = await connectAs({ type: 'hello', role: 'producer', token: producerToken, name: 'e2e读状态' },
    'reading producer', kStepTimeoutMs);
  try {
    // 1. The invitation link: /o/<token> opens the viewer page as the
    // observer; the token is kept, and gone from the address bar.
    const token = observerLink.replace(/^.*\/o\//, '');
    check(token.length >= 16 && token !== observerLink, `YST_OBSERVER_LINK is not an invitation: ${observerLink}`);
    await openViewer(observer.page, 'observer', observerLink);
    const greeting = observer.page.locator(`${testid('viewer-observer')}:visible`);
    await greeting.waitFor().catch(async () => {
      const notice = await observer.page.locator(testid('notice')).textContent();
      throw new Error(`observer: no greeting; notice: "${notice}"`);
    });
    check((await greeting.textContent()).trim() === observerBadge,
          `observer: greeted as "${(await greeting.textContent()).trim()}"`);
    await until(async () => {
      const url = observer.page.url();
      return { ok: !url.includes(token) && new URL(url).pathname === '/', seen: url };
    }, 'the token out of the address bar, on the viewer page');
    const kept = await observer.page.evaluate(() => localStorage.getItem('yst.observer_token'));
    check(kept === token, 'observer: the invitation token was not kept for the next visit');
    await snapshot({ observer: observer.page }, 'observer-opened');
    log('ok - the invitation link opens the page as 市民观察员');

    // 2. The producer logs in.
    await producer.goto(`${baseUrl}/producer/`, { waitUntil: 'load' });
    await producer.locator(testid('login-token')).fill(producerToken);
    await producer.locator(testid('login-name')).fill('e2e导播');
    await producer.locator(testid('login-submit')).click();
    await shows(producer.locator('body[data-hello="ok"]'), 'producer: logged in');

    // 3. The observer asks; the producer sees whose question it is.
    await observer.page.locator(testid('question-text')).fill(questionText);
    await observer.page.locator(testid('question-submit')).click();
    const mine = observer.page.locator(`${testid('my-questions')} ${testid('my-question')}`)
      .filter({ has: observer.page.locator(testid('my-question-text'), { hasText: questionText }) });
    await mine.waitFor().catch(async () => {
      const said = await observer.page.locator(testid('question-message')).textContent();
      throw new Error(`observer: not received; the form says "${said}"`);
    });
    const id = Number(await mine.getAttribute('data-question-id'));
    check(id > 0, `observer: the question has no id (${id})`);
    const asked = await expectServer(id, (q) => q.status === 'pending', 'pending');
    check(asked.observer === observerName && Array.isArray(asked.flags) && asked.flags.includes('observer'),
          `the studio: #${id} is not marked as the observer's: ${JSON.stringify(asked)}`);
    const producerCard = (list) =>
      producer.locator(`${testid(list)} ${testid('question-card')}[data-question-id="${id}"]`);
    const pendingCard = producerCard('pending-list');
    await shows(pendingCard, `producer: #${id} in 待审`);
    const tag = pendingCard.locator(testid('card-observer'));
    check(await tag.count() === 1 && (await tag.textContent()).trim() === observerBadge,
          `producer: #${id} carries no observer badge (${await tag.count()} found)`);
    check((await pendingCard.locator(testid('card-text')).textContent()) === questionText,
          'producer: the observer\'s text differs');
    // The line of who did what last names the arrival in the page's language.
    const lastAction = producer.locator(testid('last-action'));
    await until(async () => {
      const shown = (await lastAction.textContent()).trim();
      return { ok: shown === `新提问 · #${id}`, seen: shown };
    }, `producer: the last action to read "新提问 · #${id}"`);
    await snapshot({ observer: observer.page, producer }, 'observer-asked');
    log(`ok - #${id} arrives marked as ${observerName}'s`);

    // 4. Approved, it is public, with the badge, on every viewer page. The
    // viewer has two tabs, both open before they vote.
    await pendingCard.locator(testid('action-approve')).click();
    await expectServer(id, (q) => q.status === 'approved', 'approved');
    await openViewer(viewer.page, 'viewer');
    const viewerId = await viewer.page.evaluate(() => localStorage.getItem('yst.viewer'));
    check(/^[A-Za-z0-9_-]{44}$/.test(viewerId || ''), `viewer: no viewer id kept: ${viewerId}`);
    await openViewer(secondTab, 'second tab');
    check(await secondTab.evaluate(() => localStorage.getItem('yst.viewer')) === viewerId,
          'viewer: the second tab is another viewer');
    await openViewer(other.page, 'other viewer');
    for (const [name, page] of Object.entries({ observer: observer.page, viewer: viewer.page,
                                                'second tab': secondTab, 'other viewer': other.page })) {
      const item = publicItem(page, id);
      await shows(item, `${name}: #${id} in 网友提问`);
      check((await item.locator(testid('public-question-text')).textContent()) === questionText,
            `${name}: the public question reads otherwise`);
      const badge = item.locator(testid('observer-badge'));
      check(await badge.count() === 1 && (await badge.textContent()).trim() === observerBadge,
            `${name}: the public question has no observer badge (${await badge.count()} found)`);
      await expectShownVotes(page, name, id, 0);
    }
    check(await (await voteButton(viewer.page, id)).isEnabled(), 'viewer: the up-vote button is disabled');
    await snapshot({ viewer: viewer.page }, 'public');
    log('ok - approved: public on every page, with the observer badge, 0 votes');

    // 5. The viewer up-votes: 1 in the studio and on every page; their
    // button is pressed.
    await (await voteButton(viewer.page, id)).click();
    await expectServer(id, (q) => q.votes === 1, 'with 1 vote');
    await expectShownVotes(viewer.page, 'viewer', id, 1);
    await expectVoted(viewer.page, 'viewer', id);
    await expectShownVotes(observer.page, 'observer', id, 1);
    await expectShownVotes(other.page, 'other viewer', id, 1);
    await expectShownVotes(secondTab, 'second tab', id, 1);
    const producerVotes = producerCard('approved-list').locator(testid('card-votes'));
    await until(async () => {
      const shown = (await producerVotes.count()) > 0 ? (await producerVotes.textContent()).trim() : null;
      return { ok: shown === '1', seen: shown };
    }, `producer: 1 vote on #${id}`);
    await snapshot({ viewer: viewer.page, producer }, 'voted');
    log('ok - a vote counts: 1 in the studio and on every page');

    // 6. Again from the same viewer, in the tab that had not heard of it:
    // refused with the page's message, the count stays.
    const again = await voteButton(secondTab, id);
    check(await again.isEnabled(), 'second tab: the button is already disabled (it cannot try again)');
    await again.click();
    const message = secondTab.locator(`${testid('public-message')}:visible`);
    await message.waitFor().catch(() => {
      throw new Error('second tab: a second vote got no message');
    });
    const said = (await message.textContent()).trim();
    check(said === '您已经赞过这个问题', `second tab: a second vote says "${said}"`);
    await expectVoted(secondTab, 'second tab', id);
    await expectShownVotes(secondTab, 'second tab', id, 1);
    check((await serverQuestion(id)).votes === 1, 'the studio counted a second vote from one viewer');
    await snapshot({ 'viewer-tab2': secondTab }, 'second-vote-refused');
    log('ok - a second vote from the same viewer is refused: 您已经赞过这个问题');

    // 7. Another viewer's vote counts; the first viewer's reloaded page still
    // knows it voted.
    await (await voteButton(other.page, id)).click();
    await expectServer(id, (q) => q.votes === 2, 'with 2 votes');
    for (const [name, page] of Object.entries({ observer: observer.page, viewer: viewer.page,
                                                'other viewer': other.page })) {
      await expectShownVotes(page, name, id, 2);
    }
    await viewer.page.reload({ waitUntil: 'load' });
    await shows(viewer.page.locator('body[data-hello="ok"]'), 'viewer: connected again after a reload');
    await expectShownVotes(viewer.page, 'viewer after a reload', id, 2);
    await expectVoted(viewer.page, 'viewer after a reload', id);
    await snapshot({ observer: observer.page }, 'two-votes');
    log('ok - another viewer\'s vote counts (2); a reload keeps the vote pressed');

    // 8. A link with a wrong token: the page says the invitation is not
    // valid and carries on as a plain viewer.
    const wrong = observerLink.slice(0, -4) + (observerLink.endsWith('zzzz') ? 'yyyy' : 'zzzz');
    await openViewer(stranger.page, 'wrong link', wrong);
    const notice = stranger.page.locator(`${testid('notice')}:visible`);
    await shows(notice, 'wrong link: a notice');
    const noticeText = (await notice.textContent()).trim();
    check(noticeText === '观察员邀请无效，您将以普通网友身份参与',
          `wrong link: the notice says "${noticeText}"`);
    check(await stranger.page.locator(testid('viewer-observer')).isHidden(), 'wrong link: greeted as an observer');
    check(await stranger.page.evaluate(() => localStorage.getItem('yst.observer_token')) === null,
          'wrong link: the refused token was kept');
    check(!stranger.page.url().includes('#o='),
          `wrong link: the token stayed in the address bar: ${stranger.page.url()}`);
    await shows(publicItem(stranger.page, id), `wrong link: #${id} in 网友提问`);
    await snapshot({ 'wrong-link': stranger.page }, 'wrong-link');
    log('ok - a wrong invitation says so and leaves a plain viewer');

    await assertNoProblems('console, page errors, CSP or dialogs');
    log('ok - no console errors, CSP violations or dialogs');
  } catch (error) {
    for (const [name, page] of Object.entries({ ...pages, 'wrong-link': stranger.page })) {
      await page.screenshot({ path: path.join(artifactsDir, `failure-voting-${name}.png`), fullPage: true })
        .catch(() => {});
    }
    throw error;
  } finally {
    studio.close();
    for (const { context } of opened) await context.close().catch(() => {});
    await producerContext.close().catch(() => {});
  }
}

if (!producerToken || !observerLink || !observerName) {
  log('YST_PRODUCER_TOKEN, YST_OBSERVER_LINK and YST_OBSERVER_NAME must be set');
  log('0 passed, 1 failed');
  process.exitCode = 1;
} else {
  await runBrowserTest(run);
}
