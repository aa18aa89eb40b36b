// Stories: administration. An admin adds a rep, who then signs in (and is
// told the admin pages are not theirs), and deactivates them; a token made
// through the API and revoked on the tokens page stops working at once;
// every settings page, at 1280 px and one at 390 px.
import { asset, check, marketerApi, password, psql, signIn, snap, startServer, watchedPage } from "../harness.mjs";

const bearer = (server, token) => fetch(`${server.origin}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });

export const stories = {
  async an_admin_adds_a_rep_who_signs_in_and_is_told_admin_is_not_theirs(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^409 .*\/api\/v1\/users$/]);
    await page.goto(`${origin}/app/`);
    await signIn(page, origin, "admin@e2e.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin", exact: true }).click();
    await page.getByRole("heading", { name: "Administration", level: 1 }).waitFor();
    const sections = await page.locator(".sections h2").allInnerTexts();
    check(sections.join("|") === "Users|API tokens|Webhook secrets|Outgoing webhooks|Personas|Stages|Aliases|Privacy|CRM import|API",
      `the admin's sections: ${sections}`);
    await snap(page, "admin-home-1280");
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await page.getByRole("heading", { name: /^\d+ users$/ }).waitFor();

    const form = page.locator("form.add-user");
    const add = async (email) => {
      await form.getByLabel("Name").fill("Rory Newrep");
      await form.getByLabel("E-mail").fill(email);
      await form.getByLabel("Role").selectOption("rep");
      await form.getByLabel("Password").fill(password);
      await form.getByRole("button", { name: "Add the user" }).click();
    };
    await add("rory@e2e.test");
    await page.getByRole("status").filter({ hasText: "Rory Newrep can now sign in as rory@e2e.test." }).waitFor();
    const row = page.locator("table.data tbody tr", { hasText: "rory@e2e.test" });
    await row.waitFor();
    check(await row.getByLabel("Role of Rory Newrep").inputValue() === "rep", "the new user's role");
    // The same e-mail again: the API's refusal beside the field, which takes the focus.
    await add("rory@e2e.test");
    const error = form.locator("label:has(input[name=email]) + .error");
    await error.waitFor();
    check(/exists/.test(await error.innerText()), `the error beside E-mail: ${await error.innerText()}`);
    check(await form.locator("input[name=email]").evaluate((e) => document.activeElement === e),
      "the e-mail field does not have the focus");
    // A seat on the board, changed in place, by keyboard (Tab from the role).
    await row.getByLabel("Role of Rory Newrep").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "Rory Newrep is now on the editorial board." }).waitFor();
    const ring = await row.getByLabel("Rory Newrep is on the editorial board").evaluate((e) => getComputedStyle(e).outlineStyle);
    check(ring !== "none", `the focused checkbox shows no focus ring (outline ${ring})`);
    await snap(page, "admin-users-1280", { fullPage: true });

    // Rory signs in, in a browser of their own, at 390 px.
    const rory = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const rp = await watchedPage(rory, [/^401 .*\/api\/v1\/me$/]);
    await rp.goto(`${origin}/app/`);
    await signIn(rp, origin, "rory@e2e.test");
    await rp.getByRole("heading", { name: "My deals" }).waitFor();
    const nav = await rp.locator("#nav").innerText();
    check(nav.includes("Board") && !nav.includes("Admin") && !nav.includes("Import"), `a board rep's navigation: ${nav}`);
    for (const [path, words] of [["/app/admin", "Administration is for marketing and administrators."],
      ["/app/admin/users", "Users: this page is for administrators."],
      ["/app/admin/tokens", "API tokens: this page is for marketing and administrators."],
      ["/app/import", "CRM import: this page is for marketing and administrators."]]) {
      await rp.goto(`${origin}${path}`);
      await rp.locator("p.refused").waitFor();
      check(await rp.locator("p.refused").innerText() === words, `a rep at ${path} reads ${await rp.locator("main").innerText()}`);
      check(!(await rp.locator("main form, main table").count()), `a rep at ${path} sees a form or a table`);
    }
    await snap(rp, "rep-admin-refused-390");

    // Deactivated: Rory's next request is refused, and the page goes to sign-in.
    await row.getByRole("button", { name: "Deactivate Rory Newrep" }).click();
    await page.getByRole("status").filter({ hasText: "Rory Newrep is deactivated" }).waitFor();
    await page.locator("table.data tbody tr", { hasText: "rory@e2e.test" }).getByRole("button", { name: "Reactivate Rory Newrep" }).waitFor();
    check(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")) === "Reactivate Rory Newrep",
      "the focus is not on the row's button after the deactivation");
    await rp.goto(`${origin}/app/`);
    await rp.waitForURL(/\/app\/sign-in/);
    await rory.close();
    await context.close();
    return [...page.problems(), ...rp.problems()];
  },

  async a_token_made_through_the_api_and_revoked_on_the_tokens_page_stops_working_at_once(browser, origin, server) {
    const made = await marketerApi(server, "POST", "/tokens", { name: "CRM nightly sync" }, [201]);
    check((await bearer(server, made.token)).status === 200, "the new token does not work");
    // Its use is written within a second or so: wait for it, as the page will show it.
    for (let i = 0; i < 50; i++) {
      const mine = await marketerApi(server, "GET", "/tokens");
      if (mine.items.find((t) => t.id === made.id)?.last_used_at) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/admin/tokens`);
    await signIn(page, origin, "admin@e2e.test");
    await page.getByRole("heading", { name: "API tokens", level: 1 }).waitFor();
    const row = page.locator("table.data tbody tr", { hasText: "CRM nightly sync" });
    await row.waitFor();
    const cells = await row.locator("td").allInnerTexts();
    check(cells[1] === "Mark Eting" && cells[3] !== "never", `the token's row: ${cells}`);
    check(await page.locator("table.data tbody tr", { hasText: "Ada Admin" }).count() >= 1, "the admin does not see everyone's tokens");
    await snap(page, "admin-tokens-1280", { fullPage: true });
    // One person's: the marketer's.
    await page.getByLabel("Whose tokens").selectOption({ label: "Mark Eting" });
    await page.waitForFunction(() => [...document.querySelectorAll("table.data tbody tr")]
      .every((tr) => tr.cells[1].textContent === "Mark Eting"));
    // Revoked by keyboard.
    await row.getByRole("button", { name: "Revoke the token “CRM nightly sync” of Mark Eting" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "“CRM nightly sync” of Mark Eting is revoked" }).waitFor();
    const after = await bearer(server, made.token);
    check(after.status === 401, `the revoked token answered ${after.status}, right after the page said it was revoked`);
    check(!(await page.locator("table.data tbody tr", { hasText: "CRM nightly sync" }).count()), "the revoked token is still listed");
    check((await bearer(server, server.token)).status === 200, "the marketer's other token stopped working too");
    await context.close();

    // A marketer sees their own tokens only, and makes one, shown once.
    const mc = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await mc.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const mp = await watchedPage(mc, [/^401 .*\/api\/v1\/me$/]);
    await mp.goto(`${origin}/app/admin/tokens`);
    await signIn(mp, origin, "marketer@e2e.test");
    await mp.getByRole("heading", { name: "API tokens", level: 1 }).waitFor();
    await mp.locator("table.data tbody tr").first().waitFor();
    check(!(await mp.getByLabel("Whose tokens").count()), "a marketer can choose whose tokens to see");
    check((await mp.locator("table.data thead").innerText()).indexOf("Owner") < 0, "a marketer's list has an owner column");
    await mp.getByLabel("Label (what it is for)").fill("Spreadsheet export");
    await mp.getByRole("button", { name: "Make the token" }).click();
    const shown = mp.getByLabel("New token");
    await shown.waitFor();
    const value = await shown.inputValue();
    check(value.startsWith("ns_") && (await bearer(server, value)).status === 200, `the token shown: ${value}`);
    await mp.getByRole("button", { name: "Copy" }).click();
    check(await mp.evaluate(() => navigator.clipboard.readText()) === value, "the token was not copied");
    await mp.locator("table.data tbody tr", { hasText: "Spreadsheet export" }).waitFor();
    await snap(mp, "marketer-tokens-1280", { fullPage: true });
    for (const [path, words] of [["/app/admin/users", "Users: this page is for administrators."],
      ["/app/admin/webhooks", "Webhook secrets: this page is for administrators."]]) {
      await mp.goto(`${origin}${path}`);
      await mp.locator("p.refused").waitFor();
      check(await mp.locator("p.refused").innerText() === words, `a marketer at ${path} reads ${await mp.locator("main").innerText()}`);
    }
    await mc.close();
    return [...page.problems(), ...mp.problems()];
  },

  async an_admin_walks_the_settings_pages(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^409 .*\/api\/v1\/personas\/[a-z-]+$/]);
    await page.goto(`${origin}/app/admin/webhooks`);
    await signIn(page, origin, "admin@e2e.test");
    await page.getByRole("heading", { name: "Webhook secrets", level: 1 }).waitFor();
    const add = page.locator("form.add-secret");
    await add.getByLabel("Label").fill("Salesforce flow");
    await add.getByRole("button", { name: "Add the secret" }).click();
    const shown = page.getByLabel("Secret Salesforce flow");
    await shown.waitFor();
    check((await shown.inputValue()).startsWith("whsec_"), `the secret shown: ${await shown.inputValue()}`);
    await page.getByRole("button", { name: "Rotate Salesforce flow (crm)" }).click();
    await page.locator("form.rotate").getByRole("button", { name: "Rotate" }).click();
    await page.getByRole("status").filter({ hasText: "“Salesforce flow” rotated." }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll("table.data tbody tr").length === 2);
    check((await page.locator("table.data tbody").innerText()).includes("(rotated)"), "the rotated secret has no end");
    await snap(page, "admin-webhooks-1280", { fullPage: true });

    await page.getByRole("link", { name: "Personas" }).click();
    await page.getByRole("heading", { name: "Personas", level: 1 }).waitFor();
    const persona = page.locator("form.add-persona");
    await persona.getByLabel("Name").fill("Procurement Lead");
    check(await persona.getByLabel("Slug (in addresses and the API)").inputValue() === "procurement-lead", "the slug is not made from the name");
    await persona.getByLabel("Description (optional)").fill("Runs the vendor process.");
    await persona.getByRole("button", { name: "Add the persona" }).click();
    await page.getByRole("form", { name: "Persona Procurement Lead" }).waitFor();
    await snap(page, "admin-personas-1280", { fullPage: true });

    await page.getByRole("link", { name: "Stages" }).click();
    await page.getByRole("heading", { name: "Stages", level: 1 }).waitFor();
    await page.getByRole("form", { name: "Stage Prospecting" }).waitFor();
    check(await page.getByRole("button", { name: "Move up: Prospecting" }).isDisabled(), "the first stage can move up");
    const order = () => page.locator("ol.stages h3").evaluateAll((hs) => hs.map((h) => h.firstChild.textContent.trim()));
    // The status is said before the list is drawn again: wait for the list.
    const settled = async (want) => {
      await page.waitForFunction((w) => [...document.querySelectorAll("ol.stages h3")]
        .map((h) => h.firstChild.textContent.trim()).slice(3, 5).join("|") === w, want, { timeout: 5000 }).catch(() => {});
      return (await order()).slice(3, 5).join("|") === want;
    };
    await page.getByRole("button", { name: "Move down: Proposal" }).click();
    await page.getByRole("status").filter({ hasText: "Proposal moved down to position 5." }).waitFor();
    check(await settled("4. Negotiation|5. Proposal"), `after the move: ${await order()}`);
    check(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")) === "Move down: Proposal",
      "the focus did not stay on the button");
    await page.keyboard.press("Shift+Tab"); // back to Move up, by keyboard
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Proposal moved up to position 4." }).waitFor();
    check(await settled("4. Proposal|5. Negotiation"), `after the move back: ${await order()}`);
    await snap(page, "admin-stages-1280", { fullPage: true });

    await page.getByRole("link", { name: "Aliases" }).click();
    await page.getByRole("heading", { name: "Aliases", level: 1 }).waitFor();
    const alias = page.locator("form.add-stage-alias");
    await alias.getByLabel("Name in the CRM").fill("Technical Win");
    await alias.getByLabel("Our stage").selectOption({ label: "Evaluation" });
    await alias.getByRole("button", { name: "Add" }).click();
    await page.getByRole("status").filter({ hasText: "“Technical Win” now means Evaluation." }).waitFor();
    await page.locator("table.data tbody tr", { hasText: "technical win" }).waitFor();
    await snap(page, "admin-aliases-1280", { fullPage: true });
    await page.getByRole("button", { name: "Remove the stage name “technical win”" }).click();
    await page.getByRole("status").filter({ hasText: "removed" }).waitFor();
    await context.close();
    return page.problems();
  },

  async an_admin_removes_old_leads_and_page_views_and_the_numbers_shown_stay(browser) {
    const server = await startServer("e2e_retention", { NEXTSTAGE_RETAIN_EVENTS_DAYS: "60",
      NEXTSTAGE_RETAIN_LEADS_DAYS: "90", NEXTSTAGE_RETENTION_EVERY_S: "0" });
    try {
      return await retention(browser, server);
    } finally {
      await server.stop();
    }
  },

  async a_prospect_who_asks_to_be_forgotten_is_erased_by_an_admin_everywhere(browser) {
    const server = await startServer("e2e_privacy"); // the other stories' library stays as it is
    try {
      return await erasure(browser, server);
    } finally {
      await server.stop();
    }
  },
};

// The erasure story's steps, on a server of its own.
async function erasure(browser, server) {
  const { origin } = server;
  const sql = (text) => psql(server.url, text);
  // The prospect took a gated guide and was sent a tracked link.
  const guide = await asset(server, { title: "Erasure guide", public: true, gated: true, intent: "sales",
    url: "https://example.com/erasure-guide", disclosure: "A rep calls you within a week." });
  const form = await (await fetch(`${origin}/p/${guide.id}`)).text();
  const sha = form.match(/name="disclosure_sha256" value="([0-9a-f]{64})"/)[1];
  const left = await fetch(`${origin}/p/${guide.id}/access`, { method: "POST", redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ name: "Dana Forgetme", email: "dana.forgetme@prospect.example", consent: "yes",
      disclosure_sha256: sha }) });
  check([200, 303].includes(left.status), `the form answered ${left.status}`);
  await marketerApi(server, "POST", "/shares", { asset_id: guide.id, channel: "email",
    recipient_email: "dana.forgetme@prospect.example" });
  const count = () => Number(sql("SELECT count(*) FROM leads WHERE email = 'dana.forgetme@prospect.example'").trim());
  check(count() === 1, "the lead was not recorded");

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
  await page.goto(`${origin}/app/admin/privacy`);
  await signIn(page, origin, "admin@e2e.test");
  await page.getByRole("heading", { name: "Privacy", level: 1 }).waitFor();
  await page.getByLabel("Their e-mail address").fill("dana.forgetme@prospect.example");
  await page.getByLabel("The address again, to confirm").fill("dana.forget@prospect.example");
  await page.getByRole("button", { name: "Erase every trace" }).click();
  await page.getByRole("alert").filter({ hasText: "The two addresses differ." }).waitFor();
  check(count() === 1, "a mistyped confirmation erased something");
  await page.getByLabel("The address again, to confirm").fill("Dana.Forgetme@prospect.example");
  await page.getByRole("button", { name: "Erase every trace" }).click();
  const said = page.getByRole("status").filter({ hasText: "Erased:" });
  await said.waitFor();
  check(/Erased: 1 lead, \d+ page views?, 1 share recipient\./.test(await said.innerText()), `the summary: ${await said.innerText()}`);
  await snap(page, "admin-privacy-1280");
  const anywhere = sql("SELECT count(*) FROM (SELECT 1 FROM leads WHERE email ILIKE 'dana.forgetme%'"
    + " UNION ALL SELECT 1 FROM shares WHERE recipient_email ILIKE 'dana.forgetme%'"
    + " UNION ALL SELECT 1 FROM audit WHERE before::text ILIKE '%dana.forgetme%' OR after::text ILIKE '%dana.forgetme%') x").trim();
  check(anywhere === "0", `the address is still in ${anywhere} rows`);
  await context.close();
  return page.problems();
}

// The retention story's steps, on a server of its own that keeps events 60
// days and leads 90: a lead and the guide's page views from 100 days ago go
// when the admin asks, and the guide's public numbers stay.
async function retention(browser, server) {
  const { origin } = server;
  const sql = (text) => psql(server.url, text);
  const guide = await asset(server, { title: "Retention guide", public: true, gated: true, intent: "sales",
    url: "https://example.com/retention-guide", disclosure: "A rep calls you within a week." });
  for (let i = 0; i < 3; i++) await fetch(`${origin}/p/${guide.id}`);
  const form = await (await fetch(`${origin}/p/${guide.id}`)).text();
  const sha = form.match(/name="disclosure_sha256" value="([0-9a-f]{64})"/)[1];
  const left = await fetch(`${origin}/p/${guide.id}/access`, { method: "POST", redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ name: "Rhea Oldlead", email: "rhea.oldlead@prospect.example", consent: "yes",
      disclosure_sha256: sha }) });
  check([200, 303].includes(left.status), `the form answered ${left.status}`);
  sql(`UPDATE leads SET created_at = now() - interval '100 days' WHERE asset_id = '${guide.id}'`);
  sql(`UPDATE page_views SET at = now() - interval '100 days' WHERE asset_id = '${guide.id}'`);
  const numbers = async () => (await marketerApi(server, "GET", `/assets/${guide.id}`)).public_page;
  const before = await numbers();
  check(before.views === 4 && before.leads === 1, `the guide's public numbers: ${JSON.stringify(before)}`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
  await page.goto(`${origin}/app/admin/privacy`);
  await signIn(page, origin, "admin@e2e.test");
  const card = page.getByRole("region", { name: "Retention" });
  await card.getByText("public page views and downloads are removed after 60 days; leads are removed after 90 days")
    .waitFor();
  await card.getByText("The server does this only when an administrator asks, below.").waitFor();
  await card.getByRole("button", { name: "Remove old data now" }).click();
  const said = card.getByRole("status").filter({ hasText: "Removed" });
  await said.waitFor();
  const text = await said.innerText();
  check(/^Removed 0 opens, 5 page views, 0 downloads and 1 lead\. No opens, page views or downloads before .+ and no leads before .+ are left\.$/
    .test(text), `the summary: ${text}`);
  await snap(page, "admin-retention-1280");
  check(sql(`SELECT count(*) FROM leads WHERE asset_id = '${guide.id}'`) === "0", "the old lead is still there");
  check(sql(`SELECT count(*) FROM page_views WHERE asset_id = '${guide.id}'`) === "0", "old page views are left");
  const after = await numbers();
  check(JSON.stringify(after) === JSON.stringify(before),
    `the guide's public numbers changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  await context.close();
  return page.problems();
}
