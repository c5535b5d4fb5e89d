// RL search (NAS-FPN style): an LSTM policy (rl-policy.ts) samples the decision tokens; rewards come back
// asynchronously in any order, each becomes an advantage against a moving-average baseline (scaled by a
// moving RMS so the entropy bonus keeps its meaning whatever the reward scale), and every `batchSize`
// told results the policy takes `epochs` PPO steps (clip 0.2) on that mini-batch. Proposals keep the
// log-probabilities they were sampled with, so results of proposals asked under an older policy are
// still weighted correctly. tfjs is imported lazily by create(); the `cpu` backend is chosen unless the
// process already selected one.
import { z } from 'zod';

import type { SearchSpace } from '../search-spaces/space.js';
import type { TrialOutcome } from '../src/trial/types.js';
import { parseOptions } from '../src/util/options.js';
import { BookedController } from './base.js';
import { ControllerError } from './book.js';
import { commonOptionFields } from './common.js';
import type { Reward } from './reward.js';
import { type Episode, LstmPolicy, type PolicySnapshot } from './rl-policy.js';
import { createRng } from './rng.js';
import type { ControllerState, Proposal } from './types.js';

export const rlOptionsSchema = z.strictObject({
  ...commonOptionFields,
  hidden: z.int().min(1).max(1024).default(32),
  embedding: z.int().min(1).max(1024).default(16),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Told results per PPO update. */
  batchSize: z.int().min(1).max(4096).default(8),
  /** PPO passes over each mini-batch. */
  epochs: z.int().min(1).max(100).default(4),
  clip: z.number().positive().max(1).default(0.2),
  entropyCoef: z.number().min(0).max(10).default(0.01),
  /** Decay of the moving-average baseline and of the advantage RMS. */
  baselineDecay: z.number().min(0).max(0.9999).default(0.9),
  initScale: z.number().positive().max(10).default(0.1),
  /** Re-draws per ask when the sample's graph was already asked; after that a duplicate is proposed. */
  dedupeRetries: z.int().min(0).max(10_000).default(10),
  /** Re-draws per ask while the sample is over the campaign's constraints, before CONSTRAINTS_UNSATISFIABLE. */
  constraintRetries: z.int().min(1).max(1_000_000).default(1000),
});
export type RlOptions = z.output<typeof rlOptionsSchema>;

const VERSION = 1;

interface Stats {
  baseline: number | null;
  meanSquare: number;
  told: number;
  updates: number;
  lastLoss: number | null;
  lastEntropy: number | null;
}

export class RlController extends BookedController<RlOptions, number[]> {
  readonly kind = 'rl';
  private buffer: Episode[] = [];
  private stats: Stats = { baseline: null, meanSquare: 0, told: 0, updates: 0, lastLoss: null, lastEntropy: null };

  private constructor(
    space: SearchSpace,
    options: RlOptions,
    seed: string | number,
    private readonly policy: LstmPolicy,
  ) {
    super(space, options, seed, VERSION);
  }

  static async create(space: SearchSpace, options: unknown, seed: string | number): Promise<RlController> {
    const opts = parseOptions(rlOptionsSchema, options, 'rl controller');
    const tf = await import('@tensorflow/tfjs');
    if (!tf.engine().backendName) {
      await tf.setBackend('cpu');
      // The cpu backend prints a "install tfjs-node" banner on first use; for a policy this size cpu is right.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    }
    const sizes = space.vocabulary.map((v) => v.size);
    const policy = new LstmPolicy(tf, sizes, opts, createRng(`${seed}:policy-init`));
    return new RlController(space, opts, seed, policy);
  }

  async ask(): Promise<Proposal> {
    const seeded = this.nextSeed();
    if (seeded) return seeded;
    let draw = this.policy.sample(this.rng);
    let c = this.book.candidate(draw.decisions);
    for (let k = 0; k < this.options.dedupeRetries && this.book.seen.has(c.hash); k++) {
      draw = this.policy.sample(this.rng);
      c = this.book.candidate(draw.decisions);
    }
    // The constraints are hard, unlike deduplication: re-draw until within them, up to constraintRetries.
    for (let k = 0; this.book.overLimit(c) !== undefined; k++) {
      if (k >= this.options.constraintRetries)
        throw new ControllerError(
          'CONSTRAINTS_UNSATISFIABLE',
          `constraints: ${k} policy samples in a row were over the limit (the last: ${this.book.overLimit(c)}); loosen "constraints"`,
        );
      draw = this.policy.sample(this.rng);
      c = this.book.candidate(draw.decisions);
    }
    return this.book.issue(c, draw.logps);
  }

  /**
   * A seed is kept with the policy's own log-probabilities of its tokens at ask time, so its result
   * enters the next PPO mini-batch like a sample of the policy: a good seed's tokens become more likely,
   * clipped by PPO as any step is (docs/controllers.md, "Warm start").
   */
  protected override seedExtra(decisions: readonly number[]): number[] {
    return this.policy.logProbs(decisions);
  }

  async tell(index: number, outcome: TrialOutcome, given?: Reward): Promise<void> {
    const entry = this.book.take(index);
    const { reward } = this.rewardOf(outcome, given);
    const s = this.stats;
    const decay = this.options.baselineDecay;
    if (s.baseline === null) s.baseline = reward;
    const adv = reward - s.baseline;
    s.meanSquare = decay * s.meanSquare + (1 - decay) * adv * adv;
    s.baseline = decay * s.baseline + (1 - decay) * reward;
    s.told++;
    this.buffer.push({
      decisions: entry.decisions,
      logps: entry.extra,
      advantage: adv / (Math.sqrt(s.meanSquare) + 1e-8),
    });
    if (this.buffer.length >= this.options.batchSize) {
      const r = this.policy.update(this.buffer);
      this.buffer = [];
      s.updates++;
      s.lastLoss = r.loss;
      s.lastEntropy = r.entropy;
    }
  }

  /** Training statistics (for logs). */
  get info(): Readonly<Stats> {
    return { ...this.stats };
  }

  protected strategyState(): Record<string, unknown> {
    return {
      buffer: this.buffer.map((e) => ({ ...e, decisions: [...e.decisions], logps: [...e.logps] })),
      stats: { ...this.stats },
      policy: this.policy.snapshot(),
    };
  }

  protected prepareLoad(state: ControllerState): () => void {
    // Check what can be checked before changing anything, so a bad state leaves the controller intact.
    const buffer = state.buffer as Episode[];
    if (!Array.isArray(buffer)) throw new TypeError('rl state: buffer must be an array');
    for (const e of buffer) this.space.validate(e.decisions);
    this.policy.restore(state.policy as PolicySnapshot);
    return () => {
      this.buffer = buffer.map((e) => ({ decisions: [...e.decisions], logps: [...e.logps], advantage: e.advantage }));
      this.stats = { ...(state.stats as Stats) };
    };
  }

  /** Frees the policy's tensors. */
  dispose(): void {
    this.policy.dispose();
  }
}
