// `npm run gen:schema`: writes pyramid-graph-1.schema.json from the zod schema (temp file + rename).
// A unit test checks that the committed file equals this output, so the two never drift.
import { fileURLToPath } from 'node:url';

import { writeFileAtomic } from '../campaign/atomic.js';
import { pyramidGraphJsonSchema } from './schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('./pyramid-graph-1.schema.json', import.meta.url));

export function schemaFileText(): string {
  return `${JSON.stringify(pyramidGraphJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileAtomic(SCHEMA_FILE, schemaFileText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
