// The RL controller's policy (NAS-FPN style): one LSTM cell unrolled over the decision positions; at
// step t a position-specific softmax head emits the token, and that token's embedding is the input of
// step t+1 (step 0 reads a start token). Trained with PPO (per-token clipped ratios, an entropy bonus)
// and a hand-written Adam, so that the optimizer state is plain data that state() can carry.
//
// tfjs is passed in (the controller factory imports it lazily), and every random number comes from the
// caller's seeded generator: sampling uses the policy's probabilities read back to JS, initialization
// uses uniform weights from the generator, so a run is reproducible across processes.
import type * as TF from '@tensorflow/tfjs';

import type { Rng } from '../search-spaces/space.js';

type Tf = typeof TF;

export interface PolicyConfig {
  hidden: number;
  embedding: number;
  learningRate: number;
  clip: number;
  entropyCoef: number;
  epochs: number;
  initScale: number;
}

/** One told proposal as PPO sees it. */
export interface Episode {
  decisions: number[];
  /** log π_old(token) per position, as sampled. */
  logps: number[];
  /** Normalized advantage (reward − baseline) / scale. */
  advantage: number;
}

/** Plain-number snapshot: weights and the Adam moments, in variable order. */
export interface PolicySnapshot {
  weights: number[][];
  adamM: number[][];
  adamV: number[][];
  adamStep: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export class LstmPolicy {
  private readonly vars: TF.Variable[] = [];
  private readonly m: TF.Variable[] = [];
  private readonly v: TF.Variable[] = [];
  private adamStep = 0;
  /** Global token id of (position t, token k) is 1 + offsets[t] + k; id 0 is the start token. */
  private readonly offsets: number[] = [];
  private readonly totalTokens: number;
  /** The widest position; heads are padded to it and the padding is masked out. */
  private readonly vmax: number;
  private readonly emb: TF.Variable; // [tokens, E]
  private readonly lstmWx: TF.Variable; // [E, 4H]
  private readonly lstmWh: TF.Variable; // [H, 4H]
  private readonly lstmB: TF.Variable; // [4H]
  private readonly headW: TF.Variable; // [T, H, vmax]: all positions' heads, so the loss is one batched matMul
  private readonly headB: TF.Variable; // [T, 1, vmax]
  private readonly mask: TF.Tensor3D; // [T, 1, vmax]: 0 for real tokens, -1e9 for padding
  /** Per-position [H, V_t] / [1, V_t] slices of the heads for sampling; rebuilt after weights change. */
  private sampleHeads: { w: TF.Tensor2D; b: TF.Tensor2D }[] | null = null;

  constructor(
    private readonly tf: Tf,
    private readonly sizes: readonly number[],
    private readonly cfg: PolicyConfig,
    init: Rng,
  ) {
    let total = 1;
    for (const s of sizes) {
      this.offsets.push(total - 1);
      total += s;
    }
    this.totalTokens = total;
    this.vmax = Math.max(...sizes);
    const T = sizes.length;
    const { hidden: H, embedding: E, initScale } = cfg;
    const uniform = (shape: number[], fill?: (k: number) => number): TF.Variable => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let k = 0; k < n; k++) data[k] = fill ? fill(k) : (2 * init() - 1) * initScale;
      const variable = tf.variable(tf.tensor(data, shape), true);
      this.vars.push(variable);
      this.m.push(tf.variable(tf.zeros(shape), false));
      this.v.push(tf.variable(tf.zeros(shape), false));
      return variable;
    };
    this.emb = uniform([total, E]);
    this.lstmWx = uniform([E, 4 * H]);
    this.lstmWh = uniform([H, 4 * H]);
    // Gate order i, f, g, o; a forget-gate bias of 1 is the usual start for LSTMs.
    this.lstmB = uniform([4 * H], (k) => (k >= H && k < 2 * H ? 1 : 0));
    this.headW = uniform([T, H, this.vmax]);
    this.headB = uniform([T, 1, this.vmax], () => 0); // with small weights: a near-uniform policy to start
    const mask = new Float32Array(T * this.vmax);
    sizes.forEach((s, t) => mask.fill(-1e9, t * this.vmax + s, (t + 1) * this.vmax));
    this.mask = tf.keep(tf.tensor3d(mask, [T, 1, this.vmax]));
  }

  /** One LSTM step; `xg` is the input's share of the gates (x·Wx + b), precomputed for all steps. */
  private cell(xg: TF.Tensor2D, h: TF.Tensor2D, c: TF.Tensor2D): [TF.Tensor2D, TF.Tensor2D] {
    const tf = this.tf;
    const z = tf.add(xg, tf.matMul(h, this.lstmWh)) as TF.Tensor2D;
    const [i, f, g, o] = tf.split(z, 4, 1) as TF.Tensor2D[];
    const c2 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as TF.Tensor2D;
    const h2 = tf.mul(tf.sigmoid(o), tf.tanh(c2)) as TF.Tensor2D;
    return [h2, c2];
  }

  /** Samples one decision sequence with `rng`; returns the tokens and their log-probabilities. */
  sample(rng: Rng): { decisions: number[]; logps: number[] } {
    return this.walk((lp) => {
      const u = rng();
      let k = 0;
      let acc = Math.exp(lp[0]);
      while (k < lp.length - 1 && u >= acc) acc += Math.exp(lp[++k]);
      return k;
    });
  }

  /** The policy's log-probability of each token of a given sequence (a warm-start seed), drawing nothing. */
  logProbs(decisions: readonly number[]): number[] {
    return this.walk((_, t) => decisions[t]).logps;
  }

  /** Runs the policy token by token; `choose` picks each token from its log-probabilities. */
  private walk(choose: (lp: number[], t: number) => number): { decisions: number[]; logps: number[] } {
    const tf = this.tf;
    const { hidden: H } = this.cfg;
    const decisions: number[] = [];
    const logps: number[] = [];
    tf.tidy(() => {
      let h = tf.zeros([1, H]) as TF.Tensor2D;
      let c = tf.zeros([1, H]) as TF.Tensor2D;
      let prev = 0;
      for (let t = 0; t < this.sizes.length; t++) {
        const xg = tf.add(tf.matMul(tf.gather(this.emb, [prev]), this.lstmWx), this.lstmB) as TF.Tensor2D;
        [h, c] = this.cell(xg, h, c);
        const { w, b } = this.heads()[t];
        const lp = Array.from(tf.logSoftmax(tf.add(tf.matMul(h, w), b)).dataSync());
        const k = choose(lp, t);
        decisions.push(k);
        logps.push(lp[k]);
        prev = 1 + this.offsets[t] + k;
      }
    });
    return { decisions, logps };
  }

  private heads(): { w: TF.Tensor2D; b: TF.Tensor2D }[] {
    if (this.sampleHeads) return this.sampleHeads;
    const tf = this.tf;
    const H = this.cfg.hidden;
    this.sampleHeads = this.sizes.map((s, t) => ({
      w: tf.keep(tf.reshape(tf.slice(this.headW, [t, 0, 0], [1, H, s]), [H, s])),
      b: tf.keep(tf.reshape(tf.slice(this.headB, [t, 0, 0], [1, 1, s]), [1, s])),
    }));
    return this.sampleHeads;
  }

  private dropHeads(): void {
    for (const x of this.sampleHeads ?? []) {
      x.w.dispose();
      x.b.dispose();
    }
    this.sampleHeads = null;
  }

  /** `epochs` PPO steps on one mini-batch; returns the last loss and the mean per-token entropy. */
  update(batch: readonly Episode[]): { loss: number; entropy: number } {
    const tf = this.tf;
    const B = batch.length;
    const T = this.sizes.length;
    const { hidden: H, clip, entropyCoef } = this.cfg;
    let loss = NaN;
    let entropy = NaN;
    tf.tidy(() => {
      // Constants of the batch, built outside the tape: one-hot inputs and chosen tokens, old log-probs.
      const prevIds: number[] = [];
      const chosenIds: number[] = [];
      for (let t = 0; t < T; t++) {
        for (const e of batch) {
          prevIds.push(t === 0 ? 0 : 1 + this.offsets[t - 1] + e.decisions[t - 1]);
          chosenIds.push(e.decisions[t]);
        }
      }
      const inputs = this.oneHot(prevIds, this.totalTokens); // [T·B, tokens]
      const chosen = tf.reshape(this.oneHot(chosenIds, this.vmax), [T, B, this.vmax]);
      const oldLogp = tf.tensor2d(
        this.sizes.map((_, t) => batch.map((e) => e.logps[t])),
        [T, B],
      );
      const adv = tf.tensor2d([batch.map((e) => e.advantage)], [1, B]);
      for (let epoch = 0; epoch < this.cfg.epochs; epoch++) {
        let ent: TF.Scalar | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const xg = tf.add(tf.matMul(tf.matMul(inputs, this.emb), this.lstmWx), this.lstmB);
          const xs = tf.unstack(tf.reshape(xg, [T, B, 4 * H])) as TF.Tensor2D[];
          let h = tf.zeros([B, H]) as TF.Tensor2D;
          let c = tf.zeros([B, H]) as TF.Tensor2D;
          const hs: TF.Tensor2D[] = [];
          for (let t = 0; t < T; t++) {
            [h, c] = this.cell(xs[t], h, c);
            hs.push(h);
          }
          const logits = tf.add(tf.add(tf.matMul(tf.stack(hs) as TF.Tensor3D, this.headW), this.headB), this.mask);
          const lp = tf.logSoftmax(logits); // [T, B, vmax]
          const ratio = tf.exp(tf.sub(tf.sum(tf.mul(lp, chosen), 2), oldLogp)); // per token, [T, B]
          const surr = tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), adv));
          const e = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), 2))) as TF.Scalar;
          ent = tf.keep(e); // variableGrads disposes everything else it created
          return tf.sub(tf.neg(tf.mean(surr)), tf.mul(entropyCoef, e)) as TF.Scalar;
        }, this.vars);
        this.adam(grads);
        loss = value.dataSync()[0];
        entropy = ent ? ent.dataSync()[0] : NaN;
        ent?.dispose();
      }
    });
    return { loss, entropy };
  }

  /** tf.oneHot refuses depth 1 (a position with a single choice), so build it by hand. */
  private oneHot(ids: readonly number[], depth: number): TF.Tensor2D {
    const data = new Float32Array(ids.length * depth);
    ids.forEach((id, r) => (data[r * depth + id] = 1));
    return this.tf.tensor2d(data, [ids.length, depth]);
  }

  private adam(grads: TF.NamedTensorMap): void {
    const tf = this.tf;
    this.adamStep++;
    this.dropHeads();
    const lr = this.cfg.learningRate;
    const c1 = 1 - Math.pow(BETA1, this.adamStep);
    const c2 = 1 - Math.pow(BETA2, this.adamStep);
    tf.tidy(() => {
      this.vars.forEach((variable, k) => {
        const g = grads[variable.name];
        if (!g) return; // a variable the loss does not reach (cannot happen with this graph, but be safe)
        const m = tf.add(tf.mul(this.m[k], BETA1), tf.mul(g, 1 - BETA1));
        const v = tf.add(tf.mul(this.v[k], BETA2), tf.mul(tf.square(g), 1 - BETA2));
        this.m[k].assign(m);
        this.v[k].assign(v);
        const stepT = tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), EPS));
        variable.assign(tf.sub(variable, stepT));
      });
    });
  }

  snapshot(): PolicySnapshot {
    const read = (vs: TF.Variable[]) => vs.map((x) => Array.from(x.dataSync()));
    return { weights: read(this.vars), adamM: read(this.m), adamV: read(this.v), adamStep: this.adamStep };
  }

  /** Checks every array first, so a bad snapshot leaves the policy as it was. */
  restore(s: PolicySnapshot): void {
    const groups: [TF.Variable[], number[][], string][] = [
      [this.vars, s?.weights, 'weights'],
      [this.m, s?.adamM, 'adamM'],
      [this.v, s?.adamV, 'adamV'],
    ];
    for (const [vs, arrays, what] of groups) {
      if (!Array.isArray(arrays) || arrays.length !== vs.length) {
        throw new TypeError(`rl state: policy.${what} must hold ${vs.length} arrays (another policy shape?)`);
      }
      vs.forEach((x, k) => {
        const a = arrays[k];
        if (!Array.isArray(a) || a.length !== x.size || !a.every(Number.isFinite)) {
          throw new TypeError(`rl state: policy.${what}[${k}] must be ${x.size} finite numbers`);
        }
      });
    }
    if (!Number.isInteger(s.adamStep) || s.adamStep < 0)
      throw new TypeError('rl state: policy.adamStep must be an integer ≥ 0');
    this.dropHeads();
    for (const [vs, arrays] of groups)
      vs.forEach((x, k) => this.tf.tidy(() => x.assign(this.tf.tensor(arrays[k], x.shape))));
    this.adamStep = s.adamStep;
  }

  dispose(): void {
    this.dropHeads();
    for (const x of [...this.vars, ...this.m, ...this.v, this.mask]) x.dispose();
  }
}
