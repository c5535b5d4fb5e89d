// Builds the search space and the controller a campaign names, through their registries, turning their
// option errors into campaign file errors with JSON paths (`$.space.options.levels.min: …`), so a bad
// campaign exits 2 before any output is written.
import { controllers } from '../../controllers/index.js';
import type { Controller } from '../../controllers/types.js';
import { spaces } from '../../search-spaces/index.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import { OptionsError } from '../util/options.js';
import { UnknownNameError } from '../util/registry.js';
import { joinPath } from '../util/zod-issues.js';
import { CampaignConfigError, type ResolvedCampaign } from './config.js';

/** An unknown name is reported at `namePath` ($.space.name); option errors under `base` ($.space.options). */
function asConfigError(err: unknown, file: string, namePath: string, base: string): never {
  if (err instanceof UnknownNameError)
    throw new CampaignConfigError(
      file,
      err.issues.map((i) => ({ path: namePath, message: i.message })),
    );
  if (err instanceof OptionsError)
    throw new CampaignConfigError(
      file,
      err.issues.map((i) => ({ path: joinPath(base, i.path), message: i.message })),
    );
  throw err;
}

export function campaignSpace(config: ResolvedCampaign, file = 'campaign.json'): SearchSpace {
  try {
    return spaces.create(config.space.name, config.space.options);
  } catch (err) {
    return asConfigError(err, file, '$.space.name', '$.space.options');
  }
}

/** The controller with the campaign's objective and rewardForInvalid injected into its options. */
export async function campaignController(
  config: ResolvedCampaign,
  space: SearchSpace,
  file = 'campaign.json',
): Promise<Controller> {
  const { rewardForInvalid, ...objective } = config.objective;
  try {
    const options = { ...config.controller.options, objective, rewardForInvalid };
    return await controllers.create(config.controller.kind, options, { space, seed: config.seed });
  } catch (err) {
    return asConfigError(err, file, '$.controller.kind', '$.controller.options');
  }
}
