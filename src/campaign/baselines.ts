// Baselines (`baselines`): reference pyramids (zoo names or graph files) trained beside the search with the
// same proxy task, so every campaign says what FPN scores on its task. Each is projected onto the space's
// levels (src/graph/project.ts); the proxy applies its width and repeats cap as for every trial. They
// are journaled as baselines (`baseline-asked`, with the projected graph, and `baseline-told`), never
// told to the controller and never counted against the trial budget. Their jobs go to the queue before
// the first trial, so they run first. A resumed campaign re-runs (embedded) or re-attaches to (BullMQ)
// a baseline asked but not told, and never trains a told one again.
//
// A baseline's job is a trial job with an index from BASELINE_INDEX_BASE up: the job contract, the
// worker's checks and the BullMQ job ids are those of any trial, and the index can never be a trial's
// (budget.trials is at most 1 000 000).
import { basename } from 'node:path';

import type { SearchSpace } from '../../search-spaces/space.js';
import { graphHash } from '../graph/canonical.js';
import { projectGraph } from '../graph/project.js';
import type { PyramidGraph } from '../graph/types.js';
import { isZooSpec, resolveGraphSpec } from '../graph/zoo.js';
import { identityMismatch, proxyHash } from '../trial/identity.js';
import type { TrialJob, TrialMetrics, TrialResult } from '../trial/types.js';
import { CampaignConfigError, type ConfigIssue, type ResolvedCampaign } from './config.js';
import type { BaselineAskedEvent, BaselineEvent, BaselineRecord } from './input-events.js';
import { outcomeOf } from './outcome.js';
import type { TrialQueue } from './queue/types.js';
import { spaceShape } from './seed-graphs.js';
import { campaignTrialJob } from './trial-job.js';

export const BASELINE_INDEX_BASE = 900_000_000;

/** A baseline resolved from the campaign file, not yet asked. */
export interface BaselineGraph {
  name: string;
  spec: string;
  index: number;
  graph: PyramidGraph;
  hash: string;
}

/** The baselines that completed, with their AP and costs, in the campaign file's order. */
export function completedBaselines(
  baselines: Iterable<BaselineRecord>,
): (BaselineRecord & { metrics: TrialMetrics })[] {
  return [...baselines]
    .filter((b): b is BaselineRecord & { metrics: TrialMetrics } => b.status === 'complete' && !!b.metrics)
    .sort((a, b) => a.index - b.index);
}

/**
 * How the best trial compares with the baselines, in AP points (×100): "+1.4 over fpn, −0.3 under
 * pafpn"; empty when there is no best or no completed baseline.
 */
export function overBaselinesText(
  bestAP: number | undefined,
  baselines: readonly { name: string; AP: number }[],
): string {
  if (bestAP === undefined || !Number.isFinite(bestAP)) return '';
  return baselines
    .filter((b) => Number.isFinite(b.AP))
    .map((b) => {
      const d = (bestAP - b.AP) * 100;
      return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} ${d >= 0 ? 'over' : 'under'} ${b.name}`;
    })
    .join(', ');
}

function baselineName(spec: string): string {
  if (isZooSpec(spec)) return spec.startsWith('zoo:') ? spec.slice(4) : spec;
  return basename(spec).replace(/\.graph\.json$|\.json$/, '');
}

/**
 * The campaign's baselines, projected onto the space's levels; every problem is an issue at
 * `$.baselines[i]`, all reported at once (exit 2 before anything is written).
 */
export async function resolveBaselines(
  config: ResolvedCampaign,
  space: SearchSpace,
  file = 'campaign.json',
  /** Specs a resumed journal already asked (their graphs are journaled): not read again. */
  asked: ReadonlySet<string> = new Set(),
): Promise<BaselineGraph[]> {
  const specs = config.baselines ?? [];
  const { levels } = spaceShape(space);
  const issues: ConfigIssue[] = [];
  const out: BaselineGraph[] = [];
  const names = new Set<string>();
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    let name = baselineName(spec);
    for (let k = 2; names.has(name); k++) name = `${baselineName(spec)}-${k}`;
    names.add(name);
    if (asked.has(spec)) continue;
    try {
      const graph = await resolveGraphSpec(spec);
      const same = graph.levels.min === levels.min && graph.levels.max === levels.max;
      const projected = same ? graph : projectGraph(graph, { levels });
      out.push({ name, spec, index: BASELINE_INDEX_BASE + i, graph: projected, hash: graphHash(projected) });
    } catch (err) {
      issues.push({ path: `$.baselines[${i}]`, message: namingSpec(spec, err) });
    }
  }
  if (issues.length) throw new CampaignConfigError(file, issues);
  return out;
}

/** The specs of the baselines a journal has asked. */
export function askedBaselineSpecs(events: readonly { type: string }[]): Set<string> {
  return new Set(events.filter((e): e is BaselineAskedEvent => e.type === 'baseline-asked').map((e) => e.spec));
}

export interface BaselineRunnerParts {
  config: ResolvedCampaign;
  queue: TrialQueue;
  runId: string;
  /** What the journal fold knows of the baselines (resumed ones included). */
  baselines: Map<string, BaselineRecord>;
  /** Journals an event (durably) and folds it. */
  record(ev: BaselineEvent): void;
  /** A baseline was told (for the progress line and logs). */
  onTold?(r: BaselineRecord): void;
}

/** Runs a campaign's baselines through its queue and journals their results. */
export class BaselineRunner {
  private readonly proxyIdentity: string;
  private readonly waiting = new Map<string, BaselineRecord>();
  private settle: (() => void) | undefined;

  constructor(private readonly p: BaselineRunnerParts) {
    this.proxyIdentity = proxyHash(p.config.proxy);
    p.queue.onResult((r) => this.onResult(r));
  }

  jobOf(r: { trialId: string; index: number; graph?: PyramidGraph; hash: string }): TrialJob {
    return campaignTrialJob(this.p.config, { runId: this.p.runId, proxyHash: this.proxyIdentity }, r);
  }

  /**
   * Queues every baseline not told yet: those asked by an earlier run are re-attached, the others (from
   * `resolved`, the campaign file's) are journaled as asked, then submitted.
   */
  async start(resolved: readonly BaselineGraph[]): Promise<void> {
    const { baselines, queue, config } = this.p;
    const reattach: TrialJob[] = [];
    for (const r of baselines.values()) {
      if (r.status !== undefined) queue.forget?.(this.jobOf(r));
      else if (r.graph) {
        this.waiting.set(r.trialId, r);
        reattach.push(this.jobOf(r));
      }
    }
    if (reattach.length) await queue.reattach(reattach);
    for (const b of resolved) {
      if (baselines.has(b.name)) continue;
      const trialId = `${config.name}-${b.index}`;
      this.p.record({
        type: 'baseline-asked',
        name: b.name,
        spec: b.spec,
        index: b.index,
        trialId,
        hash: b.hash,
        graph: b.graph,
      });
      const r = baselines.get(b.name)!;
      this.waiting.set(trialId, r);
      await queue.submit(this.jobOf(r));
    }
  }

  /** Baselines queued and not told yet. */
  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  /** Resolves once every queued baseline is told. */
  done(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.settle = resolve));
  }

  /** Stops waiting: the baselines still queued stay asked but untold (a resumed campaign runs them). */
  async cancel(): Promise<void> {
    const ids = this.pending;
    this.waiting.clear();
    if (ids.length) await this.p.queue.cancel?.(ids);
    this.settle?.();
  }

  private onResult(result: TrialResult): void {
    const { config } = this.p;
    const r = this.waiting.get(result.trialId);
    if (!r) return; // a trial's result, or a late duplicate
    this.waiting.delete(result.trialId);
    const mismatch = identityMismatch(
      { trialId: r.trialId, runId: this.p.runId, graphHash: r.hash, proxyHash: this.proxyIdentity },
      result,
    );
    const outcome = mismatch ? { status: 'failed' as const, error: `RESULT_MISMATCH: ${mismatch}` } : outcomeOf(result);
    this.p.record({
      type: 'baseline-told',
      name: r.name,
      index: r.index,
      trialId: r.trialId,
      status: outcome.status,
      ...(outcome.metrics ? { metrics: outcome.metrics } : { error: outcome.error }),
      ...(result.wallSeconds !== undefined ? { wallSeconds: result.wallSeconds } : {}),
      ...(result.worker ? { worker: result.worker } : {}),
      // A baseline's job has no rung: it trains the whole proxy task (with a scheduler, its top rung).
      steps: config.proxy.steps * config.proxy.runs,
      ...(result.cpuSeconds !== undefined ? { cpuSeconds: result.cpuSeconds } : {}),
    });
    this.p.queue.forget?.(this.jobOf(r));
    this.p.onTold?.(this.p.baselines.get(r.name)!);
    if (this.waiting.size === 0) this.settle?.();
  }
}

/** An error's message, led by the spec unless it already names it (a projection error names the graph). */
function namingSpec(spec: string, err: unknown): string {
  const message = (err as Error).message;
  return message.includes(`"${spec}"`) ? message : `"${spec}": ${message}`;
}
