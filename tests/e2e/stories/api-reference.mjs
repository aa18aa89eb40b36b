// Stories: the API's reference page, drawn from the contract the server
// serves (GET /api/v1/openapi.json).
import { check, signIn, snap, watchedPage } from "../harness.mjs";

export const stories = {
  async a_rep_reads_how_to_share_through_the_api(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/account`);
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(`${origin}/app/account`);
    await page.getByRole("link", { name: "the API's reference" }).click();
    await page.getByRole("heading", { name: "The API", level: 1 }).waitFor();
    const served = await page.evaluate(async () => {
      const doc = await (await fetch("/api/v1/openapi.json")).json();
      return Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== "x-route").length, 0);
    });
    const all = await page.locator("details.api-op").count();
    check(all === served && all > 50, `${all} operations drawn, the document has ${served}`);
    for (const tag of ["Shares", "Deals", "Analytics"])
      await page.getByRole("heading", { name: tag, level: 2 }).waitFor();
    await page.getByLabel("Show the operations whose path or summary has").fill("shares");
    const status = await page.getByRole("status").innerText();
    const shown = await page.locator("details.api-op:not([hidden])").count();
    check(status === `${shown} operations` && shown >= 3 && shown < 10, `after the filter: "${status}", ${shown} shown`);
    const op = page.locator("details[data-op=createShare]");
    await op.locator("summary").click();
    await op.locator(".api-who").waitFor(); // drawn once opened
    const text = await op.innerText();
    check(text.includes("POST") && text.includes("/api/v1/shares") && text.includes("Who may call it: Any signed-in user"),
      `the share operation says: ${text.slice(0, 300)}`);
    const answers = op.getByRole("table", { name: "Answers" });
    check((await answers.getByRole("row", { name: /^201/ }).innerText()).includes("url"),
      "the 201 answer does not say its fields");
    const fields = op.getByRole("table", { name: "Answer 201" });
    check((await fields.getByRole("row", { name: /^url/ }).innerText()).includes("string"),
      "the 201 answer's url field is not listed as a string");
    check((await answers.getByRole("row", { name: /^409/ }).innerText()).includes("internal_only"),
      "the 409 answer does not list internal_only");
    const body = op.getByRole("table", { name: "Body: application/json" });
    check((await body.getByRole("row", { name: /^asset_id/ }).innerText()).includes("yes"),
      "asset_id is not said to be required");
    await snap(page, "api-reference-1280");
    await context.close();
    return page.problems();
  },
};
