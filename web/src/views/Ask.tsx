import { useEffect, useRef, useState } from "preact/hooks";
import type { AnswerView, CitationView } from "../api/client";
import { TitleOf } from "../components/Moment";
import { Player, type PlayerHandle } from "../components/Player";
import { useApp } from "../context";
import { splitCitations } from "../lib/citations";
import { span } from "../lib/time";

export function Ask() {
  const { api } = useApp();
  const [question, setQuestion] = useState("");
  const [answer, setAnswer] = useState<AnswerView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [playing, setPlaying] = useState<CitationView | null>(null);
  const player = useRef<PlayerHandle | null>(null);

  useEffect(() => {
    if (playing) player.current?.seek(playing.start);
  }, [playing]);

  const ask = async (e: Event) => {
    e.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api.ask(question.trim()));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ask-title">
      <h1 id="ask-title">Ask</h1>
      <form onSubmit={ask} class="ask-form">
        <label class="grow">
          <span>Your question</span>
          <textarea
            rows={2}
            value={question}
            maxLength={2000}
            required
            placeholder="What did we decide about the launch?"
            onInput={(e) => setQuestion((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) ask(e);
            }}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Thinking…" : "Ask"}
        </button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="moments">
        <div class="moment-list" aria-live="polite">
          {answer && (
            <article class="answer">
              <p class="answer-text">
                {splitCitations(answer.text.trim()).map((piece, i) =>
                  "text" in piece ? (
                    piece.text
                  ) : (
                    <button
                      key={i}
                      type="button"
                      class="inline-cite"
                      onClick={() => setPlaying({ video_id: piece.video, start: piece.start, end: piece.end, quote: "", label: piece.label })}
                    >
                      {piece.label}
                    </button>
                  ),
                )}
              </p>
              {!answer.grounded && <p class="muted">Nothing in your videos backs this up.</p>}
              {answer.citations.length > 0 && (
                <>
                  <h2 class="small-heading">Sources</h2>
                  <ul class="chips">
                    {answer.citations.map((c, i) => (
                      <li key={i}>
                        <button type="button" class="chip" onClick={() => setPlaying({ ...c })} title={c.quote}>
                          <TitleOf videoId={c.video_id} /> <time>{span(c.start, c.end)}</time>
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </article>
          )}
        </div>
        <aside class="moment-player" aria-label="Player">
          {playing ? (
            <>
              <Player videoId={playing.video_id} title={playing.label} handle={player} />
              {playing.quote && <blockquote>{playing.quote}</blockquote>}
            </>
          ) : (
            answer?.citations.length ? <p class="muted">Pick a source to play it.</p> : null
          )}
        </aside>
      </div>
    </section>
  );
}
