// MES: production operators sign in with Keycloak and see the production board (the print
// jobs by status, the printers), open a job (estimate, 3D preview, history), schedule it
// onto a compatible printer and move it through production, fail it or reprint it. The
// board refreshes itself, so jobs created from approved orders appear without reloading.
import "@fabtrace/web-shared/style.css";
import "./mes.css";

import { config } from "@fabtrace/web-shared/config";
import { employeeSession } from "@fabtrace/web-shared/employee";
import { showModel } from "@fabtrace/web-shared/preview";
import { startTracing } from "@fabtrace/web-shared/tracing";
import { act, escape, reportUncaughtErrors } from "@fabtrace/web-shared/ui";

startTracing("mes", "1.0.0");
reportUncaughtErrors();

interface Job {
  id: number;
  order_id: number;
  customer_id: number;
  model_id: number;
  material_id: string;
  technology: string;
  quantity: number;
  status: string;
  printer_id: string | null;
  attempt: number;
  reason: string;
  estimate: {
    volume_cm3: number;
    bbox_mm: number[];
    triangles: number;
    material_grams: number;
    print_minutes: number;
    layers: number;
  };
  created_at: string;
  updated_at: string;
}
interface JobDetail extends Job {
  compatible_printers: string[];
  events: { status: string; reason: string; actor: string; at: string }[];
}
interface Printer {
  id: string;
  name: string;
  technology: string;
  state: string;
  job_id: number | null;
}

const STATUSES = ["QUEUED", "PRINTING", "POST_PROCESSING", "QUALITY_CHECK", "DONE", "FAILED"];
// The operator's next step from each status in production: [next status, button label].
const NEXT: Record<string, [string, string]> = {
  PRINTING: ["POST_PROCESSING", "Printed: to post-processing"],
  POST_PROCESSING: ["QUALITY_CHECK", "Post-processed: to quality check"],
  QUALITY_CHECK: ["DONE", "Quality passed: done"],
};

const { api: mesApi, signIn } = employeeSession("mes-web", "MES API");
const app = document.querySelector<HTMLElement>("#app")!;
let jobs: Job[] = [];
let printers: Printer[] = [];
let selected: number | undefined;
let shownBoard = "";
let busy = 0; // user actions in progress: the background refresh waits for them

// A user action; the background refresh stays out of its trace.
async function run(name: string, action: () => Promise<void>): Promise<void> {
  busy++;
  try {
    await act(name, action);
  } finally {
    busy--;
  }
}

function renderLayout(): void {
  app.innerHTML = `
    <section class="card"><h2>Printers</h2><div id="printers"><p>Loading…</p></div></section>
    <section class="card"><h2>Production board <button id="refresh" type="button">Refresh</button></h2>
      <div id="board"><p>Loading…</p></div></section>
    <section class="card" id="detail"><p>Choose a job.</p></section>`;
  app.querySelector("#refresh")!.addEventListener("click", () => void run("refresh board", loadBoard));
  app.querySelector("#board")!.addEventListener("click", (event) => {
    const card = (event.target as Element).closest<HTMLElement>(".job");
    if (card) void run("open job", () => openJob(Number(card.dataset.id)));
  });
}

async function loadBoard(): Promise<void> {
  const [jobList, printerList] = await Promise.all([
    mesApi.call<{ jobs: Job[] }>("GET", "/jobs?limit=200"),
    mesApi.call<{ printers: Printer[] }>("GET", "/printers"),
  ]);
  jobs = jobList.jobs;
  printers = printerList.printers;
  renderBoard();
  app.querySelector("#printers")!.innerHTML = `<ul class="printers" data-testid="printers">${printers
    .map(
      (p) => `<li class="printer ${escape(p.state)}" data-testid="printer-${escape(p.id)}" title="${escape(p.name)}">
        <strong>${escape(p.id)}</strong> ${escape(p.technology)} · ${escape(p.state)}${p.job_id ? ` · job #${p.job_id}` : ""}</li>`,
    )
    .join("")}</ul>`;
}

// Rewritten only when something changed, so a card is not replaced under the operator's click.
function renderBoard(): void {
  const card = (j: Job) => `<div class="job${j.id === selected ? " selected" : ""}" data-testid="job-${j.id}" data-id="${j.id}">
      <strong>#${j.id}</strong> order #${j.order_id}<br>${escape(j.material_id)} × ${j.quantity}<br>
      ${j.printer_id ? escape(j.printer_id) : '<span class="muted">unscheduled</span>'} · ~${j.estimate.print_minutes} min</div>`;
  const columns = STATUSES.map((status) => {
    const cards = jobs.filter((j) => j.status === status).map(card);
    return `<div class="column" data-testid="column-${status}"><h3>${status.replaceAll("_", " ")} (${cards.length})</h3>
      ${cards.join("") || '<p class="empty">none</p>'}</div>`;
  });
  const html = `<div class="board" data-testid="board">${columns.join("")}</div>`;
  if (html !== shownBoard) app.querySelector("#board")!.innerHTML = shownBoard = html;
}

async function openJob(id: number): Promise<void> {
  selected = id;
  renderBoard();
  const job = await mesApi.call<JobDetail>("GET", `/jobs/${id}`);
  renderDetail(job);
  const stl = await mesApi.fetchBytes(`/jobs/${id}/model`);
  const shown = showModel(app.querySelector<HTMLCanvasElement>("#preview")!, stl);
  if (!shown) app.querySelector("#preview-note")!.textContent = "3D preview needs WebGL; the model's size is above.";
}

function renderDetail(job: JobDetail): void {
  // Fault switch "board_render_defect": a real rendering bug, the printer's name read from
  // a field the API does not send (a job has only printer_id).
  const printer = config.faults.board_render_defect
    ? (job as unknown as { printer: { name: string } }).printer.name.toUpperCase()
    : job.printer_id;
  const e = job.estimate;
  const [x, y, z] = e.bbox_mm.map((v) => v.toFixed(1));
  app.querySelector("#detail")!.innerHTML = `
    <h2 data-testid="detail-${job.id}">Job #${job.id} <span class="status" data-testid="detail-status">${escape(job.status)}</span></h2>
    <p>Order #${job.order_id} · customer #${job.customer_id} · ${escape(job.material_id)} (${escape(job.technology)}) × ${job.quantity}
      · ${printer ? `printer ${escape(printer)}` : "unscheduled"} · attempt ${job.attempt}</p>
    ${job.reason ? `<p class="reason" data-testid="detail-reason">Reason: ${escape(job.reason)}</p>` : ""}
    <div class="layout">
      <div>
        <table data-testid="estimate">
          <tr><th>Volume</th><td>${e.volume_cm3.toFixed(2)} cm³ per part</td></tr>
          <tr><th>Bounding box</th><td>${x} × ${y} × ${z} mm</td></tr>
          <tr><th>Material</th><td>${e.material_grams.toFixed(1)} g</td></tr>
          <tr><th>Print time</th><td>${e.print_minutes} min, ${e.layers} layers</td></tr>
        </table>
        <h3>History</h3><ul data-testid="events">${job.events
          .map((h) => `<li>${escape(h.at.slice(0, 16))} ${escape(h.status)} ${escape(h.reason)} (${escape(h.actor)})</li>`)
          .join("")}</ul>
      </div>
      <div><canvas id="preview" data-testid="preview"></canvas>
        <p id="preview-note">Model #${job.model_id}: ${e.volume_cm3.toFixed(2)} cm³, ${x} × ${y} × ${z} mm, ${e.triangles} triangles</p></div>
    </div>
    <div id="actions">${actionsOf(job)}</div>`;
  bindActions(job);
}

// Only the actions valid for the job's status.
function actionsOf(job: JobDetail): string {
  if (job.status === "QUEUED") {
    // Each printer with its state from the last board load; a scheduled job keeps its
    // printer, an unscheduled one is offered the first idle printer.
    const stateOf = (id: string) => printers.find((p) => p.id === id)?.state ?? "";
    const chosen = job.printer_id ?? job.compatible_printers.find((p) => stateOf(p) === "IDLE");
    const options = job.compatible_printers
      .map((p) => {
        const state = stateOf(p) ? ` (${stateOf(p).toLowerCase()})` : "";
        return `<option value="${escape(p)}"${p === chosen ? " selected" : ""}>${escape(p)}${escape(state)}</option>`;
      })
      .join("");
    const schedule = options
      ? `<label>Printer <select id="printer">${options}</select>
         <button id="schedule" type="button">${job.printer_id ? "Change printer" : "Schedule"}</button></label>`
      : "<p>No printer can print this job.</p>";
    return schedule + (job.printer_id ? '<button id="advance" type="button">Start printing</button>' : "");
  }
  if (job.status in NEXT) {
    return `<button id="advance" type="button">${NEXT[job.status][1]}</button>
      <label>Reason <input id="reason" placeholder="layer shift"> <button id="fail" type="button">Failed</button></label>`;
  }
  if (job.status === "FAILED") return '<button id="reprint" type="button">Reprint</button>';
  return "";
}

function bindActions(job: JobDetail): void {
  const value = (selector: string) => app.querySelector<HTMLInputElement>(selector)!.value;
  const setStatus = (status: string, reason?: string) =>
    mesApi.call("POST", `/jobs/${job.id}/status`, reason ? { status, reason } : { status });
  const on = (selector: string, name: string, change: () => Promise<unknown>) =>
    app.querySelector(selector)?.addEventListener("click", () =>
      void run(name, async () => {
        await change();
        await loadBoard();
        await openJob(job.id);
      }),
    );
  on("#schedule", "schedule job", () => mesApi.call("POST", `/jobs/${job.id}/schedule`, { printer_id: value("#printer") }));
  on("#advance", "advance job", () => setStatus(job.status === "QUEUED" ? "PRINTING" : NEXT[job.status][0]));
  on("#fail", "fail job", () => setStatus("FAILED", value("#reason") || "layer shift"));
  on("#reprint", "reprint job", () => setStatus("QUEUED", "reprint"));
}

// Jobs created from approved orders and changes by other operators appear without reloading.
function keepFresh(): void {
  setInterval(() => {
    if (document.visibilityState === "visible" && !busy) void loadBoard().catch(() => undefined);
  }, 5_000);
}

async function start(): Promise<void> {
  await signIn();
  renderLayout();
  await run("open mes", loadBoard);
  keepFresh();
}

void start();
