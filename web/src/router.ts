// Routes are real paths (/day/2026-05-02?v=…) so links can be shared and reloaded; the server answers
// every non-API path with index.html (SPA fallback).
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "library" }
  | { name: "day"; date: string; video: string | null; at: number | null }
  | { name: "search"; q: string }
  | { name: "ask" }
  | { name: "upload" }
  | { name: "missing"; path: string };

export function parseRoute(path: string, search: string): Route {
  const q = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: "library" };
  if (parts[0] === "day" && parts.length === 2) {
    const at = Number(q.get("t"));
    return { name: "day", date: parts[1], video: q.get("v"), at: q.has("t") && Number.isFinite(at) ? at : null };
  }
  if (parts[0] === "search" && parts.length === 1) return { name: "search", q: q.get("q") ?? "" };
  if (parts[0] === "ask" && parts.length === 1) return { name: "ask" };
  if (parts[0] === "upload" && parts.length === 1) return { name: "upload" };
  return { name: "missing", path };
}

export function dayHref(date: string, video?: string | null, at?: number | null): string {
  const q = new URLSearchParams();
  if (video) q.set("v", video);
  if (at != null) q.set("t", String(Math.round(at * 10) / 10));
  const s = q.toString();
  return `/day/${encodeURIComponent(date)}${s ? `?${s}` : ""}`;
}

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
  if (!replace) scrollTo(0, 0);
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener("popstate", on);
    return () => removeEventListener("popstate", on);
  }, []);
  return route;
}

/** A same-origin link click handled in the page (no reload); modified clicks open as usual. */
export function onLink(e: MouseEvent): void {
  const a = (e.target as Element | null)?.closest?.("a");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute("href");
  if (!href || !href.startsWith("/") || href.startsWith("/api/") || a.target) return;
  e.preventDefault();
  navigate(href);
}
