// Stories: signing in and out, and what each role is shown.
import { asset, check, password, signIn, snap, sql, startServer, watchedPage } from "../harness.mjs";

export const stories = {
  async a_rep_signs_in_sees_no_library_and_signs_out(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    // Chromium now and then reports the sign-out's DELETE as aborted by the
    // navigation that follows it; the check of /me below proves it was done.
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/], [/^DELETE .*\/api\/v1\/session$/]);
    await page.goto(`${origin}/app/`);
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2F$/);
    await snap(page, "sign-in-390");
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(`${origin}/app/`);
    await page.getByRole("heading", { name: "My deals" }).waitFor();
    const nav = await page.locator("#nav").innerText();
    check(nav.includes("My deals") && !nav.includes("Library") && !nav.includes("Board"),
      `a rep's navigation: ${JSON.stringify(nav)}`);
    // A deal of the rep's, as the CRM would have made it: listed, and its page.
    const made = await page.evaluate(async () => {
      const r = await fetch("/api/v1/deals", { method: "POST", headers: {
        "Content-Type": "application/json", "X-Requested-With": "e2e" },
        body: JSON.stringify({ name: "Initech — invoice capture", account: "Initech", stage: "discovery", amount: 36000 }) });
      await r.json(); // read it all before the reload
      return r.status;
    });
    check(made === 201, `creating the rep's deal answered ${made}`);
    await page.reload();
    const row = page.getByRole("row", { name: /Initech — invoice capture/ });
    await row.waitFor();
    check((await row.innerText()).includes("Discovery"), `the row: ${await row.innerText()}`);
    await snap(page, "rep-deals-390");
    await page.getByRole("link", { name: "Initech — invoice capture" }).click();
    await page.getByRole("heading", { name: "Initech — invoice capture" }).waitFor();
    const history = await page.locator(".timeline").innerText();
    check(history.includes("Discovery"), `the deal's history: ${history}`);
    await snap(page, "rep-deal-390");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/app\/sign-in$/);
    const me = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
    check(me === 401, `after sign-out /me answered ${me}`);
    await context.close();
    return page.problems();
  },

  async a_wrong_password_is_said_beside_the_form(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/(me|session)$/]);
    await page.goto(`${origin}/app/sign-in`);
    await page.fill("input[name=email]", "rep@e2e.test");
    await page.fill("input[name=password]", "not the password");
    await page.click("button[type=submit]");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    check(/password/i.test(await alert.innerText()), `the message: ${await alert.innerText()}`);
    check(page.url().endsWith("/app/sign-in"), `moved to ${page.url()}`);
    await snap(page, "sign-in-wrong-1280");
    await context.close();
    return page.problems();
  },

  async a_deep_link_comes_back_after_sign_in_and_a_marketer_sees_the_library(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/library`);
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Flibrary$/);
    await signIn(page, origin, "marketer@e2e.test");
    await page.waitForURL(`${origin}/app/library`);
    await page.getByRole("heading", { name: "Library" }).waitFor(); // the view, not only its URL
    const nav = await page.locator("#nav").innerText();
    check(nav.includes("Library"), `a marketer's navigation: ${JSON.stringify(nav)}`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    check(["A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"].includes(focused), `Tab reached ${focused}, no control`);
    await snap(page, "marketer-library-1280");
    await context.close();
    return page.problems();
  },

  async an_expired_session_returns_to_sign_in_and_back_to_the_page(browser, origin, server) {
    await asset(server, { title: "Onboarding plan for new customers", url: "https://example.com/onboarding" });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/(me|assets\?.*)$/]);
    await page.goto(`${origin}/app/sign-in`);
    await signIn(page, origin, "rep@e2e.test");
    await page.getByRole("heading", { name: "My deals" }).waitFor();
    await page.getByRole("link", { name: "Search" }).click();
    const box = page.getByRole("searchbox", { name: "Search content" });
    await box.fill("onboarding");
    await page.waitForURL(/\/app\/search\?q=onboarding$/);
    await page.locator(".result h2", { hasText: "Onboarding plan" }).waitFor();
    // The session ends (it expired, or an admin cut it) while the page is open.
    sql("UPDATE sessions SET expires_at = now() - interval '1 second'");
    await box.fill("onboarding plan");
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fsearch%3Fq%3Donboarding/);
    await page.getByText("Sign in to go on to the page you asked for.").waitFor();
    await snap(page, "session-expired-1280");
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(/\/app\/search\?q=onboarding/);
    await page.locator(".result h2", { hasText: "Onboarding plan" }).waitFor();
    check((await box.inputValue()).startsWith("onboarding"), `the search box says ${await box.inputValue()}`);
    await context.close();
    return page.problems();
  },

  async a_rep_renames_herself_and_changes_her_password_which_signs_out_her_other_sessions(browser) {
    const server = await startServer("e2e_account");
    const { origin } = server;
    try {
      const other = await browser.newContext(); // her phone, say: signed in too
      const phone = await other.newPage();
      await phone.goto(`${origin}/app/sign-in`);
      await signIn(phone, origin, "rep@e2e.test");
      await phone.getByRole("heading", { name: "My deals" }).waitFor();

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^400 .*\/api\/v1\/me$/]);
      await page.goto(`${origin}/app/`);
      await signIn(page, origin, "rep@e2e.test");
      await page.getByRole("heading", { name: "My deals" }).waitFor();
      await page.getByRole("link", { name: "Rita Rep (rep)" }).click();
      await page.getByRole("heading", { name: "Your account" }).waitFor();
      await page.getByLabel("Your name, as colleagues see it").fill("Rita Rossi");
      await page.getByRole("button", { name: "Save the name" }).click();
      await page.getByRole("link", { name: "Rita Rossi (rep)" }).waitFor();
      // A wrong current password: said beside the field.
      await page.getByLabel("Current password").fill("not my password");
      await page.getByLabel(/^New password/).fill("a brand new password");
      await page.getByRole("button", { name: "Change the password" }).click();
      const error = page.locator("label:has(input[name=current_password]) + .error");
      await error.waitFor();
      check(/current_password is wrong|wrong/.test(await error.innerText()), `the error: ${await error.innerText()}`);
      await page.getByLabel("Current password").fill(password);
      await page.getByRole("button", { name: "Change the password" }).click();
      await page.getByText("every other session of yours has ended").waitFor();
      await snap(page, "rep-account-1280");
      // Still signed in here; the phone is signed out; the new password works.
      check(await page.evaluate(async () => (await fetch("/api/v1/me")).status) === 200, "signed out here too");
      check(await phone.evaluate(async () => (await fetch("/api/v1/me")).status) === 401, "the other session lives on");
      const signInWith = async (pw) => (await fetch(`${origin}/api/v1/session`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "rep@e2e.test", password: pw }) })).status;
      check(await signInWith(password) === 401 && await signInWith("a brand new password") === 200,
        "the old password still works, or the new one does not");
      await other.close();
      await context.close();
      return page.problems();
    } finally {
      await server.stop();
    }
  },
};
