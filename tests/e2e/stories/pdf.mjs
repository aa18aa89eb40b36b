// Stories: PDFs rendered in the asset page by pdf.js (Debian's libjs-pdf,
// served at /app/vendor/pdf/), and what a rep reads when one cannot be.
import { check, fileAsset, signIn, snap, watchedPage } from "../harness.mjs";

// A real three-page PDF, printed by Chromium itself: each page a heading,
// a paragraph and a block of its own colour (to tell the pages apart by
// their pixels).
const colours = [[11, 81, 91], [230, 120, 20], [120, 40, 160]];
async function printedPdf(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sections = colours.map(([r, g, b], i) => `
    <section style="break-after: page">
      <h1>Part ${i + 1}: the payback field guide</h1>
      <p>${"Finance teams measure payback in months, not years. ".repeat(12)}</p>
      <div style="height: 9cm; background: rgb(${r} ${g} ${b})"></div>
    </section>`).join("");
  await page.setContent(`<!doctype html><title>Field guide</title><body>${sections}</body>`);
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  await context.close();
  return pdf;
}

// A one-page PDF written by hand whose fonts are standard ones, not
// embedded (as many office tools write them): Helvetica and ZapfDingbats
// (check marks), which pdf.js takes from the package's standard fonts.
function standardFontsPdf() {
  const text = "BT /F1 36 Tf 72 700 Td (Pricing at a glance) Tj ET BT /F2 36 Tf 72 640 Td (4444) Tj ET";
  const objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats >>"];
  let out = "%PDF-1.4\n";
  const at = objs.map((o, i) => { const here = out.length; out += `${i + 1} 0 obj\n${o}\nendobj\n`; return here; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${at.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

// @bytes, a PDF, as a published asset of the evaluation stage.
async function upload(server, title, filename, bytes) {
  const a = await fileAsset(server, { title, stages: ["evaluation"] }, filename, "application/pdf", bytes);
  check(a.current_version?.mime === "application/pdf", `the upload's type: ${JSON.stringify(a.current_version)}`);
  return a;
}

// The canvas of page @n once painted: its size, how many of its pixels are
// not white, and how many are near the colour @rgb.
async function painted(page, n, rgb) {
  await page.locator(`.pdf canvas[data-page="${n}"]`).waitFor({ timeout: 20000 });
  return page.locator(".pdf canvas").evaluate((c, [r, g, b]) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0, colour = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) ink++;
      if (Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12 && Math.abs(d[i + 2] - b) < 12) colour++;
    }
    return { ink, colour, pixels: d.length / 4, cssWidth: c.getBoundingClientRect().width };
  }, rgb);
}

async function signedInAt(browser, origin, width, path) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
  await page.goto(`${origin}${path}`);
  await signIn(page, origin, "rep@e2e.test");
  return { context, page };
}

export const stories = {
  async a_rep_reads_a_multi_page_pdf_in_the_asset_page_by_keyboard(browser, origin, server) {
    const a = await upload(server, "Payback field guide", "payback-field-guide.pdf", await printedPdf(browser));
    const { context, page } = await signedInAt(browser, origin, 1280, `/app/assets/${a.id}`);
    await page.getByRole("heading", { name: a.title }).waitFor();
    const first = await painted(page, 1, colours[0]);
    check(first.ink > first.pixels * 0.1 && first.colour > first.pixels * 0.05,
      `page 1 is not painted: ${JSON.stringify(first)}`);
    const where = page.locator(".pdf-where");
    check(/^Page 1 of 3$/.test(await where.innerText()), `the counter says ${await where.innerText()}`);
    check(await page.getByRole("group", { name: `PDF: ${a.title}` }).count() === 1, "the viewer is not labelled");
    await snap(page, "rep-pdf-page1-1280", { fullPage: true });

    await page.getByRole("img", { name: `Page 1 of 3 of ${a.title}` }).focus();
    await page.keyboard.press("ArrowRight");
    const second = await painted(page, 2, colours[1]);
    check(second.colour > second.pixels * 0.05 && (await painted(page, 2, colours[0])).colour === 0,
      `page 2 is not what is painted: ${JSON.stringify(second)}`);
    await page.getByText("Page 2 of 3", { exact: true }).waitFor();
    const next = page.getByRole("button", { name: "Next page" });
    await next.focus();
    await page.keyboard.press("Enter");
    await painted(page, 3, colours[2]);
    check(await next.getAttribute("aria-disabled") === "true", "Next page is not marked disabled on the last page");
    check(await next.evaluate((b) => b === document.activeElement), "the focus left Next page");
    await page.keyboard.press("Home");
    await painted(page, 1, colours[0]);
    await snap(page, "rep-pdf-back-to-page1-1280");
    check(first.cssWidth > 700, `at 1280 px the page is ${first.cssWidth} px wide`);
    await context.close();

    const narrow = await signedInAt(browser, origin, 390, `/app/assets/${a.id}`);
    const small = await painted(narrow.page, 1, colours[0]);
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth);
    check(small.cssWidth > 300 && small.cssWidth <= 370 && overflow <= 390 && small.colour > small.pixels * 0.05,
      `at 390 px: ${JSON.stringify(small)}, page scroll width ${overflow}`);
    await narrow.page.getByRole("button", { name: "Next page" }).press("Enter");
    await painted(narrow.page, 2, colours[1]);
    await snap(narrow.page, "rep-pdf-page2-390", { fullPage: true });
    await narrow.context.close();
    return [...page.problems(), ...narrow.page.problems()];
  },

  async a_pdf_in_fonts_it_does_not_embed_is_painted_with_the_packaged_fonts(browser, origin, server) {
    const a = await upload(server, "Pricing at a glance", "pricing.pdf", standardFontsPdf());
    const { context, page } = await signedInAt(browser, origin, 1280, `/app/assets/${a.id}`);
    const fonts = ["FoxitSans.pfb", "FoxitDingbats.pfb"].map((f) => context.waitForEvent("response",
      { timeout: 20000, predicate: (r) => r.url().endsWith(`/app/vendor/pdf/web/standard_fonts/${f}`) }));
    const shown = await painted(page, 1, [0, 0, 0]);
    for (const f of await Promise.all(fonts)) check(f.status() === 200, `${f.url()} answered ${f.status()}`);
    check(shown.colour > 500, `no text painted: ${JSON.stringify(shown)}`);
    await snap(page, "rep-pdf-standard-fonts-1280");
    await context.close();
    return page.problems();
  },

  async a_broken_pdf_or_a_missing_viewer_says_so_beside_the_download_link(browser, origin, server) {
    const broken = await upload(server, "Broken price list", "broken-price-list.pdf",
      Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis file was cut short"));
    const { context, page } = await signedInAt(browser, origin, 1280, `/app/assets/${broken.id}`);
    const said = page.locator(".pdf-error");
    await said.waitFor({ timeout: 20000 });
    check(/damaged or is not a PDF/.test(await said.innerText()), `a broken PDF says: ${await said.innerText()}`);
    check(await said.getByRole("link", { name: `Download ${broken.title}` }).getAttribute("href")
      === `/api/v1/assets/${broken.id}/content?version=1`, "no download link beside the sentence");
    await snap(page, "rep-pdf-broken-1280");
    await context.close();

    // The server without libjs-pdf answers {} here (tests/api/suites/app.py).
    const good = await upload(server, "Another guide", "another-guide.pdf", await printedPdf(browser));
    const bare = await browser.newContext({ viewport: { width: 390, height: 900 } });
    await bare.route("**/app/vendor/mounts.json", (r) => r.fulfill({ json: {} }));
    const p = await watchedPage(bare, [/^401 .*\/api\/v1\/me$/]);
    await p.goto(`${origin}/app/assets/${good.id}`);
    await signIn(p, origin, "rep@e2e.test");
    await p.locator(".pdf-error").waitFor({ timeout: 20000 });
    check(/not installed/.test(await p.locator(".pdf-error").innerText()) && !(await p.locator(".pdf canvas").count()),
      "without pdf.js the page does not say so");
    await snap(p, "rep-pdf-no-viewer-390");
    await bare.close();
    return [...page.problems(), ...p.problems()];
  },
};
