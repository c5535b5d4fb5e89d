// Convolutions on caller-owned NHWC float32 buffers through oneDNN. The buffers are the wasm backend's
// heap areas, so results land where TensorFlow.js expects them, with no copy in or out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pyramid_nas {

enum class ConvOp : int { forward = 0, backward_data = 1, backward_weights = 2 };

// One 2-D convolution as TensorFlow.js describes it: NHWC activations; weights [kh, kw, ic, oc] when
// groups == 1, [kh, kw, groups, oc / groups] for a depthwise convolution (groups == ic).
struct ConvShape {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, pad_top, pad_left, pad_bottom, pad_right, groups;
};
constexpr int kConvShapeFields = 16;

// Element counts of the three operands: activations in, activations out, weights.
int64_t input_elements(const ConvShape &s);
int64_t output_elements(const ConvShape &s);
int64_t weight_elements(const ConvShape &s);

// Checks that every field is in range; returns an empty string or what is wrong.
std::string validate(const ConvShape &s);

// forward:          a = x,  b = w,  out = y
// backward_data:    a = dy, b = w,  out = dx
// backward_weights: a = x,  b = dy, out = dw
// Every output element is written (nothing is accumulated). Primitives are cached per op and shape.
void run_conv(ConvOp op, const ConvShape &s, const float *a, const float *b, float *out);

// The oneDNN implementation chosen for this op and shape, e.g. "brg:avx512_core".
std::string implementation(ConvOp op, const ConvShape &s);

}  // namespace pyramid_nas
