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
    format: CHECKPOINT_FORMAT, group, meta,
    entries: entries.map((e) => ({ label: e.label, shape: [...e.variable.shape], trainable: e.trainable })),
    data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
  };
}

export function importCheckpoint(store: ParamStore, ckpt: Checkpoint, where = 'checkpoint'): void {
  if (ckpt.format !== CHECKPOINT_FORMAT) throw new Error(`${where}: format is ${String(ckpt.format)}, expected ${CHECKPOINT_FORMAT}`);
  const entries = entriesOf(store, ckpt.group);
  if (entries.length !== ckpt.entries.length) {
    throw new Error(`${where}: has ${ckpt.entries.length} ${ckpt.group} tensors, the model has ${entries.length}`);
  }
  const buf = Buffer.from(ckpt.data, 'base64');
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let o = 0;
  entries.forEach((e, i) => {
    const c = ckpt.entries[i];
    if (c.label !== e.label || c.shape.join('x') !== e.variable.shape.join('x') || c.trainable !== e.trainable) {
      throw new Error(`${where}: entries[${i}] is ${c.label} [${c.shape}], the model has ${e.label} [${e.variable.shape}]`);
    }
    const n = e.variable.size;
    if (o + n > values.length) throw new Error(`${where}: data is too short`);
    tf.tidy(() => e.variable.assign(tf.tensor(values.subarray(o, o + n), e.variable.shape, 'float32')));
    o += n;
  });
  if (o !== values.length) throw new Error(`${where}: data has ${values.length - o} extra values`);
}
