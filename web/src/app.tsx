import { useEffect } from "preact/hooks";
import { onLink, useRoute } from "./router";
import { Ask } from "./views/Ask";
import { Day } from "./views/Day";
import { Library } from "./views/Library";
import { Search } from "./views/Search";
import { Upload } from "./views/Upload";

const TITLES = { library: "Library", day: "Day", search: "Search", ask: "Ask", upload: "Upload", missing: "Not found" };

export function App({ onSignOut }: { onSignOut: (() => void) | null }) {
  const route = useRoute();
  useEffect(() => {
    document.title = `${TITLES[route.name]} · LifeStream`;
  }, [route.name]);
  const current = (name: string) => (route.name === name ? "page" : undefined);
  return (
    <div class="shell" onClick={onLink}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          LifeStream
        </a>
        <nav aria-label="Main">
          <a href="/" aria-current={current("library") ?? current("day")}>
            Library
          </a>
          <a href="/search" aria-current={current("search")}>
            Search
          </a>
          <a href="/ask" aria-current={current("ask")}>
            Ask
          </a>
          <a href="/upload" aria-current={current("upload")}>
            Upload
          </a>
        </nav>
        {onSignOut && (
          <button type="button" class="secondary small" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {route.name === "library" && <Library />}
        {route.name === "day" && <Day date={route.date} video={route.video} at={route.at} />}
        {route.name === "search" && <Search q={route.q} />}
        {route.name === "ask" && <Ask />}
        {route.name === "upload" && <Upload />}
        {route.name === "missing" && (
          <section>
            <h1>Not found</h1>
            <p>
              There is no page at {route.path}. <a href="/">Go to the library</a>
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
