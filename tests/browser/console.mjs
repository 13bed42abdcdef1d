// console.mjs -- the ops console in headless Chromium (tests/integration/it_console.sh runs it).
// Env: CONSOLE_URL, CONSOLE_TOKEN, SHOT (screenshot path), EXPECT_STATUS (JSON {status: count} from SQL),
// DL_ID (a dead letter to re-drive), SEARCH (a tid to explain), CHROMIUM (default /usr/bin/chromium).
// Prints one line per check ("ok: ..." / "FAIL: ...") and exits 1 when any failed.
import { chromium } from 'playwright-core';

const url = process.env.CONSOLE_URL, token = process.env.CONSOLE_TOKEN;
const expected = JSON.parse(process.env.EXPECT_STATUS || '{}');
const dl = process.env.DL_ID, shot = process.env.SHOT, search = process.env.SEARCH;
let fails = 0;
const ok = (cond, what, detail) => {
  if (cond) console.log(`ok: ${what}`);
  else { fails++; console.log(`FAIL: ${what}${detail !== undefined ? ': ' + detail : ''}`); }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // 1. no token: 401 and the login form
  let r = await page.goto(url + '/');
  ok(r.status() === 401, 'without a token the page answers 401', r.status());
  ok(await page.locator('form[action="/login"] input[name=token]').count() === 1, 'the login form is shown');
  ok(await page.locator('#p-status').count() === 0, 'no panel is shown without a token');
  // 2. a wrong token is refused, the right one lets in
  await page.fill('input[name=token]', 'not-the-token-at-all');
  [r] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
  ok(r.status() === 401, 'a wrong token is refused (401)', r.status());
  await page.fill('input[name=token]', token);
  [r] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
  ok(r.status() === 200 && new URL(page.url()).pathname === '/', 'the right token logs in (the page, 200)',
     `${r.status()} ${page.url()}`);
  // 3. the sample's numbers: orders by status as SQL counts them
  const shown = await page.$$eval('#p-status tr[data-status]', rows => Object.fromEntries(
    rows.map(tr => [tr.dataset.status, Number(tr.querySelector('[data-count]').dataset.count)])));
  const names = await page.$$eval('#p-status tr[data-status] td:nth-child(2)', tds => tds.map(td => td.textContent));
  ok(JSON.stringify(shown) === JSON.stringify(expected), 'orders by status equal SQL',
     `page ${JSON.stringify(shown)} sql ${JSON.stringify(expected)}`);
  ok(names.length > 0 && names.every(n => n && n !== '?'), 'every status has its name', names.join(', '));
  ok(await page.locator('#p-moves svg rect').count() === 15, 'the moves chart has 15 minute bars');
  const moved = Number(await page.locator('#p-moves [data-moves]').getAttribute('data-moves'));
  ok(moved > 0, 'the moves chart counts the sample\'s order log rows', moved);
  const lagRows = await page.locator('#p-lag tr[data-group]').count();
  ok(lagRows >= 7, 'lag rows for the consumer groups', lagRows);
  const submitLag = await page.locator('#p-lag tr[data-topic$="trade.raw"]').getAttribute('data-lag');
  ok(submitLag === '0', 'trade-submit has no lag on trade.raw', submitLag);
  ok(await page.locator('#p-ladder tr[data-topic]').count() === 4, 'four retry-ladder rungs');
  ok(await page.locator('#p-flash [data-fsjob]').count() === 5, 'flash-sale jobs by five states');
  ok(await page.locator('#p-sync table').count() === 1, 'the sync conflicts panel');
  ok(await page.locator('#p-stock [data-stock="ok"]').count() === 1, 'the stock check is OK');
  const reason = await page.locator(`#p-dlq tr[data-dl="${dl}"] .reason`).textContent();
  ok(/unknown shop/.test(reason || ''), 'the dead letter is listed with its reason', reason);
  // 4. the order search shows explain
  if (search) {
    await page.fill('#search input[name=q]', search);
    [r] = await Promise.all([page.waitForNavigation(), page.click('#search button')]);
    const text = await page.locator('#explain').textContent();
    ok(text.includes(`tid ${search}`) && /why/.test(text), 'the search shows explain for the tid',
       text.slice(0, 200));
  }
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  // 5. re-drive: a POST with the CSRF token, then the page says what happened
  [r] = await Promise.all([page.waitForNavigation(), page.click(`button[data-redrive="${dl}"]`)]);
  const notice = await page.locator('#notice').textContent();
  ok(r.status() === 200 && notice.includes(`Dead letter ${dl} re-driven`), 'the re-drive click re-drives and says so',
     notice);
  ok(await page.locator(`#p-dlq tr[data-dl="${dl}"]`).getAttribute('data-redrives') === '1',
     'the dead letter shows one re-drive');
  // 6. a forged form (no CSRF token) is refused
  const forged = await page.evaluate(async id => (await fetch('/redrive', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `id=${id}` })).status, dl);
  ok(forged === 403, 'a re-drive without the CSRF token is refused (403)', forged);
  // 7. the panels refresh without a reload
  const fragment = await page.evaluate(async () => (await fetch('/panels')).status);
  ok(fragment === 200, 'GET /panels answers the panels', fragment);
} finally {
  await browser.close();
}
process.exit(fails ? 1 : 0);
