// Charts for the dashboards. Chart.js comes from Debian's libjs-chart.js,
// which the server mounts at /app/vendor/chart/ (server/util/vendor.c) as
// ES modules; mounts.json first says whether the server has it, so a
// missing package costs no failed request. Without it a chart is a
// sentence saying so, and its table (always there) carries the numbers.
import { el } from "/app/views/format.js";

const VENDOR = "/app/vendor/chart/";

let library = null; // the promise of the Chart class, shared by every view

function loadLibrary() {
  library ||= fetch("/app/vendor/mounts.json", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : {}))
    .then((mounts) => {
      if (mounts.chart !== VENDOR) throw new Error("not installed");
      return import(`${VENDOR}chart.esm.js`);
    })
    .then(({ Chart, registerables }) => {
      Chart.register(...registerables);
      const css = getComputedStyle(document.documentElement);
      Chart.defaults.font.family = css.fontFamily || "system-ui, sans-serif";
      Chart.defaults.font.size = 13;
      Chart.defaults.color = css.getPropertyValue("--ink").trim() || "#1f262b";
      Chart.defaults.animation = false; // the numbers, at once (and no motion)
      Chart.defaults.maintainAspectRatio = false;
      return Chart;
    });
  library.catch(() => { library = null; }); // the next chart asks again
  return library;
}

// A chart of @config in @box (the box's height is set in style.css, or by
// @height in px), drawn into a canvas that says @label to screen readers
// (the table beside it has the numbers). Resolves to the chart, or to null
// when Chart.js is not installed (then a sentence says so). The canvas
// gets data-painted once drawn (the browser tests wait for it).
export async function drawChart(box, label, config, height) {
  const canvas = el("canvas", null, { role: "img", "aria-label": label });
  box.replaceChildren(canvas);
  if (height) box.style.height = `${height}px`; // the CSSOM, which the policy allows
  let Chart;
  try {
    Chart = await loadLibrary();
  } catch {
    box.classList.add("no-chart");
    box.style.height = "";
    box.replaceChildren(el("p", "Charts cannot be drawn on this server (its chart library, Chart.js, is not installed): the table below has every number.", { class: "muted" }));
    return null;
  }
  if (!box.isConnected) return null; // the page moved on meanwhile
  const chart = new Chart(canvas, config);
  canvas.dataset.painted = "true";
  return chart;
}
