import { useRef, useState } from "preact/hooks";
import { useApp } from "../context";

/** Delete with a confirmation (a modal <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDelete({ videoId, title, onDeleted }: { videoId: string; title: string; onDeleted: () => void }) {
  const { api } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.deleteVideo(videoId);
      dialog.current?.close();
      onDeleted();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="danger-zone">
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        Delete video
      </button>
      <dialog ref={dialog} aria-labelledby={`del-${videoId}`}>
        <h2 id={`del-${videoId}`}>Delete “{title}”?</h2>
        <p>Its diary, search entries and answers go too. The original file on your computer is not touched.</p>
        {error && <p class="error" role="alert">Could not delete: {error}</p>}
        <div class="row">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()} autoFocus>
            Keep it
          </button>
          <button type="button" class="danger" onClick={confirm} disabled={busy}>
            {busy ? "Deleting…" : "Delete for good"}
          </button>
        </div>
      </dialog>
    </div>
  );
}
