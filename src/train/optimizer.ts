// Adam in one JavaScript pass per variable. tf.train.adam runs about a dozen kernels per variable and step
// (each with its own output tensor and, on wasm, its own call overhead); on a proxy detector's ~50 small
// variables that overhead is most of the update. Here the moments live in Float32Arrays and each variable is
// read once, updated in one loop and written back once. The arithmetic is tf.train.adam's (bias-corrected
// moments, ε added to √v̂) with its float32 constants (β, 1 − β and the running βᵗ are float32 tensors there),
// in double precision between them, rounded to float32 when stored.
import * as tf from '@tensorflow/tfjs-core';

import { TrainError } from './errors.js';

/** A named tensor as tf.Optimizer's getWeights()/setWeights() carry them. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

interface Slot {
  /** The variable's name when the slot was made (tf.train.adam's `${name}/m`, `${name}/v` come from it). */
  name: string;
  m: Float32Array;
  v: Float32Array;
  shape: number[];
}

export class FusedAdam extends tf.Optimizer {
  static readonly className = 'FusedAdam';
  /** Read on every update: a schedule may change it between steps. */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Slot i belongs to the i-th gradient of every update, as in tf.train.adam. */
  private slots: Slot[] = [];
  /** The tensors the last getWeights() returned; the optimizer owns them, as tf.Optimizer owns its variables. */
  private exported: tf.Tensor[] = [];

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    this.iterations_ = 0;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const f = Math.fround;
    const b1 = f(this.beta1);
    const b2 = f(this.beta2);
    const oneMinusB1 = f(1 - this.beta1);
    const oneMinusB2 = f(1 - this.beta2);
    const c1 = f(1 - this.accBeta(b1));
    const c2 = f(1 - this.accBeta(b2));
    const lr = f(this.learningRate);
    const eps = f(this.epsilon);
    named.forEach(({ name, tensor: gradient }, i) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`FusedAdam: no variable named ${name}`);
      const slot = (this.slots[i] ??= {
        name,
        m: new Float32Array(variable.size),
        v: new Float32Array(variable.size),
        shape: [...variable.shape],
      });
      if (slot.m.length !== variable.size)
        throw new TrainError(
          'BAD_CHECKPOINT',
          `optimizer slot ${i} (${slot.name}) has ${slot.m.length} values, variable ${name} has ${variable.size}`,
        );
      if (gradient == null) return;
      const g = gradient.dataSync() as Float32Array;
      const w = variable.dataSync() as Float32Array;
      const { m, v } = slot;
      const out = new Float32Array(w.length);
      for (let k = 0; k < w.length; k++) {
        const gk = g[k];
        const mk = b1 * m[k] + oneMinusB1 * gk;
        const vk = b2 * v[k] + oneMinusB2 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        out[k] = w[k] - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + eps);
      }
      const next = tf.tensor(out, variable.shape, 'float32');
      variable.assign(next);
      next.dispose();
    });
    this.incrementIterations();
  }

  /** βᵗ for this update (t = iterations + 1) as tf.train.adam has it: a float32 product, one factor per step. */
  private accBeta(beta: number): number {
    let acc = beta;
    for (let i = 0; i < this.iterations_; i++) acc = Math.fround(acc * beta);
    return acc;
  }

  /**
   * tf.train.adam's layout: `iter`, then every slot's first moment (`<variable>/m`), then every second moment
   * (`<variable>/v`). The tensors stay the optimizer's: valid until the next getWeights() or dispose().
   */
  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const iter = { name: 'iter', tensor: tf.scalar(this.iterations_, 'int32') };
    const m = this.slots.map((s) => ({ name: `${s.name}/m`, tensor: tf.tensor(s.m, s.shape, 'float32') }));
    const v = this.slots.map((s) => ({ name: `${s.name}/v`, tensor: tf.tensor(s.v, s.shape, 'float32') }));
    const weights = [iter, ...m, ...v];
    this.exported = weights.map((w) => w.tensor);
    return Promise.resolve(weights);
  }

  /** Restores getWeights()'s layout (or tf.train.adam's); the values are copied, the caller keeps its tensors. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (weightValues.length === 0 || weightValues[0].name !== 'iter' || weightValues.length % 2 !== 1)
      throw new TrainError(
        'BAD_CHECKPOINT',
        `Adam state must be 'iter' then first and second moments in equal numbers, got ${weightValues.length} tensors` +
          (weightValues.length ? ` starting with '${weightValues[0].name}'` : ''),
      );
    const moments = await this.extractIterations(weightValues);
    const n = moments.length / 2;
    const slots: Slot[] = [];
    for (let i = 0; i < n; i++) {
      const first = moments[i];
      const second = moments[n + i];
      const base = first.name.replace(/\/m$/, '');
      if (second.name.replace(/\/v$/, '') !== base || first.tensor.size !== second.tensor.size)
        throw new TrainError(
          'BAD_CHECKPOINT',
          `Adam moments ${i} do not pair up: ${first.name} [${first.tensor.shape.join('x')}] and ${second.name} [${second.tensor.shape.join('x')}]`,
        );
      slots.push({
        name: base,
        m: Float32Array.from(first.tensor.dataSync()),
        v: Float32Array.from(second.tensor.dataSync()),
        shape: [...first.tensor.shape],
      });
    }
    this.slots = slots;
  }

  override dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    this.slots = [];
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
