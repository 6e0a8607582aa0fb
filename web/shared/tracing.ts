// Tracing of a browser application: document load, every fetch (with traceparent to its
// API), user actions as parent spans, uncaught errors and unhandled rejections as spans
// with an `exception` event. Exported over OTLP/HTTP to the Collector. An application
// calls startTracing(name, version) once, before anything else.
import { Context, context, Span, SpanStatusCode, trace, Tracer } from "@opentelemetry/api";
import { ZoneContextManager } from "@opentelemetry/context-zone";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { DocumentLoadInstrumentation } from "@opentelemetry/instrumentation-document-load";
import { FetchInstrumentation } from "@opentelemetry/instrumentation-fetch";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { WebTracerProvider } from "@opentelemetry/sdk-trace-web";

import { config } from "./config";

// The time a user action may take before it counts as slow (the *-API-SLOW scenarios).
export const ACTION_OBJECTIVE_MS = 1000;

let provider: WebTracerProvider | undefined;
let tracer: Tracer = trace.getTracer("unstarted");

export function startTracing(serviceName: string, version: string): void {
  const created = new WebTracerProvider({
    // The SDK's own attributes (telemetry.sdk.language "webjs", name, version) mark the
    // browser's view: the Collector's public door admits only them, span metrics split by them.
    resource: defaultResource().merge(
      resourceFromAttributes({
        "service.name": serviceName,
        "service.version": version,
        "deployment.environment.name": config.environment,
      }),
    ),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpTracesUrl }), {
        scheduledDelayMillis: 500,
        maxQueueSize: 1000,
      }),
    ],
  });
  created.register({ contextManager: new ZoneContextManager() });
  provider = created;
  registerInstrumentations({
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new FetchInstrumentation({
        semconvStabilityOptIn: "http", // stable names: http.request.method, url.full, error.type
        propagateTraceHeaderCorsUrls: [], // same origin only: the APIs behind /api, not Keycloak
        ignoreUrls: [/\/v1\/traces/],
        applyCustomAttributesOnSpan(span, _request, result) {
          // No answer at all: the instrumentation leaves this one unmarked.
          if (!(result instanceof Response)) {
            span.setAttribute("error.type", "network_error");
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
        },
      }),
    ],
  });
  tracer = trace.getTracer(serviceName, version);
  addEventListener("pagehide", () => void provider?.forceFlush());
}

export function traceIdOf(span: Span): string {
  return span.spanContext().traceId;
}

function recordError(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setAttribute("error.type", (error as { errorType?: string }).errorType ?? exception.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

// The user action in progress. Zone.js cannot follow native async/await, so after the
// first `await` the active context would be lost; fetches run inside this one instead.
// The shop runs one action at a time; an overlapping action takes over.
let actionContext: Context | undefined;

export function withActionContext<T>(call: () => T): T {
  return actionContext ? context.with(actionContext, call) : call();
}

// Runs a user action ("click order") as the parent span of everything it causes. The
// trace id of that span is the support code shown when the action fails.
export async function userAction<T>(name: string, action: (supportCode: string) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`click ${name}`, async (span) => {
    const previous = actionContext;
    actionContext = trace.setSpan(context.active(), span);
    span.setAttribute("ui.action", name);
    span.setAttribute("ui.objective_ms", ACTION_OBJECTIVE_MS);
    const started = performance.now();
    try {
      return await action(traceIdOf(span));
    } catch (error) {
      recordError(span, error);
      const failure = error as { supportCode?: string };
      if (!failure.supportCode) failure.supportCode = traceIdOf(span);
      throw error;
    } finally {
      actionContext = previous;
      const elapsed = performance.now() - started;
      if (elapsed > ACTION_OBJECTIVE_MS) span.setAttribute("ui.slow", true);
      span.end();
    }
  });
}

// An error nobody caught: its own span, so it is stored and findable; returns its code.
export function recordUncaught(kind: "uncaught error" | "unhandled rejection", error: unknown): string {
  const span = tracer.startSpan(kind);
  recordError(span, error);
  span.setAttribute("url.path", location.pathname);
  span.end();
  void provider?.forceFlush();
  return traceIdOf(span);
}

export async function flushTraces(): Promise<void> {
  await provider?.forceFlush();
}
