// Fresh-process half of the resume test: reads cases from the JSON file named by argv[2], rebuilds each
// controller, load()s the saved state, continues the run and prints what it asked as JSON.
import { readFileSync } from 'node:fs';

import { type ControllerState, createController } from '../../controllers/index.js';
import { getSpace } from '../../search-spaces/index.js';
import { type Asked, drive } from './controller-harness.js';

interface Case {
  kind: string;
  space: string;
  spaceOptions: unknown;
  options: unknown;
  seed: string;
  state: ControllerState;
  queue: Asked[];
  steps: number;
}

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Case[];
const out: Asked[][] = [];
for (const k of cases) {
  const c = await createController(k.kind, getSpace(k.space, k.spaceOptions), k.options, k.seed);
  c.load(k.state);
  out.push(await drive(c, k.queue, k.steps));
}
process.stdout.write(JSON.stringify(out));
