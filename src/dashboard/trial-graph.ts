// The pyramid of a trial, for the picture and the download: the campaign's own graphs/<trialId>.graph.json
// when it exists (with provenance in meta), otherwise decoded from the journal's decisions through the
// campaign's search space (a trial still running has no graph file yet). Both paths validate: a graph
// file is untrusted input like any other: read as `validate` reads one (regular files only, at most
// INPUT_LIMITS.graph bytes, a BOM ignored, a "__proto__" key or an overflowing number refused).
import { join } from 'node:path';

import { getSpace } from '../../search-spaces/index.js';
import type { SearchSpace } from '../../search-spaces/space.js';
import type { ResolvedCampaign } from '../campaign/config.js';
import { parseGraphText } from '../graph/index.js';
import type { PyramidGraph } from '../graph/types.js';
import { PyramidNasError } from '../util/errors.js';
import { BoundedReadError, INPUT_LIMITS, readTextBounded } from '../util/read-bounded.js';

/** Trial ids are `<campaign>-<index>` with a campaign name of [A-Za-z0-9_-]: nothing else becomes a path. */
export const SAFE_TRIAL_ID = /^[A-Za-z0-9_-]{1,96}$/;

export type GraphSource = 'file' | 'decoded';

export interface TrialGraph {
  graph: PyramidGraph;
  source: GraphSource;
  /** Why the file was not used, when it exists but is not a valid graph. */
  note?: string;
}

/** No graph to show for a trial (the server answers 404). */
export class TrialGraphError extends PyramidNasError {
  constructor(message: string) {
    super('NO_TRIAL_GRAPH', message);
    this.name = 'TrialGraphError';
  }
}

export class SpaceCache {
  private readonly spaces = new Map<string, SearchSpace | Error>();
  get(config: ResolvedCampaign): SearchSpace {
    const key = JSON.stringify(config.space);
    let s = this.spaces.get(key);
    if (!s) {
      try {
        s = getSpace(config.space.name, config.space.options);
      } catch (err) {
        s = err as Error;
      }
      this.spaces.set(key, s);
    }
    if (s instanceof Error) throw new TrialGraphError(`search space ${config.space.name}: ${s.message}`);
    return s;
  }
}

export function loadTrialGraph(
  dir: string,
  trialId: string,
  decisions: number[],
  config: ResolvedCampaign | undefined,
  spaces: SpaceCache,
): TrialGraph {
  if (!SAFE_TRIAL_ID.test(trialId))
    throw new TrialGraphError(`not a trial id: ${JSON.stringify(trialId.slice(0, 100))}`);
  let note: string | undefined;
  const file = join(dir, 'graphs', `${trialId}.graph.json`);
  let text: string | undefined;
  try {
    text = readTextBounded(file, INPUT_LIMITS.graph, 'graph file');
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    if (err.code !== 'MISSING') note = err.message; // too large, not a regular file, unreadable
    // else: not written yet
  }
  if (text !== undefined) {
    const parsed = parseGraphText(text);
    if (parsed.ok) return { graph: parsed.graph, source: 'file' };
    note = `${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
  }
  if (!config)
    throw new TrialGraphError(
      `no graph file for ${trialId} and no valid campaign config to decode its decisions${note ? ` (${note})` : ''}`,
    );
  try {
    const graph = spaces.get(config).decode(decisions);
    return { graph: { ...graph, name: trialId }, source: 'decoded', ...(note ? { note } : {}) };
  } catch (err) {
    throw new TrialGraphError(
      `${trialId}: cannot decode its decisions (${(err as Error).message})${note ? `; ${note}` : ''}`,
    );
  }
}

/** Each decision with its slot name and label, for people. */
export function labelledDecisions(
  config: ResolvedCampaign | undefined,
  decisions: number[],
  spaces: SpaceCache,
): Array<{ slot: string; token: number; label: string }> {
  let vocab: SearchSpace['vocabulary'] | undefined;
  try {
    vocab = config ? spaces.get(config).vocabulary : undefined;
  } catch {
    vocab = undefined;
  }
  return decisions.map((token, k) => ({
    slot: vocab?.[k]?.name ?? `#${k}`,
    token,
    label: vocab?.[k]?.labels[token] ?? '?',
  }));
}
