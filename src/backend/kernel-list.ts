// The custom wasm kernels, one entry per kernel name.
import type { KernelConfig } from '@tensorflow/tfjs-core';

import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { resizeNearestGradConfig } from './resize-nearest-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export const wasmGradKernelConfigs: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
  resizeNearestGradConfig,
  maxPoolGradConfig,
  identityConfig,
];
