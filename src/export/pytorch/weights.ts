// The TensorFlow.js neck's weights as a file the generated PyTorch module loads: a JSON index
// (`pyramid-nas-torch-weights/1`: graph hash, and per tensor its state_dict name, shape and byte offset)
// next to a flat little-endian float32 .bin. Names and layouts are converted here, so the Python side
// only reads: conv kernels go from TensorFlow's [kh, kw, cin, cout] to PyTorch's [cout, cin, kh, kw], and
// ASFF's per-input logit convs become the rows of one grouped conv (runtime.py.ts, Adaptive).
import type { Checkpoint } from '../../detector/checkpoint.js';
import type { ParamStore } from '../../detector/params.js';
import { graphHash } from '../../graph/index.js';
import type { PyramidGraph } from '../../graph/types.js';
import { PyramidNasError } from '../../util/errors.js';

export const WEIGHTS_FORMAT = 'pyramid-nas-torch-weights/1';

/** One tensor of the TensorFlow.js neck: its ParamStore label, shape and values. */
export interface TfEntry {
  label: string;
  shape: number[];
  values: Float32Array;
}

export interface TorchTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TorchWeightsIndex {
  format: typeof WEIGHTS_FORMAT;
  graphHash: string;
  graphName: string;
  /** The .bin file's name, in the index's folder. */
  data: string;
  tensors: Array<{ name: string; shape: number[]; offset: number }>;
}

class WeightsError extends PyramidNasError {
  constructor(message: string) {
    super('TORCH_WEIGHTS', message, { usage: true });
  }
}

/** [kh, kw, cin, cout] → [cout, cin, kh, kw]. */
function convKernel(e: TfEntry): Float32Array {
  const [kh, kw, cin, cout] = e.shape;
  const out = new Float32Array(e.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = e.values[((y * kw + x) * cin + i) * cout + o];
  return out;
}

const BN_NAMES: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

/** The generated module's state_dict name prefix of a ParamStore label's layer, or undefined. */
function convert(e: TfEntry, byNode: Map<string, number>): TorchTensor | { asff: string; i: number; part: 'w' | 'b' } {
  const parts = e.label.split('/');
  const fail = (): never => {
    throw new WeightsError(`weights: no PyTorch tensor for the TensorFlow.js tensor ${e.label} [${e.shape}]`);
  };
  const conv = (name: string): TorchTensor => {
    const [kh, kw, cin, cout] = e.shape;
    return { name, shape: [cout, cin, kh, kw], values: convKernel(e) };
  };
  const plain = (name: string): TorchTensor => ({ name, shape: [...e.shape], values: e.values });
  if (parts[0] === 'proj') {
    // proj/C<l>/w, proj/C<l>/bn/<stat>
    const at = `proj_${parts[1]}`;
    if (parts.length === 3 && parts[2] === 'w') return conv(`${at}.conv.weight`);
    if (parts.length === 4 && parts[2] === 'bn' && BN_NAMES[parts[3]]) return plain(`${at}.bn.${BN_NAMES[parts[3]]}`);
    return fail();
  }
  const copy = /^r([0-9]+)$/.exec(parts[0]);
  if (!copy || parts.length < 3 || !byNode.has(parts[1])) return fail();
  const at = `cells.${copy[1]}.node_${parts[1]}`;
  const [layer, leaf] = [parts[2], parts[3]];
  if (layer === 'fusion_w' && parts.length === 3) return plain(`${at}.fuse.weight`);
  if (layer === 'conv' && leaf === 'w') return conv(`${at}.post.conv.weight`);
  if (layer === 'sepconv' && leaf === 'pw') return conv(`${at}.post.pointwise.weight`);
  if (layer === 'sepconv' && leaf === 'dw') {
    const t = conv(`${at}.post.depthwise.weight`);
    return { ...t, shape: [e.shape[2], 1, e.shape[0], e.shape[1]] };
  }
  if (layer === 'bn' && BN_NAMES[leaf]) return plain(`${at}.post.bn.${BN_NAMES[leaf]}`);
  if (layer === 'concat' && leaf === 'w') return conv(`${at}.fuse.conv.weight`);
  if (layer === 'concat' && leaf === 'b') return plain(`${at}.fuse.conv.bias`);
  if (['query', 'key', 'value'].includes(layer) && leaf === 'w') return conv(`${at}.fuse.${layer}.weight`);
  const asff = /^asff([0-9]+)$/.exec(layer);
  if (asff && (leaf === 'w' || leaf === 'b')) return { asff: at, i: Number(asff[1]), part: leaf };
  return fail();
}

/** Every neck tensor under its PyTorch name and layout. */
export function torchTensors(graph: PyramidGraph, entries: readonly TfEntry[]): TorchTensor[] {
  const byNode = new Map(graph.nodes.map((n) => [n.id, n.inputs.length]));
  const out: TorchTensor[] = [];
  // ASFF: input i's conv C→1 is row i of the grouped conv's [n, C, 1, 1] weight and entry i of its bias.
  const asff = new Map<string, { C: number; w: Float32Array; b: Float32Array }>();
  for (const e of entries) {
    const t = convert(e, byNode);
    if ('name' in t) {
      out.push(t);
      continue;
    }
    const n = byNode.get(t.asff.split('.node_')[1])!;
    let a = asff.get(t.asff);
    if (!a) {
      const C = t.part === 'w' ? e.shape[2] : graph.channels;
      a = { C, w: new Float32Array(n * C), b: new Float32Array(n) };
      asff.set(t.asff, a);
      out.push({ name: `${t.asff}.fuse.logits.weight`, shape: [n, C, 1, 1], values: a.w });
      out.push({ name: `${t.asff}.fuse.logits.bias`, shape: [n], values: a.b });
    }
    if (t.part === 'w') a.w.set(e.values, t.i * a.C);
    else a.b[t.i] = e.values[0];
  }
  return out;
}

/** The index and the .bin contents; `dataName` is the .bin's file name written into the index. */
export function torchWeightsFile(
  graph: PyramidGraph,
  entries: readonly TfEntry[],
  dataName: string,
): { index: TorchWeightsIndex; data: Buffer } {
  const tensors = torchTensors(graph, entries);
  const total = tensors.reduce((n, t) => n + t.values.length, 0);
  const data = Buffer.alloc(total * 4);
  const index: TorchWeightsIndex = {
    format: WEIGHTS_FORMAT,
    graphHash: graphHash(graph),
    graphName: graph.name,
    data: dataName,
    tensors: [],
  };
  let offset = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) data.writeFloatLE(t.values[i], offset + 4 * i);
    index.tensors.push({ name: t.name, shape: t.shape, offset });
    offset += 4 * t.values.length;
  }
  return { index, data };
}

/** The neck tensors (trainable and batch-norm statistics) of a TensorFlow.js ParamStore. */
export function tfEntriesOfStore(store: ParamStore): TfEntry[] {
  return [...store.trainable, ...store.state]
    .filter((e) => e.group === 'neck')
    .map((e) => ({ label: e.label, shape: [...e.variable.shape], values: e.variable.dataSync() as Float32Array }));
}

// The checkpoint format's name, typed against it (a value import would load TensorFlow.js into the CLI).
const CHECKPOINT_FORMAT: Checkpoint['format'] = 'pyramid-nas-weights/1';

/** The tensors of a `pyramid-nas-weights/1` neck checkpoint (src/detector/checkpoint.ts). */
export function tfEntriesOfCheckpoint(ckpt: Checkpoint, where: string): TfEntry[] {
  if (ckpt?.format !== CHECKPOINT_FORMAT)
    throw new WeightsError(`${where}: format is ${String(ckpt?.format)}, expected ${CHECKPOINT_FORMAT}`);
  if (ckpt.group !== 'neck') throw new WeightsError(`${where}: $.group is ${String(ckpt.group)}, expected neck`);
  if (!Array.isArray(ckpt.entries)) throw new WeightsError(`${where}: $.entries must be an array`);
  if (typeof ckpt.data !== 'string') throw new WeightsError(`${where}: $.data must be a base64 string`);
  ckpt.entries.forEach((e, i) => {
    if (typeof e?.label !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new WeightsError(`${where}: $.entries[${i}] needs a label and a shape of non-negative integers`);
  });
  const buf = Buffer.from(ckpt.data, 'base64');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out: TfEntry[] = [];
  let o = 0;
  ckpt.entries.forEach((e, i) => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (o + n > all.length)
      throw new WeightsError(`${where}: $.entries[${i}] (${e.label}) runs past the end of $.data`);
    out.push({ label: e.label, shape: [...e.shape], values: all.subarray(o, o + n) });
    o += n;
  });
  if (o !== all.length) throw new WeightsError(`${where}: $.entries describe ${o} values, $.data holds ${all.length}`);
  return out;
}
