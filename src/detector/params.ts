// Trainable weights of the proxy detector as plain tf.variables, initialised from a seeded JS RNG so the
// same seed gives bit-identical weights on every backend (tf.randomNormal's seeding differs by backend).
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';

/** Which part of the detector a weight belongs to; the neck's count is checked against the cost model. */
export type ParamGroup = 'backbone' | 'neck' | 'head';

export interface ParamEntry {
  group: ParamGroup;
  label: string;
  variable: tf.Variable;
}

export class ParamStore {
  readonly trainable: ParamEntry[] = [];
  /** Non-trainable state (batch-norm moving statistics). */
  readonly state: ParamEntry[] = [];
  private readonly rng: seedrandom.PRNG;

  constructor(seed: number) {
    this.rng = seedrandom(`pyramid-nas/params/${seed}`);
  }

  /** Gaussian N(0, std²) weights (Box–Muller over the seeded RNG). */
  normal(group: ParamGroup, label: string, shape: number[], std: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i += 2) {
      const u = Math.max(this.rng(), 1e-12);
      const v = this.rng();
      const r = Math.sqrt(-2 * Math.log(u)) * std;
      values[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < size) values[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return this.add(group, label, tf.tensor(values, shape, 'float32'));
  }

  /** He-normal for a layer with `fanIn` inputs per output (followed by BN or ReLU). */
  he(group: ParamGroup, label: string, shape: number[], fanIn: number): tf.Variable {
    return this.normal(group, label, shape, Math.sqrt(2 / fanIn));
  }

  constant(group: ParamGroup, label: string, shape: number[], value: number): tf.Variable {
    return this.add(group, label, tf.fill(shape, value, 'float32'));
  }

  stateConstant(group: ParamGroup, label: string, shape: number[], value: number): tf.Variable {
    const init = tf.fill(shape, value, 'float32');
    const variable = tf.variable(init, false);
    init.dispose();
    this.state.push({ group, label, variable });
    return variable;
  }

  /** Number of trainable scalars, optionally of one group. */
  count(group?: ParamGroup): number {
    let n = 0;
    for (const e of this.trainable) if (group === undefined || e.group === group) n += e.variable.size;
    return n;
  }

  /** Trainable variables, optionally only those of some groups (a frozen backbone is left out). */
  variables(groups?: ReadonlyArray<ParamGroup>): tf.Variable[] {
    return this.trainable.filter((e) => !groups || groups.includes(e.group)).map((e) => e.variable);
  }

  dispose(): void {
    for (const e of this.trainable) e.variable.dispose();
    for (const e of this.state) e.variable.dispose();
    this.trainable.length = 0;
    this.state.length = 0;
  }

  private add(group: ParamGroup, label: string, init: tf.Tensor): tf.Variable {
    const variable = tf.variable(init, true);
    init.dispose();
    this.trainable.push({ group, label, variable });
    return variable;
  }
}
