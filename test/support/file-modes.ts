import fs from 'node:fs';
import path from 'node:path';

/**
 * What under `dir` (itself included) another local user could read or change, with its mode: a
 * file beyond 0600, a directory others may list or write (entering is allowed, see ensureDataDir).
 */
export function exposedToOthers(dir: string): string[] {
  const exposed: string[] = [];
  const visit = (entry: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(entry);
    } catch {
      return; // Gone since its directory was listed (a server's temporary file).
    }
    const mode = stat.mode & 0o777;
    if (stat.isDirectory()) {
      if (mode & 0o066) exposed.push(`${entry} ${mode.toString(8)}`);
      const names = fs.existsSync(entry) ? fs.readdirSync(entry) : [];
      for (const name of names) visit(path.join(entry, name));
    } else if (stat.isFile() && mode & 0o077) {
      exposed.push(`${entry} ${mode.toString(8)}`);
    }
  };
  visit(dir);
  return exposed;
}
