// Checks made before anything is sent. The API enforces the same rules (and S3 the signed policy); these
// only spare a person a wasted upload, with the limits read from /config.json so there is one source.

export interface UploadLimits {
  maxVideoBytes: number;
  maxSubtitleBytes: number;
  videoSuffixes: string[];
  subtitleSuffixes: string[];
}

export const DEFAULT_LIMITS: UploadLimits = {
  maxVideoBytes: 2 * 1024 ** 3 - 1,
  maxSubtitleBytes: 16 * 1024 ** 2,
  videoSuffixes: [".mp4", ".mov", ".avi", ".mkv"],
  subtitleSuffixes: [".srt", ".vtt"],
};

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

export interface PlannedUpload<F extends FileLike = FileLike> {
  video: F;
  contentType: string;
  subtitles: F | null;
  subtitleType: string | null;
}

export interface Refusal<F extends FileLike = FileLike> {
  file: F;
  reason: string;
}

export interface Plan<F extends FileLike = FileLike> {
  uploads: PlannedUpload<F>[];
  refused: Refusal<F>[];
}

const VIDEO_TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".mov": "video/quicktime",
  ".avi": "video/x-msvideo",
  ".mkv": "video/x-matroska",
};
const SUBTITLE_TYPES: Record<string, string> = { ".srt": "application/x-subrip", ".vtt": "text/vtt" };

export function suffix(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

function stem(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The browser's type when it names a video, else the one the suffix implies (browsers often leave
 * .mkv/.avi untyped). */
export function videoType(file: FileLike): string {
  return file.type.startsWith("video/") ? file.type : (VIDEO_TYPES[suffix(file.name)] ?? "video/mp4");
}

/** Pairs each video with subtitles of the same name (a.mp4 + a.srt), and refuses what cannot go:
 * an unknown type, an empty or oversize file, subtitles without their video. */
export function planUploads<F extends FileLike>(files: F[], limits: UploadLimits = DEFAULT_LIMITS): Plan<F> {
  const refused: Refusal<F>[] = [];
  const videos: F[] = [];
  const subs: F[] = [];
  const allowed = [...limits.videoSuffixes, ...limits.subtitleSuffixes].join(", ");
  for (const file of files) {
    const ext = suffix(file.name);
    if (limits.videoSuffixes.includes(ext)) {
      if (file.size <= 0) refused.push({ file, reason: `${file.name} is empty` });
      else if (file.size > limits.maxVideoBytes)
        refused.push({
          file,
          reason: `${file.name} is ${bytes(file.size)}, over the limit of ${bytes(limits.maxVideoBytes)}`,
        });
      else videos.push(file);
    } else if (limits.subtitleSuffixes.includes(ext)) {
      if (file.size <= 0) refused.push({ file, reason: `${file.name} is empty` });
      else if (file.size > limits.maxSubtitleBytes)
        refused.push({
          file,
          reason: `${file.name} is ${bytes(file.size)}; subtitles may be at most ${bytes(limits.maxSubtitleBytes)}`,
        });
      else subs.push(file);
    } else {
      refused.push({
        file,
        reason: `${file.name} is not a video or subtitles LifeStream reads (${allowed})`,
      });
    }
  }
  const uploads: PlannedUpload<F>[] = videos.map((video) => ({
    video,
    contentType: videoType(video),
    subtitles: null,
    subtitleType: null,
  }));
  for (const sub of subs) {
    const match = uploads.find((u) => !u.subtitles && stem(u.video.name) === stem(sub.name));
    if (match) {
      match.subtitles = sub;
      match.subtitleType = SUBTITLE_TYPES[suffix(sub.name)] ?? "application/octet-stream";
    } else {
      refused.push({
        file: sub,
        reason: `${sub.name} has no video of the same name (${stem(sub.name)}.mp4…) among these files`,
      });
    }
  }
  return { uploads, refused };
}

/** The file name the API files a key under (the key's last part), to recognise the upload's video. */
export function nameOfKey(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}
