// Stories: words inside files. A rep searches a word that only a PDF's
// third page holds and sees the page and the word marked; the excerpt of
// a page with markup in its text shows it as text; the asset page says
// the text is indexed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check, fileAsset, marketerApi, signIn, snap, watchedPage } from "../harness.mjs";

// guide.pdf of tests/files/make_files.py: 5 pages, "zanzibar" on page 3
// only, "aardvark" and "Terms & conditions <script>alert(1)</script>" on
// page 1.
function guidePdf() {
  const dir = mkdtempSync(join(tmpdir(), "ns-files-"));
  try {
    execFileSync("python3", ["tests/files/make_files.py", dir], { stdio: "ignore" });
    return readFileSync(join(dir, "guide.pdf"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Waits until the extraction worker has read @id's current version.
async function extracted(server, id) {
  for (let i = 0; i < 300; i++) {
    const a = await marketerApi(server, "GET", `/assets/${id}`);
    const s = a.current_version?.text_status;
    if (s && s !== "pending") {
      check(s === "done", `the guide's text_status is ${s}: ${a.current_version.text_reason}`);
      return a;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the guide was not extracted within 30 s");
}

export const stories = {
  async a_rep_finds_a_word_on_page_3_of_a_pdf(browser, origin, server) {
    const a = await fileAsset(server, { title: "Partner pricing guide", stages: ["evaluation"] },
      "partner-pricing-guide.pdf", "application/pdf", guidePdf());
    const done = await extracted(server, a.id);
    check(done.current_version.pages === 5, `pages: ${done.current_version.pages}, want 5`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/search`);
    await signIn(page, origin, "rep@e2e.test");
    const box = page.getByRole("searchbox", { name: "Search content" });
    await box.waitFor();
    await box.fill("zanzibar");
    const result = page.locator(".result", { has: page.getByRole("link", { name: a.title }) });
    await result.locator(".snippet mark").first().waitFor({ timeout: 10000 });
    const seen = await result.evaluate((li) => ({
      page: li.querySelector(".snippet-page")?.textContent,
      marks: [...li.querySelectorAll(".snippet mark")].map((m) => m.textContent.toLowerCase()),
      text: li.querySelector(".snippet").textContent,
      thumb: li.querySelector("img.thumb") ? { w: li.querySelector("img.thumb").naturalWidth,
        done: li.querySelector("img.thumb").complete } : null,
    }));
    check(seen.page === "page 3", `the snippet says ${JSON.stringify(seen.page)}, want "page 3"`);
    check(seen.marks.length >= 1 && seen.marks.every((m) => m === "zanzibar"),
      `marked words: ${JSON.stringify(seen.marks)}`);
    check(/zanzibar/i.test(seen.text) && !/aardvark|bumblebee|quixotic|marmalade/i.test(seen.text),
      `the excerpt is not page 3's: ${JSON.stringify(seen.text)}`);
    await page.waitForFunction((t) => [...document.querySelectorAll(".result")].some((li) =>
      li.textContent.includes(t) && li.querySelector("img.thumb")?.complete
        && li.querySelector("img.thumb").naturalWidth > 0), a.title, { timeout: 10000 });
    await snap(page, "search-inside-page-3");

    // Page 1 has markup in its text: shown as text, never as elements.
    await box.fill("aardvark");
    await page.locator(".snippet mark", { hasText: /aardvark/i }).first().waitFor({ timeout: 10000 });
    const one = await result.evaluate((li) => ({
      page: li.querySelector(".snippet-page")?.textContent,
      elements: [...li.querySelector(".snippet").querySelectorAll("*")].map((e) => e.nodeName),
      scripts: document.querySelectorAll(".results script").length,
    }));
    check(one.page === "page 1", `aardvark: ${one.page}, want page 1`);
    check(one.scripts === 0 && one.elements.every((n) => n === "MARK" || n === "SPAN"),
      `the snippet holds elements ${JSON.stringify(one.elements)} (scripts in results: ${one.scripts})`);

    // The asset page says the text is searchable.
    await result.getByRole("link", { name: a.title }).click();
    await page.getByRole("heading", { name: a.title }).waitFor();
    await page.getByText("Text indexed: 5 pages").waitFor({ timeout: 10000 });
    await snap(page, "search-inside-asset");
    await context.close();
    return page.problems();
  },
};
