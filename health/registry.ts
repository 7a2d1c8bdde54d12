/**
 * What the long-running parts of this process say about themselves, for `/health`: a consumer
 * that crashed and is restarting shows here instead of failing silently.
 */
export interface ComponentHealth {
  status: 'running' | 'restarting' | 'stopped';
  detail?: string;
  since: string;
  restarts?: number;
}

const components = new Map<string, ComponentHealth>();

export function reportHealth(name: string, health: Omit<ComponentHealth, 'since'>): void {
  const previous = components.get(name);
  components.set(name, {
    ...health,
    since: previous?.status === health.status ? previous.since : new Date().toISOString(),
  });
}

export function forgetHealth(name: string): void {
  components.delete(name);
}

export function healthReport(): { status: 'ok' | 'degraded'; components: Record<string, ComponentHealth> } {
  const all = Object.fromEntries(components);
  return { status: Object.values(all).every((c) => c.status === 'running') ? 'ok' : 'degraded', components: all };
}
