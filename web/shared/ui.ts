// What every application shows the same way: the error banner with its support code,
// user actions that report their failure there, and the page's global error handlers.
import { recordUncaught, userAction } from "./tracing";

export const money = (cents: number) => `€${(cents / 100).toFixed(2)}`;
export const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const errorBox = () => document.querySelector<HTMLElement>("#error")!;

export function showError(message: string, supportCode: string): void {
  const box = errorBox();
  box.hidden = false;
  box.innerHTML =
    `<strong>Something went wrong.</strong> ${escape(message)}<br>` +
    `Please quote this support code: <code data-testid="support-code">${escape(supportCode)}</code>`;
}

export function clearError(): void {
  const box = errorBox();
  box.hidden = true;
  box.textContent = "";
}

// Runs a traced user action; a failure is shown with its support code.
export async function act(name: string, action: () => Promise<void>): Promise<void> {
  clearError();
  try {
    await userAction(name, action);
  } catch (error) {
    const supportCode = (error as { supportCode?: string }).supportCode ?? "";
    showError(error instanceof Error ? error.message : String(error), supportCode);
  }
}

// Errors nobody caught are recorded as spans and shown with their support code.
export function reportUncaughtErrors(): void {
  addEventListener("error", (event) => showError("The page failed.", recordUncaught("uncaught error", event.error)));
  addEventListener("unhandledrejection", (event) =>
    showError("The page failed.", recordUncaught("unhandled rejection", event.reason)),
  );
}
