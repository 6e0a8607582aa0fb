// What ./fabtrace writes into each application's config.js, read at every page load:
// where traces go, the Keycloak realm (employees' applications), the fault switches.
export interface AppConfig {
  otlpTracesUrl: string;
  environment: string;
  keycloakUrl: string;
  faults: Record<string, boolean>;
}

declare global {
  interface Window {
    FABTRACE_CONFIG?: Partial<AppConfig>;
  }
}

export const config: AppConfig = {
  otlpTracesUrl: `${window.location.origin}/otlp/v1/traces`, // same origin: the app's nginx
  environment: "dev",
  keycloakUrl: "http://127.0.0.1:8090",
  faults: {},
  ...window.FABTRACE_CONFIG,
};
