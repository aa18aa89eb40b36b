// Stories: the marketer's library: uploads by drop, the metadata form,
// publishing, new versions, link assets, a cancelled upload.
import { check, marketerApi, signIn, snap, sql, watchedPage } from "../harness.mjs";

// Drops @files ([{name, type, text}]) on the library's drop zone, as a
// person dragging them from their desktop does.
async function drop(page, files) {
  const data = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: f.type }));
    return dt;
  }, files);
  await page.dispatchEvent(".dropzone", "dragover", { dataTransfer: data });
  await page.dispatchEvent(".dropzone", "drop", { dataTransfer: data });
}

// Fills the asset page's Edit form and saves it; waits for the saved page.
async function tag(page, { kind, stage, persona, tags, status }) {
  const form = page.locator("form.edit");
  await form.getByLabel("Kind").selectOption({ label: kind });
  await form.getByRole("group", { name: "Stages" }).getByLabel(stage).check();
  await form.getByRole("group", { name: "Personas" }).getByLabel(persona).check();
  await form.getByLabel("Tags (comma separated)").fill(tags);
  await form.getByLabel("Status").selectOption(status);
  await save(page);
}

// Saves the Edit form: the PATCH must succeed and the page reload with it.
async function save(page) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "PATCH"),
    page.waitForEvent("load"),
    page.locator("form.edit").getByRole("button", { name: "Save" }).click()]);
  check(res.status() === 200, `saving answered ${res.status()}`);
  await page.locator("form.edit").waitFor();
}

export const stories = {
  async a_marketer_drops_three_files_tags_and_publishes_them_and_a_rep_finds_them(browser, origin, server) {
    await marketerApi(server, "POST", "/personas", { slug: "cfo", name: "Chief Financial Officer" });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^400 .*\/api\/v1\/assets\/[0-9a-f-]+$/]);
    await page.goto(`${origin}/app/library`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.getByRole("heading", { name: "Library" }).waitFor();
    const body = (s) => s.repeat(2000);
    await drop(page, [
      { name: "objection-handling-notes.txt", type: "text/plain", text: body("Pricing objections and answers. ") },
      { name: "renewal-checklist.md", type: "text/markdown", text: body("# Renewal checklist\n- confirm usage\n") },
      { name: "pipeline-export.csv", type: "text/csv", text: body("deal,stage\nacme,proposal\n") }]);
    await page.waitForFunction(() => document.querySelectorAll(".uploads a").length === 3, null, { timeout: 20000 });
    const bars = await page.evaluate(() => [...document.querySelectorAll(".uploads progress")].map((p) => p.value === p.max));
    check(bars.length === 3 && bars.every(Boolean), `progress bars ${JSON.stringify(bars)}`);
    await page.getByRole("heading", { name: "3 assets" }).waitFor(); // the list follows the uploads
    await snap(page, "marketer-uploads-1280");
    const links = await page.locator(".uploads a").evaluateAll((as) => as.map((a) => a.href));
    const kinds = ["battlecard", "template", "other"];
    for (const [i, href] of links.entries()) {
      await page.goto(href);
      await page.locator("form.edit").waitFor();
      if (i === 0) {
        // A gated page that is not public: the API's refusal beside the field.
        await page.getByLabel("Gated: readers leave their details first").check();
        await page.getByLabel(/^What follow-up/).fill("We call you within a week.");
        await page.getByRole("button", { name: "Save" }).click();
        const error = page.locator("form.edit label:has(input[name=gated]) + .error");
        await error.waitFor();
        check(/public/i.test(await error.innerText()), `the error beside Gated: ${await error.innerText()}`);
        check(await page.locator("input[name=gated]").evaluate((e) => document.activeElement === e),
          "the field at fault does not have the focus");
        await snap(page, "marketer-edit-error-1280", { fullPage: true });
        await page.getByLabel("Gated: readers leave their details first").uncheck();
      }
      await tag(page, { kind: kinds[i].replace("_", " "), stage: "Evaluation", persona: "Chief Financial Officer",
        tags: "renewal, q3", status: "published" });
    }
    await snap(page, "marketer-published-1280", { fullPage: true });
    await page.goto(`${origin}/app/library`);
    await page.getByRole("heading", { name: "3 assets" }).waitFor();
    const statuses = await page.locator("table.list tbody tr").evaluateAll((rows) =>
      rows.map((r) => r.cells[2].textContent));
    check(statuses.length === 3 && statuses.every((s) => s === "published"), `statuses ${statuses}`);
    await context.close();

    const rep = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const rp = await watchedPage(rep, [/^401 .*\/api\/v1\/me$/]);
    await rp.goto(`${origin}/app/search?q=renewal&stage=evaluation&persona=cfo`);
    await signIn(rp, origin, "rep@e2e.test");
    await rp.getByRole("link", { name: "renewal checklist" }).waitFor();
    const found = await rp.locator(".result h2").allInnerTexts();
    check(found.length === 3, `the rep found ${JSON.stringify(found)}`);
    const meta = await rp.locator(".result", { hasText: "renewal checklist" }).locator(".muted").innerText();
    check(meta.includes("template") && meta.includes("Evaluation") && meta.includes("Chief Financial Officer"),
      `the result says ${meta}`);
    const boxWidth = await rp.getByRole("searchbox", { name: "Search content" }).evaluate((e) => e.offsetWidth);
    check(boxWidth > 200, `the search box is ${boxWidth} px wide at 390 px`);
    await snap(rp, "rep-finds-upload-390");
    await rp.goto(`${origin}/app/library`);
    await rp.getByRole("heading", { name: "Library" }).waitFor();
    const said = await rp.locator("main").innerText();
    check(said.includes("managed by marketing") && !(await rp.locator("input[type=file]").count()),
      `a rep at /app/library sees: ${said}`);
    check(!(await rp.locator("#nav").innerText()).includes("Library"), "a rep's navigation shows the library");
    await rep.close();
    return [...page.problems(), ...rp.problems()];
  },

  async a_cancelled_upload_leaves_nothing_behind(browser, origin) {
    const stored = () => sql("SELECT (SELECT count(*) FROM assets) || ' ' || (SELECT count(*) FROM blobs)"
      + " || ' ' || (SELECT count(*) FROM blob_chunks)");
    const before = stored();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/], [/^POST .*\/api\/v1\/assets$/]);
    await page.goto(`${origin}/app/library`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.getByRole("heading", { name: "Library" }).waitFor();
    // A slow line, so that the upload is still going when Cancel is pressed.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await page.setInputFiles("input[type=file]", [{ name: "big-deck.pdf", mimeType: "application/pdf",
      buffer: Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(8 << 20, 0x20)]) }]);
    await page.waitForFunction(() => Number(document.querySelector(".uploads progress")?.value) > 0,
      null, { timeout: 20000 });
    await snap(page, "marketer-upload-progress-1280");
    await page.getByRole("button", { name: "Cancel the upload of big-deck.pdf" }).click();
    await page.getByText("cancelled: nothing was kept").waitFor();
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // The server rolls the cut-off upload back; give it a moment to notice.
    let after = stored();
    for (let i = 0; i < 50 && after !== before; i++) {
      await page.waitForTimeout(100);
      after = stored();
    }
    check(after === before, `assets, blobs, chunks before ${before}, after the cancel ${after}`);
    await page.reload();
    await page.getByRole("heading", { name: /assets?$/ }).waitFor();
    check(!(await page.locator("table.list").innerText()).includes("big deck"), "the cancelled upload is listed");
    await snap(page, "marketer-upload-cancelled-1280");
    await context.close();
    return page.problems();
  },

  async a_marketer_uploads_a_new_version_and_sees_which_version_a_share_used(browser, origin, server) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/library`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.getByRole("heading", { name: "Library" }).waitFor();
    await page.setInputFiles("input[type=file]", [{ name: "price-list.txt", mimeType: "text/plain",
      buffer: Buffer.from("Price list 2026, version one.\n") }]);
    await page.locator(".uploads a").waitFor();
    await page.locator(".uploads a").click();
    await page.locator("form.edit").waitFor();
    await page.locator("form.edit").getByLabel("Status").selectOption("published");
    await save(page);
    await page.getByRole("button", { name: "Get a tracked link" }).click();
    await page.getByLabel("Tracked link").waitFor();
    await page.setInputFiles("input[type=file][name=file]", [{ name: "price-list-v2.txt", mimeType: "text/plain",
      buffer: Buffer.from("Price list 2026, version two, with the new tiers.\n") }]);
    await page.waitForFunction(() => document.querySelectorAll("table.versions tbody tr").length === 2);
    const versions = await page.locator("table.versions tbody tr").allInnerTexts();
    check(/^v2 \(current\)\s+price-list-v2\.txt.*Mark Eting/s.test(versions[0]) && /^v1\s+price-list\.txt.*Mark Eting/s.test(versions[1]),
      `the versions: ${JSON.stringify(versions)}`);
    await page.locator("table.shares-of tbody tr").first().waitFor();
    const shares = await page.locator("table.shares-of tbody tr").allInnerTexts();
    check(shares.length === 1 && /\bv1\b/.test(shares[0]) && shares[0].includes("Mark Eting"),
      `the share's row: ${JSON.stringify(shares)}`);
    check((await page.locator(".preview pre").innerText()).includes("version two"), "the preview is not the new version");
    await snap(page, "marketer-versions-1280", { fullPage: true });
    // A link asset from the library's form.
    await page.goto(`${origin}/app/library`);
    const form = page.locator("form.link-asset");
    await form.getByLabel("Title").fill("Analyst report on AP automation");
    await form.getByLabel("Address (URL)").fill("https://analyst.example/ap-automation-2026");
    await form.getByLabel("Kind").selectOption({ label: "whitepaper" });
    await form.getByRole("button", { name: "Add the link" }).click();
    await page.getByRole("heading", { name: "Analyst report on AP automation" }).waitFor();
    check(await page.getByRole("link", { name: "https://analyst.example/ap-automation-2026" }).count() === 1,
      "the link asset's page does not link to its address");
    const made = (await marketerApi(server, "GET", "/assets?q=analyst&status=draft")).items;
    check(made.length === 1 && made[0].url === "https://analyst.example/ap-automation-2026" && made[0].kind === "whitepaper",
      `the link asset: ${JSON.stringify(made)}`);
    await context.close();
    return page.problems();
  },
};
