/**
 * Many rows go in as one JSON parameter unpacked by jsonb_to_recordset: one round trip per batch,
 * and values never reach the SQL text. The rows' camelCase fields become the columns' snake_case.
 */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const asJsonRows = (rows: object[]): string =>
  JSON.stringify(rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [snake(key), value]))));
