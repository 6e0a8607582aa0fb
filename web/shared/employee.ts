// Signing in of the employees' applications (CRM, MES): Keycloak's login page of the realm
// `fabtrace` (PKCE), the API client that sends the user's token (renewed when it expires
// within 30 s), and the header's "#who" with the user's name and a Sign out button.
import Keycloak from "keycloak-js";

import { ApiClient, apiClient } from "./api";
import { config } from "./config";
import { escape } from "./ui";

export interface EmployeeSession {
  // Calls to the application's API as the signed-in user.
  api: ApiClient;
  // Goes through Keycloak's login page unless signed in already, then shows who is.
  signIn(): Promise<void>;
}

export function employeeSession(clientId: string, apiName: string): EmployeeSession {
  const keycloak = new Keycloak({ url: config.keycloakUrl, realm: "fabtrace", clientId });
  const api = apiClient(apiName, async () => {
    await keycloak.updateToken(30);
    return keycloak.token ?? null;
  });
  async function signIn(): Promise<void> {
    await keycloak.init({ onLoad: "login-required", pkceMethod: "S256", checkLoginIframe: false });
    const who = keycloak.tokenParsed?.preferred_username ?? "";
    document.querySelector("#who")!.innerHTML =
      `${escape(String(who))} <button id="sign-out" type="button">Sign out</button>`;
    document.querySelector("#sign-out")!.addEventListener("click", () => void keycloak.logout());
  }
  return { api, signIn };
}
