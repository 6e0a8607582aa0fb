// Calls to Shop API with the customer's session token (kept for the browser tab).
import { apiClient } from "@fabtrace/web-shared/api";

const TOKEN_KEY = "internet-shop.token";

export function signedIn(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function remember(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

const shopApi = apiClient("Shop API", async () => sessionStorage.getItem(TOKEN_KEY));

export function api<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  return shopApi.call<T>(method, path, body, contentType);
}
