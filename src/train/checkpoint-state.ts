// A training run's state at a step, as plain JSON: what a rung of successive halving hands to the next one
// (docs/campaigns.md, "Successive halving"). With a frozen backbone it is the neck and head only: their
// weights, their batch-norm moving statistics, Adam's iteration count and moments, and how far the batch
// stream has been drawn. Restored into a fresh session of the same graph and proxy task, training continues
// exactly as the uninterrupted run would (the learning-rate schedule is the full run's, read from the step).
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import type { ParamEntry } from '../detector/params.js';
import { TrainError } from './errors.js';
import type { TrainSession } from './session.js';

export const TRAIN_STATE_FORMAT = 'pyramid-nas-train-state/1';

export const trainStateSchema = z.strictObject({
  format: z.literal(TRAIN_STATE_FORMAT),
  /** Training steps done. */
  step: z.int().min(0).max(1_000_000),
  /** Train-split indices drawn (steps × batch size). */
  samplesDrawn: z.int().min(0),
  /** Every tensor, in order: the model's (group/label), then the optimizer's (its own names). */
  tensors: z
    .array(
      z.strictObject({
        name: z.string().max(200),
        shape: z
          .array(
            z
              .int()
              .min(0)
              .max(1 << 24),
          )
          .max(8),
      }),
    )
    .max(100_000),
  /** How many of `tensors` are the model's; the rest are the optimizer's. */
  modelTensors: z.int().min(0),
  /** Every tensor's float32 values, little-endian, concatenated, base64. */
  data: z.string(),
});

export type TrainState = z.output<typeof trainStateSchema>;

/** The entries a checkpoint holds: a frozen backbone is left out (every run loads the same one). */
function entries(session: TrainSession): ParamEntry[] {
  const store = session.detector.store;
  const keep = (e: ParamEntry) => !session.frozen || e.group !== 'backbone';
  return [...store.trainable.filter(keep), ...store.state.filter(keep)];
}

function entryName(e: ParamEntry, kind: 'w' | 's'): string {
  return `${kind}:${e.group}/${e.label}`;
}

/** The session's state now (call between steps, before any evaluation touches batch-norm statistics). */
export async function saveTrainState(session: TrainSession): Promise<TrainState> {
  const store = session.detector.store;
  const model = entries(session);
  const optimizer = await session.optimizerWeights();
  const tensors: TrainState['tensors'] = [];
  const chunks: Buffer[] = [];
  const add = (name: string, t: tf.Tensor) => {
    const values = t.dataSync() as Float32Array;
    tensors.push({ name, shape: [...t.shape] });
    chunks.push(Buffer.from(Float32Array.from(values).buffer));
  };
  for (const e of model) add(entryName(e, store.trainable.includes(e) ? 'w' : 's'), e.variable);
  for (const w of optimizer) add(w.name, w.tensor);
  return {
    format: TRAIN_STATE_FORMAT,
    step: session.stepIndex,
    samplesDrawn: session.samplesDrawn,
    tensors,
    modelTensors: model.length,
    data: Buffer.concat(chunks).toString('base64'),
  };
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Loads `state` into a fresh session of the same graph and task; a state of another model is refused by name and shape. */
export async function loadTrainState(session: TrainSession, state: TrainState): Promise<void> {
  const store = session.detector.store;
  const model = entries(session);
  const bad = (why: string) => new TrainError('BAD_CHECKPOINT', `checkpoint does not fit this model: ${why}`);
  if (state.modelTensors !== model.length)
    throw bad(`${state.modelTensors} model tensors, the model has ${model.length}`);
  const bytes = Buffer.from(state.data, 'base64');
  const total = state.tensors.reduce((n, t) => n + sizeOf(t.shape), 0);
  if (bytes.length !== total * 4) throw bad(`${bytes.length} bytes of data for ${total} values`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let offset = 0;
  const take = (shape: number[]) => {
    const n = sizeOf(shape);
    const v = values.subarray(offset, offset + n);
    offset += n;
    return v;
  };
  model.forEach((e, i) => {
    const t = state.tensors[i];
    const name = entryName(e, store.trainable.includes(e) ? 'w' : 's');
    if (t.name !== name || t.shape.join('x') !== e.variable.shape.join('x'))
      throw bad(
        `tensor ${i} is ${t.name} [${t.shape.join('x')}], the model has ${name} [${e.variable.shape.join('x')}]`,
      );
    tf.tidy(() => e.variable.assign(tf.tensor(take(t.shape), t.shape, 'float32')));
  });
  const optimizer = state.tensors
    .slice(model.length)
    .map((t) => ({ name: t.name, tensor: tf.tensor(take(t.shape), t.shape, 'float32') }));
  try {
    if (optimizer.length > 0) await session.setOptimizerWeights(optimizer);
  } finally {
    tf.dispose(optimizer.map((o) => o.tensor));
  }
  session.stepIndex = state.step;
  session.skipSamples(state.samplesDrawn);
}
