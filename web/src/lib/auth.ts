// Cognito managed login: the authorization-code flow with PKCE (RFC 7636). Tokens live in memory only
// (this module's closure), so a reload signs in again through Cognito's session cookie rather than
// leaving tokens where a script could read them. The verifier and state survive the redirect in
// sessionStorage and are removed as soon as they are used.
import type { CognitoConfig } from "./config";

export interface Tokens {
  accessToken: string;
  idToken: string | null;
  refreshToken: string | null;
  expiresAt: number; // ms since epoch
}

const PENDING = "lifestream.pkce";
// Refresh a little before expiry, so a request never leaves with a token about to lapse.
const SKEW_MS = 60_000;

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomVerifier(random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  return base64url(random(new Uint8Array(32)));
}

export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function authorizeUrl(c: CognitoConfig, challenge: string, state: string): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: c.clientId,
    redirect_uri: c.redirectUri,
    scope: c.scopes.join(" "),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return `${c.domain}/oauth2/authorize?${q}`;
}

export function logoutUrl(c: CognitoConfig): string {
  const q = new URLSearchParams({ client_id: c.clientId, logout_uri: c.logoutUri });
  return `${c.domain}/logout?${q}`;
}

export function tokensFrom(body: Record<string, unknown>, now: number, previous?: Tokens | null): Tokens {
  const access = body.access_token;
  if (typeof access !== "string" || !access) throw new Error("the sign-in answer has no access token");
  const seconds = typeof body.expires_in === "number" ? body.expires_in : 3600;
  return {
    accessToken: access,
    idToken: typeof body.id_token === "string" ? body.id_token : (previous?.idToken ?? null),
    // A refresh answer carries no new refresh token: keep the one we have.
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : (previous?.refreshToken ?? null),
    expiresAt: now + seconds * 1000,
  };
}

export interface AuthDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  navigate: (url: string) => void;
  now: () => number;
}

export class SignInError extends Error {}

export class CognitoAuth {
  private tokens: Tokens | null = null;
  private refreshing: Promise<Tokens | null> | null = null;

  constructor(
    private readonly config: CognitoConfig,
    private readonly deps: AuthDeps,
  ) {}

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  async signIn(): Promise<void> {
    const verifier = randomVerifier();
    const state = randomVerifier();
    this.deps.storage.setItem(PENDING, JSON.stringify({ verifier, state }));
    this.deps.navigate(authorizeUrl(this.config, await challengeOf(verifier), state));
  }

  /** On return from Cognito (`?code=&state=`): trade the code for tokens. Returns false when the URL
   * is not a sign-in return. */
  async completeSignIn(url: URL): Promise<boolean> {
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    if (!code && !error) return false;
    const pending = this.deps.storage.getItem(PENDING);
    this.deps.storage.removeItem(PENDING);
    if (error) throw new SignInError(`sign-in failed: ${url.searchParams.get("error_description") ?? error}`);
    let saved: { verifier?: string; state?: string } = {};
    try {
      saved = pending ? JSON.parse(pending) : {};
    } catch {
      saved = {};
    }
    if (!saved.verifier || saved.state !== url.searchParams.get("state"))
      throw new SignInError("sign-in could not be completed (the answer does not match this tab); sign in again");
    this.tokens = await this.tokenRequest({
      grant_type: "authorization_code",
      client_id: this.config.clientId,
      code: code!,
      redirect_uri: this.config.redirectUri,
      code_verifier: saved.verifier,
    });
    return true;
  }

  /** A valid access token, refreshed when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - SKEW_MS > this.deps.now()) return this.tokens.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** One refresh at a time; a failed refresh signs out (the caller then offers sign-in). */
  refresh(): Promise<Tokens | null> {
    if (!this.tokens?.refreshToken) {
      this.tokens = null;
      return Promise.resolve(null);
    }
    this.refreshing ??= this.tokenRequest({
      grant_type: "refresh_token",
      client_id: this.config.clientId,
      refresh_token: this.tokens.refreshToken,
    })
      .then((t) => (this.tokens = t))
      .catch(() => (this.tokens = null))
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  signOut(): void {
    this.tokens = null;
    this.deps.storage.removeItem(PENDING);
    this.deps.navigate(logoutUrl(this.config));
  }

  private async tokenRequest(form: Record<string, string>): Promise<Tokens> {
    const res = await this.deps.fetch(`${this.config.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new SignInError(`sign-in refused: ${String(body.error ?? res.status)}`);
    return tokensFrom(body, this.deps.now(), this.tokens);
  }
}
