export const scenarios: Record<string, unknown> = { p0: {} };
