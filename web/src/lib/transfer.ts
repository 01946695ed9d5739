// Sends a file straight to S3 with the ticket the API signed: XHR rather than fetch because only XHR
// reports upload progress; abort() cancels mid-way.
import type { UploadTicket } from "../api/client";

export interface Transfer {
  done: Promise<{ parts: { part_number: number; etag: string }[] }>;
  abort: () => void;
}

export class TransferError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

type XhrFactory = () => XMLHttpRequest;

/** S3's POST error is XML (`<Message>…</Message>`): the words, when there are some. */
export function s3Message(body: string): string | null {
  const m = /<Message>([^<]*)<\/Message>/.exec(body);
  return m ? m[1] : null;
}

function send(
  xhr: XMLHttpRequest,
  method: string,
  url: string,
  body: Blob | FormData,
  onBytes: (loaded: number) => void,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    xhr.open(method, url);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve(xhr)
        : reject(new TransferError(`storage refused the file: ${s3Message(xhr.responseText) ?? `HTTP ${xhr.status}`}`));
    xhr.onerror = () => reject(new TransferError("the upload failed (network error); try again"));
    xhr.onabort = () => reject(new TransferError("cancelled", true));
    xhr.send(body);
  });
}

export function startTransfer(
  ticket: UploadTicket,
  file: Blob,
  onProgress: (fraction: number) => void,
  xhrFactory: XhrFactory = () => new XMLHttpRequest(),
): Transfer {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const total = file.size || 1;
  const run = async () => {
    if (ticket.method === "post") {
      const form = new FormData();
      // The signed fields first: S3 ignores anything after the file part.
      for (const [k, v] of Object.entries(ticket.fields ?? {})) form.append(k, v);
      form.append("file", file);
      current = xhrFactory();
      await send(current, "POST", ticket.url ?? "", form, (n) => onProgress(Math.min(1, n / total)));
      onProgress(1);
      return { parts: [] };
    }
    const size = ticket.part_size ?? total;
    const parts: { part_number: number; etag: string }[] = [];
    const urls = ticket.part_urls ?? [];
    for (let i = 0; i < urls.length; i++) {
      if (aborted) throw new TransferError("cancelled", true);
      const start = i * size;
      current = xhrFactory();
      const xhr = await send(current, "PUT", urls[i], file.slice(start, start + size), (n) =>
        onProgress(Math.min(1, (start + n) / total)),
      );
      const etag = xhr.getResponseHeader("ETag");
      if (!etag) throw new TransferError("storage did not return the part's ETag (is ETag exposed by CORS?)");
      parts.push({ part_number: i + 1, etag });
    }
    onProgress(1);
    return { parts };
  };
  return {
    done: run(),
    abort: () => {
      aborted = true;
      current?.abort();
    },
  };
}
