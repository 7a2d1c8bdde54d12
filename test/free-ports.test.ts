import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { onFreePorts } from '../tools/infra/process';

// A port found free is closed before the server binds it: someone else may take it in between.
const servers: net.Server[] = [];
const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
    servers.push(server);
  });
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('onFreePorts', () => {
  it('tries again on new ports when another process took one before the server bound it', async () => {
    const tried: number[] = [];
    const server = await onFreePorts(1, async ([port]) => {
      tried.push(port);
      // The first time, someone else gets there first.
      if (tried.length === 1) await listen(port);
      return listen(port);
    });
    expect(tried).toHaveLength(2);
    expect(tried[1]).not.toBe(tried[0]);
    expect((server.address() as net.AddressInfo).port).toBe(tried[1]);
  });

  it('fails at once when the start failed for any other reason (its ports still free)', async () => {
    let attempts = 0;
    await expect(
      onFreePorts(2, async () => {
        attempts += 1;
        throw new Error('bad configuration');
      }),
    ).rejects.toThrow('bad configuration');
    expect(attempts).toBe(1);
  });
});
