// Calls from a browser application to its API (through /api on the same origin, inside
// the current user action's trace); every failure carries the support code to show.
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

export interface ApiClient {
  call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  // The raw answer of a successful call (e.g. a file).
  fetchBytes(path: string): Promise<ArrayBuffer>;
}

// `apiName` names the API in messages ("Shop API"); `token` gives the bearer token of the
// signed-in user, if any.
export function apiClient(apiName: string, token: () => Promise<string | null>): ApiClient {
  async function send(method: string, path: string, body?: unknown, contentType?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    const bearer = await token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
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
      throw new ApiError(0, "network_error", `${apiName} cannot be reached`, "");
    }
    if (!response.ok) {
      const supportCode = response.headers.get("X-Support-Code") ?? "";
      const parsed = safeJson(await response.text());
      const error = (parsed as { error?: { code?: string; message?: string; support_code?: string } }).error;
      const unavailable = response.status === 502 || response.status === 503 || response.status === 504;
      throw new ApiError(
        response.status,
        error?.code ?? String(response.status),
        error?.message ?? (unavailable ? `${apiName} is not available right now` : `${apiName} answered ${response.status}`),
        error?.support_code || supportCode,
      );
    }
    return response;
  }
  return {
    async call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
      const text = await (await send(method, path, body, contentType)).text();
      return (text ? safeJson(text) : {}) as T;
    },
    async fetchBytes(path: string): Promise<ArrayBuffer> {
      return (await send("GET", path)).arrayBuffer();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
