// The proxy task a trial trains and evaluates on (docs/proxy-task.md). The detector/training module owns the
// defaults and the zod schema; this interface is the contract the campaign and the workers rely on.

export type ProxyDatasetName = 'shapes' | 'fashion-mnist-scenes' | 'coco';

export interface ProxyTaskConfig {
  dataset: ProxyDatasetName;
  /** Folder of the dataset files (fashion-mnist IDX files, or a COCO folder). Unused by `shapes`. */
  dataDir?: string;
  /** Square input side in pixels. */
  imageSize: number;
  steps: number;
  batchSize: number;
  /** Overrides graph.channels / caps graph.repeats for the proxy (full-size graphs are too big for a proxy). */
  channels?: number;
  maxRepeats?: number;
  trainImages: number;
  heldoutImages: number;
  seed: number;
  /** Backend name ('tensorflow' | 'wasm' | 'cpu'); undefined = pick the best available. */
  backend?: string;
}
