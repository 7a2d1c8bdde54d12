/**
 * What the benchmark has started, stopped in reverse order at the end, on Ctrl-C and on failure.
 * Whoever stops a thing earlier releases it from the list.
 */
export class Cleanup {
  private items: { name: string; stop: () => Promise<void> }[] = [];

  /** Registers `stop`; the returned function stops it now and forgets it. */
  push(name: string, stop: () => Promise<void>): () => Promise<void> {
    const item = { name, stop };
    this.items.push(item);
    return async () => {
      this.items = this.items.filter((i) => i !== item);
      await stop();
    };
  }

  async run(say: (line: string) => void): Promise<void> {
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        await item.stop();
      } catch (error) {
        say(`  ${item.name} did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
