// Builds the search space and the controller a campaign names, turning their option errors into campaign
// file errors with JSON paths (`$.space.options.levels.min: …`), so a bad campaign exits 2 before any
// output is written.
import { createController } from '../../controllers/index.js';
import type { Controller } from '../../controllers/types.js';
import { getSpace, OptionsError } from '../../search-spaces/index.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { CampaignConfigError, type ResolvedCampaign } from './config.js';

function prefixed(base: string, path: string): string {
  if (path === '$' || path === '') return base;
  return path.startsWith('[') ? `${base}${path}` : `${base}.${path}`;
}

function asConfigError(err: unknown, file: string, base: string): never {
  if (err instanceof OptionsError) {
    throw new CampaignConfigError(
      file,
      err.issues.map((i) => ({ path: i.path === 'space' ? '$.space.name' : i.path === 'kind' ? '$.controller.kind' : prefixed(base, i.path), message: i.message })),
    );
  }
  throw err;
}

export function campaignSpace(config: ResolvedCampaign, file = 'campaign.json'): SearchSpace {
  try {
    return getSpace(config.space.name, config.space.options);
  } catch (err) {
    return asConfigError(err, file, '$.space.options');
  }
}

/** The controller with the campaign's objective and rewardForInvalid injected into its options. */
export async function campaignController(config: ResolvedCampaign, space: SearchSpace, file = 'campaign.json'): Promise<Controller> {
  const { rewardForInvalid, ...objective } = config.objective;
  try {
    return await createController(config.controller.kind, space, { ...config.controller.options, objective, rewardForInvalid }, config.seed);
  } catch (err) {
    return asConfigError(err, file, '$.controller.options');
  }
}
