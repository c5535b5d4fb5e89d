// The search-space registry and public surface: `spaces` maps a name to its options schema and
// constructor, and getSpace(name, options) → a SearchSpace whose options were validated by zod (unknown
// keys rejected; errors name each path). A third-party space plugs in with spaces.register(name, entry).
import { Registry } from '../src/util/registry.js';
import { BIFPN_CELLS_SPACE, bifpnCellsOptionsSchema, BifpnCellsSpace } from './bifpn-cells.js';
import { NAS_FPN_SPACE, nasFpnOptionsSchema, NasFpnSpace } from './nas-fpn.js';
import type { SearchSpace } from './space.js';

export * from './space.js';
export { OptionsError, parseOptions } from '../src/util/options.js';
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

/** Every search space by name; register yours here to use it in campaign files. */
export const spaces = new Registry<SearchSpace>({
  what: 'search space',
  noun: 'space',
  nameKey: 'space',
  optionsWhere: (name) => name,
})
  .register(NAS_FPN_SPACE, {
    description: 'NAS-FPN cells: each merges two earlier features with sum or global attention at a chosen level',
    optionsSchema: nasFpnOptionsSchema,
    create: (o) => new NasFpnSpace(o),
  })
  .register(BIFPN_CELLS_SPACE, {
    description: 'BiFPN-style cells: weighted fusion of two or three earlier features at a chosen level',
    optionsSchema: bifpnCellsOptionsSchema,
    create: (o) => new BifpnCellsSpace(o),
  });

/** The built-in spaces (spaces.names() also lists those registered since). */
export const SPACE_NAMES: readonly string[] = spaces.names();

/** The space `name` with `options` (undefined: all defaults). Throws OptionsError on bad input. */
export function getSpace(name: string, options?: unknown): SearchSpace {
  return spaces.create(name, options);
}
