import net from 'node:net';

/**
 * A TCP proxy in front of a real server: closing it is the server going away for its clients,
 * opening it again is the server coming back, without restarting the server itself.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  /**
   * `port` 0 (the default): the system picks a free one on the first open, and later opens take
   * the same one, so clients configured with it find the server again. (A port found free and
   * closed before use can be taken by someone else in between.)
   */
  constructor(
    private readonly target: { host: string; port: number },
    private listenPort = 0,
  ) {}

  get port(): number {
    if (!this.listenPort) throw new Error('The proxy has no port until it is first opened');
    return this.listenPort;
  }

  async open(): Promise<void> {
    if (this.server) return;
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.listenPort = (server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
