// Browser tests of the participant site in headless Debian Chromium.
// Starts tests/browser/sitefixture (both stand-ins + the site), then walks
// through the site as a participant on a 360 px phone would.
//
// Environment: SITE_FIXTURE (path of the site-fixture executable, required),
// CHROMIUM (default /usr/bin/chromium), ARTIFACT_DIR (screenshots; default
// tests/artifacts/site).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturePath = process.env.SITE_FIXTURE;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifactDir = process.env.ARTIFACT_DIR || path.join(here, '..', 'artifacts', 'site');

function die(message) {
  console.error(`not ok - ${message}`);
  process.exit(1);
}

if (!fixturePath || !existsSync(fixturePath)) die('SITE_FIXTURE must name the built site-fixture executable');
if (!existsSync(chromiumPath)) die(`Chromium is not at ${chromiumPath} (deploy/install-deps.sh test installs it)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  die('playwright-core is missing: run `npm install` in tests/browser (tests/run.sh does)');
}

// --- the fixture -----------------------------------------------------------

function startFixture() {
  const child = spawn(fixturePath, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, urls: JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`site-fixture exited with ${code}`)));
  });
}

async function memberFiles(urls, member) {
  const reply = await fetch(`${urls.control}/files?member=${encodeURIComponent(member)}`);
  return reply.json();
}

function contentsNamed(files, basename) {
  return files.filter((f) => f.basename === basename).map((f) => f.content);
}

// --- the browser -----------------------------------------------------------

const profile = mkdtempSync(path.join(tmpdir(), 'openaps-chromium-'));
mkdirSync(artifactDir, { recursive: true });
const { child: fixture, urls } = await startFixture();
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 360, height: 740 },
  acceptDownloads: true,
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
});

// Console errors and uncaught exceptions on our site's pages fail the run.
const consoleErrors = [];
context.on('page', watch);
function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && page.url().startsWith(urls.site)) consoleErrors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
}

async function freshPage() {
  await context.clearCookies();
  for (const p of context.pages()) await p.close();
  const page = await context.newPage();
  return page;
}

// Landing → Open Humans stand-in → Approve → logged-in page. Returns the
// member id; `member` logs in as that existing stand-in member.
async function logIn(page, member) {
  await page.goto(urls.site + '/');
  await page.getByRole('link', { name: 'Log in with Open Humans' }).click();
  await page.waitForURL((u) => u.href.startsWith(urls.openHumans));
  if (member) await page.selectOption('select[name="member"]', member);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${urls.site}/me`);
  return (await page.locator('#member-id').textContent()).trim();
}

async function submitNightscout(page, { url, secret = '', openaps, nsf }) {
  await page.fill('#url', url);
  await page.fill('#secret', secret);
  await page.setChecked('#share-openaps', openaps);
  await page.setChecked('#share-nsf', nsf);
  await Promise.all([page.waitForLoadState('load'), page.click('#save')]);
  await page.waitForSelector('#saved-notice, #problem');
}

// --- the scenarios ---------------------------------------------------------

const results = [];
async function scenario(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`not ok - ${name}\n  ${String(error.stack || error).split('\n').join('\n  ')}`);
  }
}

await scenario('landing page works on a 360 px phone and with a keyboard', async () => {
  const page = await freshPage();
  await page.goto(urls.site + '/');
  await assert.doesNotReject(page.getByRole('heading', { level: 1 }).waitFor());
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling (page is ${width} px wide)`);
  await page.screenshot({ path: path.join(artifactDir, 'landing-360.png'), fullPage: true });
  // Keyboard only: Tab until the login link has focus, then Enter.
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'login'; ++i) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  }
  assert.equal(focused, 'login', 'the login link is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.href.startsWith(urls.openHumans));
});

await scenario('full registration through the Open Humans stand-in (both)', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  assert.equal(await page.locator('#saved-notice h2').textContent(), 'Saved');
  const host = new URL(urls.nightscout.open).host;
  assert.equal((await page.locator('#saved-host').textContent()).trim(), host);
  const files = await memberFiles(urls, member);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_data_sharing_consent.txt`), ['both']);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_nightscout_url.txt`), [urls.nightscout.open]);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling (page is ${width} px wide)`);
  await page.screenshot({ path: path.join(artifactDir, 'registered-360.png'), fullPage: true });
});

for (const [openaps, nsf, consent] of [[true, false, 'openaps'], [false, true, 'nsf'], [false, false, 'none']]) {
  await scenario(`consent boxes ${openaps ? 'OpenAPS' : '-'} / ${nsf ? 'NSF' : '-'} write "${consent}"`, async () => {
    const page = await freshPage();
    const member = await logIn(page);
    await submitNightscout(page, { url: urls.nightscout.open, openaps, nsf });
    assert.ok(await page.locator('#saved-notice').isVisible());
    const files = await memberFiles(urls, member);
    assert.deepEqual(contentsNamed(files, `${member}_open_aps_data_sharing_consent.txt`), [consent]);
    assert.equal(await page.isChecked('#share-openaps'), openaps);
    assert.equal(await page.isChecked('#share-nsf'), nsf);
  });
}

await scenario('an unreachable address gets plain words', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.unreachable, openaps: true, nsf: true });
  assert.equal((await page.locator('#problem h2').textContent()).trim(), 'We could not reach your Nightscout site');
  assert.match(await page.locator('#problem p').textContent(), /Check the address/);
  assert.equal(await page.inputValue('#url'), urls.nightscout.unreachable, 'what was typed stays');
  assert.deepEqual(await memberFiles(urls, member), [], 'nothing was written to Open Humans');
  await page.screenshot({ path: path.join(artifactDir, 'unreachable-360.png'), fullPage: true });
});

await scenario('a locked site asks for a token, then works with one', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.locked, openaps: true, nsf: false });
  assert.equal((await page.locator('#problem h2').textContent()).trim(), 'Your Nightscout site needs a token');
  assert.ok(await page.locator('#token-help').evaluate((d) => d.open), 'the token help is open');
  assert.ok(await page.getByText('How do I make a read-only token?').isVisible());
  await submitNightscout(page, { url: urls.nightscout.locked, secret: urls.nightscout.token, openaps: true, nsf: false });
  assert.ok(await page.locator('#saved-notice').isVisible());
  const files = await memberFiles(urls, member);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_nightscout_url.txt`),
    [`${urls.nightscout.locked}/?token=${urls.nightscout.token}`]);
  assert.ok(!(await page.content()).includes(urls.nightscout.token), 'the page never shows the token');
});

// --- self-service (issue 11) ----------------------------------------------

async function noSidewaysScrolling(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling (page is ${width} px wide)`);
}

await scenario('a saved token shows as saved, stays when only the consent changes, and can be removed', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.locked, secret: urls.nightscout.token, openaps: true, nsf: true });
  assert.equal((await page.locator('#saved-token').textContent()).trim(), 'Saved (hidden)');
  assert.equal(await page.getAttribute('#secret', 'placeholder'), 'Saved (hidden)');
  await submitNightscout(page, { url: urls.nightscout.locked, openaps: false, nsf: true });
  assert.ok(await page.locator('#saved-notice').isVisible(), 'saved without typing the token again');
  const files = await memberFiles(urls, member);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_data_sharing_consent.txt`), ['nsf']);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_nightscout_url.txt`),
    [`${urls.nightscout.locked}/?token=${urls.nightscout.token}`]);
  assert.ok(!(await page.content()).includes(urls.nightscout.token), 'the page never shows the token');
  // Removing it is a separate tick; the locked site then says it needs one.
  await page.setChecked('#remove-token', true);
  await Promise.all([page.waitForLoadState('load'), page.click('#save')]);
  await page.waitForSelector('#problem');
  assert.equal((await page.locator('#problem h2').textContent()).trim(), 'Your Nightscout site needs a token');
  await noSidewaysScrolling(page);
  await page.screenshot({ path: path.join(artifactDir, 'token-saved-360.png'), fullPage: true });
});

await scenario('an address without https:// is tried with https first, then http', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  const typed = new URL(urls.nightscout.open).host; // the stand-in speaks plain http
  await submitNightscout(page, { url: typed, openaps: true, nsf: false });
  assert.ok(await page.locator('#saved-notice').isVisible());
  const files = await memberFiles(urls, member);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_nightscout_url.txt`), [`http://${typed}`]);
});

await scenario('withdrawing says what happens, and the status box calls it a choice', async () => {
  const page = await freshPage();
  await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  await submitNightscout(page, { url: urls.nightscout.open, openaps: false, nsf: false });
  assert.match(await page.locator('#saved-notice').textContent(), /taken out\s+of the research database/);
  assert.equal(await page.locator('#transfer-problem').count(), 0);
  await page.screenshot({ path: path.join(artifactDir, 'withdrawn-360.png'), fullPage: true });
});

await scenario('the consent history lists each choice with the text version shown', async () => {
  const page = await freshPage();
  await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: false });
  const items = page.locator('#history li');
  assert.equal(await items.count(), 2);
  assert.match(await items.first().textContent(), /you chose to share with OpenAPS Data Commons\s+\(consent text v1\)/);
  await Promise.all([page.waitForURL(`${urls.site}/consent/v1`), items.first().getByRole('link').click()]);
  assert.match(await page.locator('h1').textContent(), /version v1/);
  await noSidewaysScrolling(page);
});

await scenario('download what we hold about me', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.match(download.suggestedFilename(), /^openaps-data-commons-.*\.json$/);
  const saved = path.join(artifactDir, 'download.json');
  await download.saveAs(saved);
  const file = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(file.open_humans_member_id, member);
  assert.equal(file.registration.participants[0].member_id, member);
  assert.equal(file.consent_history.consent_history[0].consent, 'both');
  assert.equal(file.consent_history.consent_history[0].text_version, 'v1');
  assert.ok(!JSON.stringify(file).includes('access_token_enc'), 'no encrypted tokens');
});

await scenario('stop sharing and delete my data: confirm, delete, and what stays in Open Humans', async () => {
  const page = await freshPage();
  const member = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  await Promise.all([page.waitForURL(`${urls.site}/me/delete`), page.click('#delete')]);
  await noSidewaysScrolling(page);
  await page.screenshot({ path: path.join(artifactDir, 'delete-confirm-360.png'), fullPage: true });
  // Changing one's mind costs nothing.
  await Promise.all([page.waitForURL(`${urls.site}/me`), page.click('#delete-cancel')]);
  await Promise.all([page.waitForURL(`${urls.site}/me/delete`), page.click('#delete')]);
  await Promise.all([page.waitForLoadState('load'), page.click('#delete-confirm')]);
  await page.waitForSelector('#deleted-notice');
  assert.match(await page.locator('#removed').textContent(), /Your registration and Open Humans login/);
  assert.match(await page.locator('#oh-left').textContent(), /Leave project/);
  await noSidewaysScrolling(page);
  await page.screenshot({ path: path.join(artifactDir, 'deleted-360.png'), fullPage: true });
  const files = await memberFiles(urls, member);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_nightscout_url.txt`), []);
  assert.deepEqual(contentsNamed(files, `${member}_open_aps_data_sharing_consent.txt`), ['none']);
  await page.goto(urls.site + '/me');
  assert.equal(page.url(), urls.site + '/', 'logged out');

  // Logging in again: asked first, nothing shared until "Yes".
  await logIn(page, member);
  assert.ok(await page.locator('#rejoin').isVisible());
  assert.equal(await page.locator('#nightscout-form').count(), 0);
  await noSidewaysScrolling(page);
  await page.screenshot({ path: path.join(artifactDir, 'rejoin-360.png'), fullPage: true });
  await Promise.all([page.waitForLoadState('load'), page.click('#rejoin-yes')]);
  await page.waitForSelector('#nightscout-form');
  assert.match(await page.locator('#history').textContent(), /you started again after your data was deleted/);
});

await scenario('the same Nightscout site saved by a second member gets a notice naming no one', async () => {
  const page = await freshPage();
  const first = await logIn(page);
  await submitNightscout(page, { url: urls.nightscout.open, openaps: true, nsf: true });
  const second = await freshPage();
  await logIn(second);
  await submitNightscout(second, { url: urls.nightscout.open + '/', openaps: true, nsf: false });
  assert.ok(await second.locator('#shared-site').isVisible());
  assert.ok(!(await second.content()).includes(first), 'the other member is not named');
  await noSidewaysScrolling(second);
  await second.screenshot({ path: path.join(artifactDir, 'shared-site-360.png'), fullPage: true });
});

await scenario('the privacy notice and contact page is linked from every page', async () => {
  const page = await freshPage();
  await page.goto(urls.site + '/');
  await Promise.all([page.waitForURL(`${urls.site}/privacy`), page.click('#privacy-link')]);
  assert.equal((await page.locator('h1').textContent()).trim(), 'Privacy and contact');
  assert.ok(await page.locator('#contact').isVisible());
  await noSidewaysScrolling(page);
  await page.screenshot({ path: path.join(artifactDir, 'privacy-360.png'), fullPage: true });
  await logIn(page);
  assert.ok(await page.locator('#privacy-link').isVisible());
});

await scenario('log out', async () => {
  const page = await freshPage();
  await logIn(page);
  await Promise.all([page.waitForURL(urls.site + '/'), page.getByRole('button', { name: 'Log out' }).click()]);
  assert.ok(await page.getByRole('link', { name: 'Log in with Open Humans' }).isVisible());
  await page.goto(urls.site + '/me');
  assert.equal(page.url(), urls.site + '/', 'the logged-in page is gone');
});

await scenario('no console errors on any page of the site', async () => {
  const page = await freshPage();
  for (const p of ['/', '/no/such/page', '/privacy', '/consent/v1']) await page.goto(urls.site + p);
  assert.deepEqual(consoleErrors.filter((e) => !e.includes('/no/such/page')), []);
});

await context.close();
rmSync(profile, { recursive: true, force: true });
await fetch(`${urls.control}/quit`, { method: 'POST' }).catch(() => {});
fixture.kill();

const failed = results.filter((r) => !r.ok).length;
console.log(`# ${results.length - failed} passed, ${failed} failed; screenshots in ${artifactDir}`);
process.exit(failed === 0 ? 0 : 1);
