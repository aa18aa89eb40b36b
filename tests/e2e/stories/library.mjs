// Stories: the marketer's library: uploads, editing, publishing.
import { check, shots, signIn, watchedPage } from "../harness.mjs";

export const stories = {
  async a_marketer_uploads_three_files_publishes_one_and_a_rep_finds_it(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/library`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.waitForURL(/\/app\/library$/);
    const text = (s) => Buffer.from(s.repeat(2000));
    await page.setInputFiles("input[type=file]", [
      { name: "objection-handling-notes.txt", mimeType: "text/plain", buffer: text("Pricing objections and answers. ") },
      { name: "renewal-checklist.md", mimeType: "text/markdown", buffer: text("# Renewal checklist\n- confirm usage\n") },
      { name: "pipeline-export.csv", mimeType: "text/csv", buffer: text("deal,stage\nacme,proposal\n") }]);
    await page.waitForFunction(() => document.querySelectorAll(".uploads a").length === 3, null, { timeout: 20000 });
    const bars = await page.evaluate(() => [...document.querySelectorAll(".uploads progress")].map((p) => p.value === p.max));
    check(bars.length === 3 && bars.every(Boolean), `progress bars ${JSON.stringify(bars)}`);
    await page.getByRole("heading", { name: "3 assets" }).waitFor(); // the list follows the uploads
    await page.screenshot({ path: `${shots}/marketer-uploads-1280.png` });
    await page.locator(".uploads li", { hasText: "renewal-checklist.md" }).getByRole("link").click();
    await page.getByRole("heading", { name: "renewal checklist" }).waitFor();
    await page.getByLabel("Status").selectOption("published");
    await page.getByLabel("Evaluation").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForFunction(() => document.querySelector("select[name=status]")?.value === "published");
    await context.close();
    const rep = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const rp = await watchedPage(rep, [/^401 .*\/api\/v1\/me$/]);
    await rp.goto(`${origin}/app/search?q=renewal`);
    await signIn(rp, origin, "rep@e2e.test");
    await rp.getByRole("link", { name: "renewal checklist" }).waitFor();
    const boxWidth = await rp.getByRole("searchbox", { name: "Search content" }).evaluate((e) => e.offsetWidth);
    check(boxWidth > 200, `the search box is ${boxWidth} px wide at 390 px`);
    await rp.screenshot({ path: `${shots}/rep-finds-upload-390.png` });
    await rp.goto(`${origin}/app/library`);
    await rp.getByRole("heading", { name: "Library" }).waitFor();
    const said = await rp.locator("main").innerText();
    check(said.includes("managed by marketing") && !(await rp.locator("input[type=file]").count()),
      `a rep at /app/library sees: ${said}`);
    check(!(await rp.locator("#nav").innerText()).includes("Library"), "a rep's navigation shows the library");
    await rep.close();
    return [...page.problems(), ...rp.problems()];
  },
};
