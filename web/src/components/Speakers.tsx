import { useState } from "preact/hooks";
import type { VideoDiary } from "../api/client";
import { useApp } from "../context";
import { type Block, speakersOf } from "../lib/diary";

/** Rename a speaker in place: the API rewrites the diary and the search index, and answers the diary. */
export function Speakers({ entry, blocks, onRenamed }: { entry: VideoDiary; blocks: Block[]; onRenamed: (v: VideoDiary) => void }) {
  const { api } = useApp();
  const speakers = speakersOf(blocks);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!speakers.length) return null;

  const save = async (e: Event) => {
    e.preventDefault();
    const from = editing!;
    const to = name.trim();
    if (!to || to === from) return setEditing(null);
    setBusy(true);
    setError(null);
    try {
      onRenamed(await api.renameSpeakers(entry.video.video_id, { [from]: to }));
      setEditing(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="speakers" aria-labelledby="speakers-title">
      <h3 id="speakers-title">Speakers</h3>
      <ul>
        {speakers.map((s) => (
          <li key={s}>
            {editing === s ? (
              <form onSubmit={save} class="inline-form">
                <label>
                  <span class="sr-only">New name for {s}</span>
                  <input
                    value={name}
                    maxLength={100}
                    required
                    autoFocus
                    onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
                    onKeyDown={(e) => e.key === "Escape" && setEditing(null)}
                  />
                </label>
                <button type="submit" disabled={busy}>
                  Save
                </button>
                <button type="button" class="secondary" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <span class="speaker-name">{s}</span>{" "}
                <button
                  type="button"
                  class="secondary small"
                  aria-label={`Rename ${s}`}
                  onClick={() => {
                    setEditing(s);
                    setName(s);
                  }}
                >
                  Rename
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {error && <p class="error" role="alert">Could not rename: {error}</p>}
    </section>
  );
}
