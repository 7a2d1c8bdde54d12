/** The benchmark's HTTP calls to the API, with one token (a discharge team's or a manager's); a non-2xx answer throws. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      // The API's errors name fields and codes, never values; still, keep the line short.
      throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return JSON.parse(text) as T;
  }

  /** The body as text (JSON or CSV), read to its end so the figure is the whole answer's. */
  async get(path: string, accept = 'application/json'): Promise<string> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.token}`, accept },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text;
  }
}
