import fs from 'node:fs';
import path from 'node:path';
import { jsonSchemas } from '../schemas/json-schemas';

/** `npm run schemas`: writes schemas/json from the zod schemas. */
const root = path.join(__dirname, '..', 'schemas', 'json');
fs.rmSync(root, { recursive: true, force: true });
const files = jsonSchemas();
for (const [file, schema] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`Wrote ${Object.keys(files).length} JSON Schemas to ${path.relative(process.cwd(), root)}`);
