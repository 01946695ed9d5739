// /config.json, written by `lifestream serve` locally and by the CDK Web construct on AWS: where the API
// is and how to sign in. It holds no secret (a Cognito app client for a browser has none).
import { DEFAULT_LIMITS, type UploadLimits } from "./upload";

export interface CognitoConfig {
  domain: string; // https://<prefix>.auth.<region>.amazoncognito.com
  clientId: string;
  redirectUri: string;
  logoutUri: string;
  scopes: string[];
}

export interface AppConfig {
  timezone: string | null; // the zone diary dates are in (null: the viewer's)
  apiUrl: string; // "" = this origin
  auth: "none" | "cognito";
  cognito: CognitoConfig | null;
  limits: UploadLimits;
}

export class ConfigError extends Error {}

// The API's own OAuth scope (lifestream/core/constants.py API_SCOPE): every API route requires an access
// token that carries it, so the page always asks for it, whatever else config.json lists.
export const API_SCOPE = "lifestream/api";
const DEFAULT_SCOPES = ["openid", "email", "profile"];

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** The API base without a trailing "/api" or "/": routes are written with their full "/api/..." path. */
export function apiBase(url: string | undefined): string {
  return (url ?? "").trim().replace(/\/+$/, "").replace(/\/api$/, "");
}

/** Accepts the nested shape (`cognito: {domain, clientId, ...}`) and the flat one the CDK Web construct
 * writes (`authMode`, `cognitoDomain`, `clientId`, `redirectUri`, `logoutUri`, `scopes`). */
export function parseConfig(raw: unknown, origin: string): AppConfig {
  if (!raw || typeof raw !== "object") throw new ConfigError("config.json is not a JSON object");
  const c = raw as Json;
  const nested = (c.cognito && typeof c.cognito === "object" ? c.cognito : {}) as Json;
  const mode = str(c.auth) ?? str(c.authMode) ?? "none";
  const limitsIn = (c.limits && typeof c.limits === "object" ? c.limits : {}) as Json;
  const num = (v: unknown, d: number) => (typeof v === "number" && v > 0 ? v : d);
  const list = (v: unknown, d: string[]) =>
    Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]) : d;
  const limits: UploadLimits = {
    maxVideoBytes: num(limitsIn.maxVideoBytes, DEFAULT_LIMITS.maxVideoBytes),
    maxSubtitleBytes: num(limitsIn.maxSubtitleBytes, DEFAULT_LIMITS.maxSubtitleBytes),
    videoSuffixes: list(limitsIn.videoSuffixes, DEFAULT_LIMITS.videoSuffixes),
    subtitleSuffixes: list(limitsIn.subtitleSuffixes, DEFAULT_LIMITS.subtitleSuffixes),
  };
  const apiUrl = apiBase(str(c.apiUrl));
  const timezone = str(c.timezone) ?? null;
  if (mode === "none") return { apiUrl, timezone, auth: "none", cognito: null, limits };
  if (mode !== "cognito") throw new ConfigError(`config.json: auth must be "none" or "cognito", got "${mode}"`);
  const redirects = list(c.redirectUrls ?? nested.redirectUrls, []);
  let domain = str(nested.domain) ?? str(c.cognitoDomain);
  const clientId = str(nested.clientId) ?? str(c.userPoolClientId) ?? str(c.clientId);
  if (!domain || !clientId)
    throw new ConfigError("config.json: auth is cognito but the Cognito domain or client id is missing");
  if (!/^https?:\/\//.test(domain)) domain = `https://${domain}`;
  const redirectUri =
    str(nested.redirectUri) ?? str(c.redirectUri) ?? redirects.find((u) => u.startsWith(origin)) ?? `${origin}/`;
  const logoutUri = str(nested.logoutUri) ?? str(c.logoutUri) ?? redirectUri;
  const listed = list(nested.scopes ?? c.scopes, DEFAULT_SCOPES);
  const scopes = listed.includes(API_SCOPE) ? listed : [...listed, API_SCOPE];
  return {
    apiUrl,
    timezone,
    auth: "cognito",
    cognito: { domain: domain.replace(/\/+$/, ""), clientId, redirectUri, logoutUri, scopes },
    limits,
  };
}

export async function loadConfig(fetcher: typeof fetch = fetch, origin = location.origin): Promise<AppConfig> {
  // No cache option: the request must match index.html's preload of it (the server says no-cache).
  const res = await fetcher("/config.json");
  if (!res.ok) throw new ConfigError(`could not read /config.json (HTTP ${res.status})`);
  return parseConfig(await res.json(), origin);
}
