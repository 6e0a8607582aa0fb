// CRM: managers sign in with Keycloak, filter the orders of all customers, open one (3D
// preview of the model, price, history, notes), approve it into production, reject it or
// leave a note. The list refreshes itself, so status changes appear without reloading.
import "@fabtrace/web-shared/style.css";
import "./crm.css";

import { config } from "@fabtrace/web-shared/config";
import { employeeSession } from "@fabtrace/web-shared/employee";
import { showModel } from "@fabtrace/web-shared/preview";
import { startTracing } from "@fabtrace/web-shared/tracing";
import { act, escape, money, reportUncaughtErrors } from "@fabtrace/web-shared/ui";

startTracing("crm", "1.0.0");
reportUncaughtErrors();

interface OrderSummary {
  id: number;
  customer: { id: number; display_name: string };
  material_id: string;
  quantity: number;
  total_cents: number;
  status: string;
  created_at: string;
}
interface Order extends OrderSummary {
  unit_price_cents: number;
  model: { id: number; filename: string; volume_cm3: number; bbox_mm: number[]; triangles: number };
  history: { status: string; changed_at: string; note: string }[];
  notes: { author: string; text: string; created_at: string }[];
}

const STATUSES = ["NEW", "APPROVED", "REJECTED", "IN_PRODUCTION", "PRODUCTION_FAILED", "DONE", "CANCELLED"];
const { api: crmApi, signIn } = employeeSession("crm-web", "CRM API");
const app = document.querySelector<HTMLElement>("#app")!;
let selected: number | undefined;

function renderLayout(): void {
  app.innerHTML = `
    <section class="card filters">
      <label>Status <select id="status"><option value="">all</option>
        ${STATUSES.map((s) => `<option${s === "NEW" ? " selected" : ""}>${s}</option>`).join("")}</select></label>
      <label>Customer <input id="customer" type="number" min="1" size="6"></label>
      <label>From <input id="from" type="date"></label>
      <label>To <input id="to" type="date"></label>
      <button id="refresh" type="button">Refresh</button>
    </section>
    <div class="layout">
      <section class="card"><h2>Orders</h2><div id="orders"><p>Loading…</p></div></section>
      <section class="card" id="detail"><p>Choose an order.</p></section>
    </div>`;
  app.querySelector("#refresh")!.addEventListener("click", () => void act("refresh orders", loadOrders));
  for (const id of ["#status", "#customer", "#from", "#to"]) {
    app.querySelector(id)!.addEventListener("change", () => void act("filter orders", loadOrders));
  }
}

function query(): string {
  const value = (id: string) => app.querySelector<HTMLInputElement>(id)!.value;
  const params = new URLSearchParams({ limit: "50" });
  for (const [name, id] of [["status", "#status"], ["customer_id", "#customer"], ["from", "#from"], ["to", "#to"]]) {
    if (value(id)) params.set(name, value(id));
  }
  return params.toString();
}

async function loadOrders(): Promise<void> {
  const { orders } = await crmApi.call<{ orders: OrderSummary[] }>("GET", `/orders?${query()}`);
  const rows = orders.map(
    (o) => `<tr class="order${o.id === selected ? " selected" : ""}" data-testid="order-${o.id}" data-id="${o.id}">
      <td>#${o.id}</td><td>${escape(o.customer.display_name)} (#${o.customer.id})</td>
      <td>${escape(o.material_id)} × ${o.quantity}</td><td>${money(o.total_cents)}</td>
      <td class="status">${escape(o.status)}</td><td>${escape(o.created_at.slice(0, 16))}</td></tr>`,
  );
  const list = app.querySelector("#orders")!;
  list.innerHTML = orders.length
    ? `<table data-testid="orders"><tr><th>Order</th><th>Customer</th><th>What</th><th>Total</th><th>Status</th><th>Placed</th></tr>${rows.join("")}</table>`
    : "<p>No orders match.</p>";
  list.querySelectorAll<HTMLElement>("tr.order").forEach((row) =>
    row.addEventListener("click", () => void act("open order", () => openOrder(Number(row.dataset.id)))),
  );
}

async function openOrder(id: number): Promise<void> {
  selected = id;
  const order = await crmApi.call<Order>("GET", `/orders/${id}`);
  renderDetail(order);
  const stl = await crmApi.fetchBytes(`/orders/${id}/model`);
  const shown = showModel(app.querySelector<HTMLCanvasElement>("#preview")!, stl);
  if (!shown) app.querySelector("#preview-note")!.textContent = "3D preview needs WebGL; the model's size is above.";
}

function renderDetail(order: Order): void {
  // Fault switch "detail_render_defect": a real rendering bug, a delivery estimate read
  // from a field the API does not send.
  const estimate = config.faults.detail_render_defect
    ? (order as unknown as { delivery: { days: number } }).delivery.days.toFixed(0)
    : "";
  const [x, y, z] = order.model.bbox_mm.map((v) => v.toFixed(1));
  const decidable = order.status === "NEW";
  const rejectable = decidable || order.status === "PRODUCTION_FAILED";
  app.querySelector("#detail")!.innerHTML = `
    <h2 data-testid="detail-${order.id}">Order #${order.id} <span class="status" data-testid="detail-status">${escape(order.status)}</span></h2>
    <p>${escape(order.customer.display_name)} (#${order.customer.id}) · ${escape(order.material_id)} × ${order.quantity}
      · ${money(order.unit_price_cents)} each · <strong>${money(order.total_cents)}</strong>${estimate ? ` · ${estimate} days` : ""}</p>
    <canvas id="preview" data-testid="preview"></canvas>
    <p id="preview-note">${escape(order.model.filename)}: ${order.model.volume_cm3.toFixed(2)} cm³, ${x} × ${y} × ${z} mm,
      ${order.model.triangles} triangles</p>
    <p>${decidable ? '<button id="approve" type="button">Approve into production</button>' : ""}
       ${rejectable ? '<input id="reason" placeholder="reason"> <button id="reject" type="button">Reject</button>' : ""}</p>
    <h3>History</h3><ul>${order.history.map((h) => `<li>${escape(h.changed_at.slice(0, 16))} ${escape(h.status)} ${escape(h.note)}</li>`).join("")}</ul>
    <h3>Notes</h3><ul>${order.notes.map((n) => `<li>${escape(n.author)}: ${escape(n.text)}</li>`).join("")}</ul>
    <input id="note-text" placeholder="a note"> <button id="note" type="button">Add note</button>`;
  const after = async () => {
    await loadOrders();
    await openOrder(order.id);
  };
  app.querySelector("#approve")?.addEventListener("click", () =>
    void act("approve order", async () => {
      await crmApi.call("POST", `/orders/${order.id}/approve`, {});
      await after();
    }),
  );
  app.querySelector("#reject")?.addEventListener("click", () =>
    void act("reject order", async () => {
      const reason = app.querySelector<HTMLInputElement>("#reason")!.value || "not printable as designed";
      await crmApi.call("POST", `/orders/${order.id}/reject`, { reason });
      await after();
    }),
  );
  app.querySelector("#note")!.addEventListener("click", () =>
    void act("add note", async () => {
      await crmApi.call("POST", `/orders/${order.id}/notes`, { text: app.querySelector<HTMLInputElement>("#note-text")!.value });
      await after();
    }),
  );
}

// Status changes made elsewhere (production, other managers) appear without reloading.
function keepFresh(): void {
  setInterval(() => {
    if (document.visibilityState === "visible") void loadOrders().catch(() => undefined);
  }, 10_000);
}

async function start(): Promise<void> {
  await signIn();
  renderLayout();
  await act("open crm", loadOrders);
  keepFresh();
}

void start();
