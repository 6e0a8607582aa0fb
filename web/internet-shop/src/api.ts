// Calls to Shop API (through /api on the same origin); failures carry the support code.
import { withActionContext } from "./tracing";
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly supportCode: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

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

export async function api<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const headers: Record<string, string> = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    payload = body;
    headers["Content-Type"] = contentType ?? "application/octet-stream";
    if (body instanceof File) headers["X-Filename"] = body.name.replace(/[^A-Za-z0-9._-]/g, "_");
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let response: Response;
  try {
    response = await withActionContext(() => fetch(`/api${path}`, { method, headers, body: payload }));
  } catch {
    throw new ApiError(0, "network_error", "Shop API cannot be reached", "");
  }
  const supportCode = response.headers.get("X-Support-Code") ?? "";
  const text = await response.text();
  const parsed = text ? safeJson(text) : {};
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; support_code?: string } }).error;
    const unavailable = response.status === 502 || response.status === 503 || response.status === 504;
    throw new ApiError(
      response.status,
      error?.code ?? String(response.status),
      error?.message ?? (unavailable ? "Shop API is not available right now" : `Shop API answered ${response.status}`),
      error?.support_code || supportCode,
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
