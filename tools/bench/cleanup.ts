/**
 * What the benchmark has started, stopped in reverse order at the end, on Ctrl-C and on failure.
 * Whoever stops a thing earlier releases it from the list.
 */
export class Cleanup {
  private items: { name: string; stop: () => Promise<void> }[] = [];
  private running?: Promise<void>;

  /** Registers `stop`; the returned function stops it now and forgets it. */
  push(name: string, stop: () => Promise<void>): () => Promise<void> {
    const item = { name, stop };
    this.items.push(item);
    return async () => {
      this.items = this.items.filter((i) => i !== item);
      await stop();
    };
  }

  /** Stops everything; a second call (Ctrl-C during a failure's cleanup) waits for the same run. */
  run(say: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      while (this.items.length > 0) {
        const item = this.items.pop()!;
        try {
          await item.stop();
        } catch (error) {
          say(`  ${item.name} did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}
