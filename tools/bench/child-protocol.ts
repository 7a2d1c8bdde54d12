/** Messages between the harness and a benchmark child process (API or worker), over Node's IPC channel. */
export type ChildRequest = { id: number; type: string };
export type ChildReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };
/** Sent once, unasked, when the child is serving. */
export type ChildReady = { type: 'ready'; value?: unknown };

/** What a worker child answers to `memory`: its own figures, after a full GC when it can run one. */
export interface ChildMemory {
  rss: number;
  heapUsed: number;
  external: number;
  /** V8's heap limit: the Temporal SDK sizes its default workflow cache from it. */
  heapLimit: number;
}
