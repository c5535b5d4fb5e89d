// Which formulation the convolution-gradient kernels use. 'auto' is the measured-best choice
// (bench/kernels.bench.ts); the others stay selectable so the benchmark can keep comparing them.
export type FilterRoute = 'auto' | 'dilated-conv' | 'im2col' | 'patches-conv';
export type InputRoute = 'auto' | 'zero-insert' | 'phase';

export type DepthwiseFilterRoute = 'auto' | 'depthwise-conv' | 'taps';

export const kernelRoutes: {
  backpropFilter: FilterRoute;
  backpropInput: InputRoute;
  depthwiseFilter: DepthwiseFilterRoute;
} = {
  backpropFilter: 'auto',
  backpropInput: 'auto',
  depthwiseFilter: 'auto',
};
