import type { ChildReady, ChildReply, ChildRequest } from '../child-protocol';

/**
 * The child's side of the IPC channel: answers the harness's requests, and stops cleanly when
 * asked, on SIGTERM, or when the harness goes away (its channel closes), so a child never
 * outlives the benchmark that started it.
 */
export function serve(
  handlers: Record<string, () => Promise<unknown>>,
  stop: () => Promise<void>,
  ready?: unknown,
): void {
  let stopping: Promise<void> | undefined;
  const exit = (code: number) => {
    stopping ??= stop()
      .catch((error: unknown) => console.error('stopping failed:', error instanceof Error ? error.message : error))
      .finally(() => process.exit(code));
  };
  process.on('message', (message: ChildRequest) => {
    const reply = (answer: ChildReply) => process.connected && process.send!(answer);
    if (message.type === 'stop') {
      reply({ id: message.id, ok: true });
      return exit(0);
    }
    const handler = handlers[message.type];
    if (!handler) return reply({ id: message.id, ok: false, error: `unknown request ${message.type}` });
    handler().then(
      (value) => reply({ id: message.id, ok: true, value }),
      (error: unknown) =>
        reply({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => exit(0));
  process.on('SIGTERM', () => exit(0));
  // Ctrl-C reaches the whole process group: the harness decides, and stops its children itself.
  process.on('SIGINT', () => {});
  const announce: ChildReady = { type: 'ready', value: ready };
  process.send!(announce);
}

/** Reports a failure to start on stderr (the harness shows the log's tail) and exits. */
export function failed(error: unknown): never {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}
