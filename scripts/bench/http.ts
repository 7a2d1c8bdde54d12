/** The benchmark's HTTP calls to the API, with one discharge-team token; a non-2xx answer throws. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
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
}
