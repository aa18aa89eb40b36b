// Stories: outgoing webhooks. An admin subscribes a receiver (a real HTTP
// server in this process) to two events, copies the secret shown once,
// sends a test event; the receiver starts failing, the page says so, the
// delivery is parked after the retry window and listed with its error, and
// "Send again" delivers it, with the same event id, once the receiver is
// mended. A rep chooses a daily e-mail digest on their account page.
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { check, marketerApi, signIn, snap, startServer, watchedPage } from "../harness.mjs";

// A receiver answering @state.status; what it got, parsed.
function receiver(state) {
  const got = [];
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(state.status, { "Content-Length": "2" });
      res.end("ok");
    });
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve({ srv, got,
    url: `http://127.0.0.1:${srv.address().port}/hook` })));
}

async function until(what, test, seconds = 20) {
  for (let i = 0; i < seconds * 10; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} within ${seconds} s`);
}

export const stories = {
  async an_admin_sends_events_to_a_receiver_and_mends_a_failed_delivery(browser) {
    const server = await startServer("e2e_outgoing", { NEXTSTAGE_DELIVERY_RETRY_S: "10",
      NEXTSTAGE_WEBHOOK_TIMEOUT_S: "2", NEXTSTAGE_SMTP_URL: "smtp://127.0.0.1:9" });
    const state = { status: 200 };
    const rx = await receiver(state);
    try {
      const { origin } = server;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
      await page.goto(`${origin}/app/admin`);
      await signIn(page, origin, "admin@e2e.test");
      await page.getByRole("link", { name: "Outgoing webhooks" }).first().click();
      await page.getByRole("heading", { name: "Outgoing webhooks", level: 1 }).waitFor();
      await page.getByRole("heading", { name: "No webhooks yet" }).waitFor();

      const form = page.locator("form.add-webhook");
      await form.getByLabel("Label").fill("Marketing automation");
      await form.getByLabel("URL (redirects are not followed)").fill(rx.url);
      await form.getByLabel("A sales-ready lead (agreed to follow-up)").check();
      await form.getByLabel("A content request was made").check();
      await form.getByRole("button", { name: "Add the webhook" }).click();
      const secret = await page.getByLabel("Secret of Marketing automation").inputValue();
      check(secret.startsWith("whsec_"), `the secret shown: ${secret}`);
      const row = page.locator("table.data tbody tr", { hasText: "Marketing automation" });
      await row.waitFor();
      check((await row.innerText()).includes("lead.sales_ready, request.created") && (await row.innerText()).includes("delivering"),
        `the new row: ${await row.innerText()}`);

      await page.getByRole("button", { name: "Send a test event to Marketing automation" }).click();
      await until("the test event did not arrive", () => rx.got.some((g) => g.headers["x-nextstage-event"] === "ping"));
      const ping = rx.got.find((g) => g.headers["x-nextstage-event"] === "ping");
      const want = "sha256=" + createHmac("sha256", secret)
        .update(`${ping.headers["x-nextstage-timestamp"]}.${ping.body}`).digest("hex");
      check(ping.headers["x-nextstage-signature"] === want, "the test event's signature does not verify with the secret shown");

      // The receiver breaks; a rep's request is tried, then parked after the 10 s window.
      state.status = 500;
      await marketerApi(server, "POST", "/requests", { title: "A battlecard against Acme" }, [201]);
      await until("the request was not tried", () => rx.got.some((g) => g.body.includes("A battlecard against Acme")));
      await page.reload();
      await page.locator("table.data tbody tr", { hasText: "Marketing automation" })
        .filter({ hasText: "failing" }).waitFor();
      await until("the delivery was not parked", async () => {
        await page.reload();
        return (await page.getByRole("heading", { name: "Failed deliveries", exact: true }).count()) > 0;
      }, 30);
      const failed = page.locator("table.data tbody tr", { hasText: "A battlecard against Acme" });
      check((await failed.innerText()).includes("answered 500"), `the failed delivery: ${await failed.innerText()}`);
      await snap(page, "admin-outgoing-1280", { fullPage: true });
      const phone = await browser.newContext({ viewport: { width: 390, height: 800 } });
      const pp = await watchedPage(phone, [/^401 .*\/api\/v1\/me$/]);
      await pp.goto(`${origin}/app/admin/outgoing`);
      await signIn(pp, origin, "admin@e2e.test");
      await pp.getByRole("heading", { name: "Failed deliveries", exact: true }).waitFor();
      await snap(pp, "admin-outgoing-390", { fullPage: true });
      await phone.close();

      state.status = 200;
      const tried = new Set(rx.got.filter((g) => g.body.includes("A battlecard")).map((g) => g.headers["x-nextstage-event-id"]));
      await failed.getByRole("button", { name: /^Send again: delivery \d+/ }).click();
      await page.getByRole("status").filter({ hasText: "is sent again (same event id)" }).waitFor();
      await until("the redelivery did not arrive", () => rx.got.filter((g) => g.body.includes("A battlecard")).length > tried.size
        && state.status === 200);
      const ids = new Set(rx.got.filter((g) => g.body.includes("A battlecard")).map((g) => g.headers["x-nextstage-event-id"]));
      check(ids.size === 1 && tried.size === 1, `every try of the request carries one id: ${[...ids]}`);
      await until("the failed list did not empty", async () => {
        await page.reload();
        return (await page.getByRole("heading", { name: "No failed deliveries" }).count()) > 0;
      });

      // A rep picks the daily digest.
      const rep = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const rp = await watchedPage(rep, [/^401 .*\/api\/v1\/me$/]);
      await rp.goto(`${origin}/app/account`);
      await signIn(rp, origin, "rep@e2e.test");
      await rp.getByRole("heading", { name: "Your account" }).waitFor();
      await rp.getByLabel("One e-mail a day with what happened").check();
      await rp.locator("form", { hasText: "Notifications by e-mail" }).getByRole("button", { name: "Save" }).click();
      await rp.getByRole("status").filter({ hasText: "Saved: e-mails go to rep@e2e.test." }).waitFor();
      await rp.reload();
      await rp.getByRole("heading", { name: "Your account" }).waitFor();
      check(await rp.getByLabel("One e-mail a day with what happened").isChecked(), "the choice was not kept");
      await snap(rp, "account-email-1280", { fullPage: true });
      const problems = [...page.problems(), ...pp.problems(), ...rp.problems()];
      await rep.close();
      await context.close();
      return problems;
    } finally {
      rx.srv.close();
      await server.stop();
    }
  },
};
