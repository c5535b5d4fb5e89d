// The search-space registry and public surface: getSpace(name, options) → a SearchSpace whose options
// were validated by zod (unknown keys rejected; errors name each path).
import { BifpnCellsSpace, BIFPN_CELLS_SPACE } from './bifpn-cells.js';
import { NasFpnSpace, NAS_FPN_SPACE } from './nas-fpn.js';
import { OptionsError } from './options.js';
import type { SearchSpace } from './space.js';

export * from './space.js';
export { OptionsError, parseOptions } from './options.js';
export {
  NasFpnSpace,
  nasFpnSpace,
  nasFpnOptionsSchema,
  nasFpnDecisionsFromBlocks,
  NAS_FPN_SPACE,
  PUBLISHED_NAS_FPN_BLOCKS,
  PUBLISHED_NAS_FPN_DECISIONS,
  type NasFpnBlock,
  type NasFpnOptions,
  type NasFpnOptionsInput,
} from './nas-fpn.js';
export {
  BifpnCellsSpace,
  bifpnCellsSpace,
  bifpnCellsOptionsSchema,
  BIFPN_CELLS_SPACE,
  type BifpnCellsOptions,
  type BifpnCellsOptionsInput,
} from './bifpn-cells.js';

const FACTORIES: Record<string, (options: unknown) => SearchSpace> = {
  [NAS_FPN_SPACE]: (o) => new NasFpnSpace(o as never),
  [BIFPN_CELLS_SPACE]: (o) => new BifpnCellsSpace(o as never),
};

export const SPACE_NAMES: readonly string[] = Object.keys(FACTORIES);

/** The space `name` with `options` (undefined: all defaults). Throws OptionsError on bad input. */
export function getSpace(name: string, options?: unknown): SearchSpace {
  const make = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
  if (!make) {
    throw new OptionsError('search space', [{ path: 'space', message: `unknown space "${name}" (known: ${SPACE_NAMES.join(', ')})` }]);
  }
  return make(options);
}
