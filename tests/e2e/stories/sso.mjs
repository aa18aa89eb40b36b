// Stories: single sign-on in a real browser, through the real OpenID
// provider of the API suite (LemonLDAP::NG's portal, tests/api/nsapi/
// lemonldap.py) and its Demo users.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { check, freePort, password, snap, startServer, watchedPage } from "../harness.mjs";

// The portal on @port, its relying party sending people back to @origin;
// stop() ends it.
async function startProvider(port, origin, secret) {
  const root = `${process.cwd()}/var/e2e/lemonldap-${port}`;
  mkdirSync(root, { recursive: true });
  const proc = spawn("python3", ["-m", "nsapi.lemonldap", root, String(port), "nextstage", secret,
    `${origin}/api/v1/sso/callback`], { cwd: "tests/api", stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => { out += d; if (out.includes("ready")) resolve(); });
    proc.on("exit", (code) => reject(new Error(`the provider exited (${code}) before it was ready`)));
  });
  return () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.on("exit", resolve);
    proc.kill("SIGTERM");
  });
}

// A server with single sign-on through a fresh provider (@env on top);
// both stop with stop(). The server asks the provider nothing before a
// sign-in starts, so it can run first and tell the provider its address.
async function ssoServer(db, env = {}) {
  const secret = `e2e-${Math.random().toString(36).slice(2)}`;
  const port = await freePort();
  const server = await startServer(db, { NEXTSTAGE_OIDC_ISSUER: `http://127.0.0.1:${port}`,
    NEXTSTAGE_OIDC_CLIENT_ID: "nextstage", NEXTSTAGE_OIDC_CLIENT_SECRET: secret, ...env });
  let stopProvider;
  try {
    stopProvider = await startProvider(port, server.origin, secret);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return { ...server, stop: async () => { await server.stop(); await stopProvider(); } };
}

export const stories = {
  async without_sso_the_sign_in_page_offers_passwords_only(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/sign-in`);
    await page.locator("input[name=password]").waitFor();
    check(await page.getByRole("link", { name: "Sign in with SSO" }).count() === 0,
      "a server without single sign-on offers it");
    await context.close();
    return page.problems();
  },

  async a_new_rep_signs_in_with_sso_and_lands_on_the_page_asked_for(browser) {
    const server = await ssoServer("e2e_sso");
    const { origin } = server;
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
      await page.goto(`${origin}/app/deals`);
      await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Fdeals$/);
      const sso = page.getByRole("link", { name: "Sign in with SSO" });
      await sso.waitFor();
      check(await page.locator("input[name=password]").count() === 1, "passwords are on: the form is gone");
      await snap(page, "sign-in-sso-1280");
      await sso.click();
      // the provider's own login page (LemonLDAP::NG's Demo backend)
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize|^http:\/\/127\.0\.0\.1:\d+\//);
      await page.locator("input[name=user]").fill("dwho");
      await page.locator("input[name=password]").fill("dwho");
      await page.locator("button[type=submit]").first().click();
      await page.waitForURL(`${origin}/app/deals`);
      await page.getByRole("link", { name: "Doctor Who (rep)" }).waitFor();
      const me = await page.evaluate(async () => (await fetch("/api/v1/me")).json());
      check(me.email === "dwho@badwolf.org" && me.role === "rep", `signed in as ${JSON.stringify(me)}`);
      await snap(page, "sso-signed-in-1280");
      await context.close();
      return page.problems();
    } finally {
      await server.stop();
    }
  },

  async with_passwords_off_the_sign_in_page_offers_sso_only_and_says_why_sso_failed(browser) {
    const server = await ssoServer("e2e_sso_only", { NEXTSTAGE_LOCAL_PASSWORDS: "off" });
    const { origin } = server;
    try {
      const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
      const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^403 .*\/api\/v1\/session$/]);
      await page.goto(`${origin}/app/sign-in?sso_error=sso_failed`);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      check(/Single sign-on did not sign you in/.test(await alert.innerText()), `the message: ${await alert.innerText()}`);
      await page.getByRole("link", { name: "Sign in with SSO" }).waitFor();
      check(await page.locator("input[name=password]").count() === 0, "the password form is shown with passwords off");
      await page.getByText("signs in through single sign-on only").waitFor();
      await snap(page, "sign-in-sso-only-390");
      // a failure at the provider's end comes back here, in words
      const back = await page.goto(`${origin}/api/v1/sso/callback?error=access_denied&state=x`);
      check(back.ok(), `the callback's page answered ${back.status()}`);
      await page.waitForURL(/\/app\/sign-in\?sso_error=sso_failed$/);
      await page.getByRole("alert").waitFor();
      // the API refuses passwords too, whoever asks
      const status = await page.evaluate(async (pw) => (await fetch("/api/v1/session", { method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: "admin@e2e.test", password: pw }) })).status, password);
      check(status === 403, `a password sign-in answered ${status}`);
      await context.close();
      return page.problems();
    } finally {
      await server.stop();
    }
  },
};
