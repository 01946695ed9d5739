import { describe, expect, it } from "vitest";
import { CognitoAuth, SignInError, authorizeUrl, challengeOf, tokensFrom } from "./auth";
import type { CognitoConfig } from "./config";

const config: CognitoConfig = {
  domain: "https://login.example",
  clientId: "client1",
  redirectUri: "https://app.example/",
  logoutUri: "https://app.example/",
  scopes: ["openid", "email"],
};

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

function harness(answers: Array<{ status: number; body: Record<string, unknown> }>) {
  const requests: Array<{ url: string; body: URLSearchParams }> = [];
  const navigated: string[] = [];
  let now = 1_000_000;
  const fetcher = (async (url: string, init: RequestInit) => {
    requests.push({ url, body: new URLSearchParams(String(init.body)) });
    const a = answers.shift()!;
    return new Response(JSON.stringify(a.body), { status: a.status });
  }) as unknown as typeof fetch;
  const auth = new CognitoAuth(config, {
    fetch: fetcher,
    storage: memoryStorage(),
    navigate: (u) => navigated.push(u),
    now: () => now,
  });
  return { auth, requests, navigated, tick: (ms: number) => (now += ms) };
}

describe("PKCE", () => {
  it("derives the RFC 7636 challenge", async () => {
    // The example of RFC 7636 appendix B.
    expect(await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("asks for a code with an S256 challenge", () => {
    const u = new URL(authorizeUrl(config, "ch", "st"));
    expect(u.origin + u.pathname).toBe("https://login.example/oauth2/authorize");
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "client1",
      code_challenge: "ch",
      code_challenge_method: "S256",
      state: "st",
      scope: "openid email",
    });
  });
});

describe("CognitoAuth", () => {
  it("signs in, trades the code with the verifier, refreshes before expiry, signs out cleanly", async () => {
    const h = harness([
      { status: 200, body: { access_token: "a1", id_token: "i1", refresh_token: "r1", expires_in: 3600 } },
      { status: 200, body: { access_token: "a2", expires_in: 3600 } },
    ]);
    await h.auth.signIn();
    const sent = new URL(h.navigated[0]);
    const state = sent.searchParams.get("state")!;
    expect(await h.auth.completeSignIn(new URL(`https://app.example/?code=c1&state=${state}`))).toBe(true);
    const exchange = h.requests[0].body;
    expect(exchange.get("grant_type")).toBe("authorization_code");
    expect(await challengeOf(exchange.get("code_verifier")!)).toBe(sent.searchParams.get("code_challenge"));
    expect(await h.auth.accessToken()).toBe("a1");
    h.tick(3600_000 - 30_000); // inside the refresh margin
    expect(await h.auth.accessToken()).toBe("a2");
    expect(h.requests[1].body.get("refresh_token")).toBe("r1");
    h.auth.signOut();
    expect(h.auth.signedIn).toBe(false);
    expect(await h.auth.accessToken()).toBeNull();
    expect(h.navigated[1]).toContain("https://login.example/logout?client_id=client1");
  });

  it("refuses an answer whose state is not this tab's", async () => {
    const h = harness([]);
    await h.auth.signIn();
    await expect(h.auth.completeSignIn(new URL("https://app.example/?code=c&state=forged"))).rejects.toThrow(SignInError);
    expect(h.requests).toHaveLength(0);
  });

  it("a refused refresh signs out", async () => {
    const h = harness([
      { status: 200, body: { access_token: "a1", refresh_token: "r1", expires_in: 60 } },
      { status: 400, body: { error: "invalid_grant" } },
    ]);
    await h.auth.signIn();
    const state = new URL(h.navigated[0]).searchParams.get("state");
    await h.auth.completeSignIn(new URL(`https://app.example/?code=c&state=${state}`));
    expect(await h.auth.accessToken()).toBeNull();
    expect(h.auth.signedIn).toBe(false);
  });

  it("ignores a URL that is not a sign-in return", async () => {
    expect(await harness([]).auth.completeSignIn(new URL("https://app.example/day/2026-05-02"))).toBe(false);
  });

  it("keeps the refresh token across a refresh", () => {
    const prev = tokensFrom({ access_token: "a", refresh_token: "r" }, 0);
    expect(tokensFrom({ access_token: "b" }, 0, prev).refreshToken).toBe("r");
    expect(() => tokensFrom({}, 0)).toThrow(/no access token/);
  });
});
