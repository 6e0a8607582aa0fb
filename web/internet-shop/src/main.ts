// InternetShop: sign up or in, browse materials, upload a model and see its volume and
// price, order it, follow the orders.
import "@fabtrace/web-shared/style.css";

import { config } from "@fabtrace/web-shared/config";
import { startTracing } from "@fabtrace/web-shared/tracing";
import { act, escape, money, reportUncaughtErrors } from "@fabtrace/web-shared/ui";

import { api, remember, signedIn, signOut } from "./api";

startTracing("internet-shop", "1.0.0");

interface Material {
  id: string;
  name: string;
  price_per_cm3_cents: number;
  minimum_cents: number;
}
interface Model {
  id: number;
  filename: string;
  volume_cm3: number;
  surface_mm2: number;
  bbox_mm: number[];
  triangles: number;
}
interface Quote {
  material_id: string;
  unit_price_cents: number;
  total_cents: number;
}
interface Order {
  id: number;
  material_id: string;
  quantity: number;
  total_cents: number;
  status: string;
  history: { status: string; changed_at: string; note: string }[];
}

const app = document.querySelector<HTMLElement>("#app")!;
let materials: Material[] = [];

reportUncaughtErrors();

function renderSignIn(): void {
  app.innerHTML = `
    <section class="card">
      <h2>Sign in or create an account</h2>
      <form id="auth">
        <label>E-mail <input name="email" type="email" required autocomplete="email"></label>
        <label>Password <input name="password" type="password" required minlength="8"></label>
        <label>Name (new accounts) <input name="name" autocomplete="name"></label>
        <button name="signin" type="submit">Sign in</button>
        <button name="signup" type="button">Create account</button>
      </form>
    </section>`;
  const form = app.querySelector<HTMLFormElement>("#auth")!;
  const fields = () => Object.fromEntries(new FormData(form)) as Record<string, string>;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act("sign in", async () => {
      const { email, password } = fields();
      remember((await api<{ token: string }>("POST", "/sessions", { email, password })).token);
      await renderShop();
    });
  });
  form.signup.addEventListener("click", () =>
    act("sign up", async () => {
      const { email, password, name } = fields();
      remember((await api<{ token: string }>("POST", "/customers", { email, password, name: name || "Customer" })).token);
      await renderShop();
    }),
  );
}

async function renderShop(): Promise<void> {
  materials = (await api<{ materials: Material[] }>("GET", "/materials")).materials;
  app.innerHTML = `
    <section class="card">
      <h2>Materials</h2>
      <table data-testid="materials"><tr><th>Material</th><th>Price per cm³</th><th>Minimum</th></tr>
        ${materials.map((m) => `<tr><td>${escape(m.name)}</td><td>${money(m.price_per_cm3_cents)}</td><td>${money(m.minimum_cents)}</td></tr>`).join("")}
      </table>
    </section>
    <section class="card">
      <h2>Your model</h2>
      <input id="model-file" type="file" accept=".stl,model/stl">
      <button id="upload">Upload and price</button>
      <div id="model"></div>
    </section>
    <section class="card">
      <h2>Your orders <button id="refresh">Refresh</button> <button id="signout">Sign out</button></h2>
      <div id="orders"></div>
    </section>`;
  app.querySelector("#upload")!.addEventListener("click", () =>
    act("upload model", async () => {
      const file = app.querySelector<HTMLInputElement>("#model-file")!.files?.[0];
      if (!file) throw new Error("Choose an STL file first.");
      const model = await api<Model>("POST", "/models", file, "model/stl");
      const quotes = await Promise.all(
        materials.map((m) => api<Quote>("POST", "/quotes", { model_id: model.id, material_id: m.id, quantity: 1 })),
      );
      renderModel(model, quotes);
    }),
  );
  app.querySelector("#refresh")!.addEventListener("click", () => act("refresh orders", loadOrders));
  app.querySelector("#signout")!.addEventListener("click", () => {
    signOut();
    renderSignIn();
  });
  await loadOrders();
}

function renderModel(model: Model, quotes: Quote[]): void {
  const [x, y, z] = model.bbox_mm.map((v) => v.toFixed(1));
  app.querySelector("#model")!.innerHTML = `
    <p data-testid="model-facts">${escape(model.filename)}: volume <strong data-testid="volume">${model.volume_cm3.toFixed(3)} cm³</strong>,
      surface ${model.surface_mm2.toFixed(1)} mm², ${x} × ${y} × ${z} mm, ${model.triangles} triangles</p>
    <table data-testid="quotes"><tr><th>Material</th><th>Price</th><th></th></tr>
      ${quotes.map((q) => `<tr><td>${escape(materials.find((m) => m.id === q.material_id)?.name ?? q.material_id)}</td>
        <td data-testid="price-${q.material_id}">${money(q.total_cents)}</td>
        <td><button data-order="${q.material_id}">Order</button></td></tr>`).join("")}
    </table>`;
  app.querySelectorAll<HTMLButtonElement>("[data-order]").forEach((button) =>
    button.addEventListener("click", () =>
      act("order", async () => {
        await api<Order>("POST", "/orders", { model_id: model.id, material_id: button.dataset.order, quantity: 1 });
        await loadOrders();
      }),
    ),
  );
}

async function loadOrders(): Promise<void> {
  const { orders } = await api<{ orders: Order[] }>("GET", "/orders");
  renderOrders(orders);
}

function renderOrders(orders: Order[]): void {
  // Fault switch "orders_render_defect": a real rendering bug, a "next delivery" line
  // that reads a field the API does not send (and an order that may not exist).
  const nextDelivery = config.faults.orders_render_defect
    ? (orders[0] as unknown as { delivery: { eta: string } }).delivery.eta.toUpperCase()
    : "";
  const rows = orders.map((order) => {
    const last = order.history[order.history.length - 1];
    return `<tr data-testid="order-${order.id}"><td>#${order.id}</td><td>${escape(order.material_id)} × ${order.quantity}</td>
      <td>${money(order.total_cents)}</td><td class="status">${escape(order.status)}</td>
      <td>${escape(last ? `${last.note} (${last.changed_at.slice(0, 16)})` : "")}</td></tr>`;
  });
  app.querySelector("#orders")!.innerHTML = orders.length
    ? `<table data-testid="orders"><tr><th>Order</th><th>What</th><th>Total</th><th>Status</th><th>Last change</th></tr>${rows.join("")}</table>`
    : "<p>No orders yet.</p>";
  if (nextDelivery) app.querySelector("#orders")!.insertAdjacentHTML("afterbegin", `<p>Next delivery: ${escape(nextDelivery)}</p>`);
}

if (signedIn()) {
  void act("open shop", renderShop);
} else {
  renderSignIn();
}
