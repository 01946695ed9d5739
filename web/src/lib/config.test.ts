import { describe, expect, it } from "vitest";
import { API_SCOPE, ConfigError, apiBase, parseConfig } from "./config";

const origin = "https://d123.cloudfront.net";

describe("parseConfig", () => {
  it("local mode needs no sign-in and keeps the server's limits", () => {
    const c = parseConfig({ apiUrl: "", auth: "none", limits: { maxVideoBytes: 10 } }, origin);
    expect(c.auth).toBe("none");
    expect(c.cognito).toBeNull();
    expect(c.limits.maxVideoBytes).toBe(10);
    expect(c.limits.videoSuffixes).toContain(".mp4");
  });

  it("reads the nested and the flat Cognito shapes", () => {
    const nested = parseConfig(
      { apiUrl: "/api", auth: "cognito", cognito: { domain: "x.auth.eu-west-1.amazoncognito.com", clientId: "abc" } },
      origin,
    );
    expect(nested.cognito).toMatchObject({
      domain: "https://x.auth.eu-west-1.amazoncognito.com",
      clientId: "abc",
      redirectUri: `${origin}/`,
    });
    expect(nested.apiUrl).toBe("");
    const flat = parseConfig(
      {
        auth: "cognito",
        cognitoDomain: "https://y.example/",
        userPoolClientId: "id1",
        redirectUrls: ["http://localhost:5173/", `${origin}/callback`],
      },
      origin,
    );
    expect(flat.cognito).toMatchObject({ domain: "https://y.example", clientId: "id1", redirectUri: `${origin}/callback` });
  });

  it("reads what the CDK Web construct writes", () => {
    const c = parseConfig(
      {
        apiUrl: "/api",
        authMode: "cognito",
        region: "eu-west-1",
        cognitoDomain: "https://lifestream-dev.auth.eu-west-1.amazoncognito.com",
        clientId: "5abc",
        redirectUri: `${origin}/auth/callback`,
        logoutUri: `${origin}/`,
        scopes: ["openid", "email"],
      },
      origin,
    );
    expect(c).toMatchObject({
      apiUrl: "",
      auth: "cognito",
      cognito: {
        domain: "https://lifestream-dev.auth.eu-west-1.amazoncognito.com",
        clientId: "5abc",
        redirectUri: `${origin}/auth/callback`,
        logoutUri: `${origin}/`,
        scopes: ["openid", "email", API_SCOPE],
      },
    });
  });

  it("always asks for the API's scope, without which the API refuses the token", () => {
    const cognito = { auth: "cognito", cognitoDomain: "https://y.example", clientId: "id1" };
    expect(parseConfig(cognito, origin).cognito?.scopes).toEqual(["openid", "email", "profile", API_SCOPE]);
    const listed = parseConfig({ ...cognito, scopes: ["openid", API_SCOPE] }, origin);
    expect(listed.cognito?.scopes).toEqual(["openid", API_SCOPE]);
    expect(API_SCOPE).toBe("lifestream/api");
  });

  it("refuses an incomplete or unknown sign-in with a message", () => {
    expect(() => parseConfig({ auth: "cognito" }, origin)).toThrow(ConfigError);
    expect(() => parseConfig({ auth: "magic" }, origin)).toThrow(/auth must be/);
    expect(() => parseConfig("x", origin)).toThrow(/not a JSON object/);
  });

  it("strips a trailing /api from the API URL (routes carry it)", () => {
    expect(apiBase("https://api.example/api/")).toBe("https://api.example");
    expect(apiBase("/api")).toBe("");
    expect(apiBase(undefined)).toBe("");
  });
});
