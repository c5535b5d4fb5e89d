// Saving and loading one group's weights (trainable + BN state) as a small self-describing file: labels,
// shapes and little-endian float32 data in base64. Loading checks every label and shape, so a checkpoint
// made for another architecture is refused instead of silently mis-assigned.
import * as tf from '@tensorflow/tfjs-core';

import type { ParamGroup, ParamStore } from './params.js';

export const CHECKPOINT_FORMAT = 'pyramid-nas-weights/1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  group: ParamGroup;
  /** Provenance: how it was made. */
  meta: Record<string, unknown>;
  entries: Array<{ label: string; shape: number[]; trainable: boolean }>;
  /** float32 values of every entry, in order, base64. */
  data: string;
}

function entriesOf(store: ParamStore, group: ParamGroup) {
  return [
    ...store.trainable.filter((e) => e.group === group).map((e) => ({ ...e, trainable: true })),
    ...store.state.filter((e) => e.group === group).map((e) => ({ ...e, trainable: false })),
  ];
}

export function exportCheckpoint(store: ParamStore, group: ParamGroup, meta: Record<string, unknown> = {}): Checkpoint {
  const entries = entriesOf(store, group);
  const total = entries.reduce((n, e) => n + e.variable.size, 0);
  const values = new Float32Array(total);
  let o = 0;
  for (const e of entries) {
    values.set(e.variable.dataSync() as Float32Array, o);
    o += e.variable.size;
  }
  return {
    format: CHECKPOINT_FORMAT,
    group,
    meta,
    entries: entries.map((e) => ({ label: e.label, shape: [...e.variable.shape], trainable: e.trainable })),
    data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
  };
}

/**
 * Assign a checkpoint's values to the store's tensors of its group, matched by label and shape. Every tensor
 * of the model must be in the checkpoint; the checkpoint may hold more (a backbone checkpoint with stages up
 * to C5 serves a graph whose top level is C4, which builds fewer stages).
 */
export function importCheckpoint(store: ParamStore, ckpt: Checkpoint, where = 'checkpoint'): void {
  if (ckpt.format !== CHECKPOINT_FORMAT)
    throw new Error(`${where}: format is ${String(ckpt.format)}, expected ${CHECKPOINT_FORMAT}`);
  const buf = Buffer.from(ckpt.data, 'base64');
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const index = new Map<string, { offset: number; shape: number[]; trainable: boolean; i: number }>();
  let o = 0;
  ckpt.entries.forEach((e, i) => {
    index.set(e.label, { offset: o, shape: e.shape, trainable: e.trainable, i });
    o += e.shape.reduce((a, b) => a * b, 1);
  });
  if (o !== values.length) throw new Error(`${where}: entries describe ${o} values, data holds ${values.length}`);
  for (const e of entriesOf(store, ckpt.group)) {
    const c = index.get(e.label);
    if (!c)
      throw new Error(
        `${where}: has no ${e.label} [${e.variable.shape}] (${ckpt.entries.length} ${ckpt.group} tensors in the file)`,
      );
    if (c.shape.join('x') !== e.variable.shape.join('x') || c.trainable !== e.trainable) {
      throw new Error(`${where}: entries[${c.i}] ${e.label} is [${c.shape}], the model has [${e.variable.shape}]`);
    }
    const n = e.variable.size;
    tf.tidy(() => e.variable.assign(tf.tensor(values.subarray(c.offset, c.offset + n), e.variable.shape, 'float32')));
  }
}
