// Cost model of the neck (params and MACs). CONTRACT — src/detector/ must build exactly this, and a test
// checks the built model's trainable-parameter count and per-layer MAC count against these numbers:
//
// - Feature map side at level l: s_l = ceil(inputSize / 2^l) (square images; stride-2 'same' convs/pools).
// - Backbone features C<l> have `backboneChannels[l]` channels (PROXY_BACKBONE_CHANNELS by default).
// - Projection, once (not per repeat), for every C<l> that a live node of the first copy reads:
//   1×1 conv cin→C without bias + BN:     params cin·C + 2C        MACs s_l²·cin·C
// - Resampling (max-pool down, nearest up): no params, no MACs.
// - Fusion at a node of level l with n inputs, C = graph.channels:
//   sum, mean, attention: 0 params, 0 MACs
//   weighted: n params (one scalar per input), 0 MACs
//   concat:   1×1 conv n·C→C with bias:   params n·C·C + C         MACs s_l²·n·C·C
//   adaptive: per input a 1×1 conv C→1 with bias (softmax over inputs per pixel):
//             params n·(C+1)             MACs n·s_l²·C
// - Post-op (ReLU first, no params):
//   conv:    3×3 conv C→C without bias + BN:   params 9C² + 2C       MACs s_l²·9C²
//   sepconv: depthwise 3×3 + pointwise 1×1 (no bias) + BN: params 9C + C² + 2C   MACs s_l²·(9C + C²)
//   none:    0
// - Each of the `repeats` copies has its own weights. Dead nodes cost nothing. BN counts gamma and beta
//   only (moving statistics are not trainable parameters). Elementwise ops are not counted as MACs.
//
// The implementation (graphCost) lives below this contract.

/** Channels of the proxy backbone's features C1..C9 (C6+ are max-pools of C5, so they keep C5's width). */
export const PROXY_BACKBONE_CHANNELS: Readonly<Record<number, number>> = {
  1: 16, 2: 16, 3: 32, 4: 64, 5: 128, 6: 128, 7: 128, 8: 128, 9: 128,
};
