// oneDNN convolution primitives over caller-owned NHWC buffers. Activations are bound as `nhwc` memory
// directly on the caller's pointers. Weights are left to oneDNN's preferred (blocked) layout: the weight
// tensor is small, and a reorder into a cached scratch buffer costs far less than the plain-layout
// kernels would lose.
#include "conv.h"

#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

extern "C" int omp_get_max_threads(void);

namespace pyramid_nas {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

int64_t per_group(int64_t channels, int64_t groups) { return channels / groups; }

memory::desc activation_desc(int64_t n, int64_t c, int64_t h, int64_t w) {
  return memory::desc({n, c, h, w}, dt::f32, tag::nhwc);
}

// The caller's weight layout: [kh][kw][ic][oc] (groups == 1) or [kh][kw][g][ic/g][oc/g] (grouped).
memory::desc user_weight_desc(const ConvShape &s) {
  const int64_t o = per_group(s.oc, s.groups), i = per_group(s.ic, s.groups), g = s.groups;
  if (g == 1) return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, memory::dims{1, s.oc, s.kw * s.ic * s.oc, s.ic * s.oc});
  return memory::desc({g, o, i, s.kh, s.kw}, dt::f32, memory::dims{i * o, 1, o, s.kw * g * i * o, g * i * o});
}

memory::desc any_weight_desc(const ConvShape &s) {
  const int64_t o = per_group(s.oc, s.groups), i = per_group(s.ic, s.groups);
  if (s.groups == 1) return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, tag::any);
  return memory::desc({s.groups, o, i, s.kh, s.kw}, dt::f32, tag::any);
}

struct State {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

State &state() {
  // One per thread: a worker thread that loads the addon gets its own engine, stream and cache.
  thread_local State s;
  return s;
}

// A ready-to-run primitive for one op and shape, with the weight reorder it needs (if any).
struct Plan {
  dnnl::primitive prim;
  std::string impl;
  memory a, b, out;          // bound to the caller's pointers at each run
  memory weights_user;       // the caller's weights (plain layout)
  memory weights_prim;       // the primitive's weights when its layout differs
  bool reorder = false;
  dnnl::reorder weights_reorder;  // user → prim (forward, backward_data) or prim → user (backward_weights)
};

using Key = std::vector<int64_t>;

// The thread count is part of the key: oneDNN splits the work among the threads when it creates a primitive.
Key key_of(ConvOp op, const ConvShape &s) {
  return {static_cast<int64_t>(op), s.n,  s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw,
          s.sh, s.sw, s.pad_top, s.pad_left, s.pad_bottom, s.pad_right, s.groups, omp_get_max_threads()};
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvShape &s, const dnnl::engine &e) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                    activation_desc(s.n, s.ic, s.ih, s.iw), any_weight_desc(s),
                                    activation_desc(s.n, s.oc, s.oh, s.ow), {s.sh, s.sw}, {s.pad_top, s.pad_left},
                                    {s.pad_bottom, s.pad_right});
  return {d, e};
}

std::unique_ptr<Plan> make_plan(ConvOp op, const ConvShape &s) {
  State &st = state();
  auto plan = std::make_unique<Plan>();
  const memory::desc x = activation_desc(s.n, s.ic, s.ih, s.iw), y = activation_desc(s.n, s.oc, s.oh, s.ow);
  const memory::desc user_w = user_weight_desc(s);
  memory::desc prim_w;
  auto fwd = forward_pd(s, st.engine);
  if (op == ConvOp::forward) {
    prim_w = fwd.weights_desc();
    plan->prim = dnnl::convolution_forward(fwd);
    plan->impl = fwd.impl_info_str();
    plan->a = memory(x, st.engine, nullptr);
    plan->out = memory(y, st.engine, nullptr);
  } else if (op == ConvOp::backward_data) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, x, any_weight_desc(s), y,
                                            {s.sh, s.sw}, {s.pad_top, s.pad_left}, {s.pad_bottom, s.pad_right});
    dnnl::convolution_backward_data::primitive_desc pd(d, st.engine, fwd);
    prim_w = pd.weights_desc();
    plan->prim = dnnl::convolution_backward_data(pd);
    plan->impl = pd.impl_info_str();
    plan->a = memory(y, st.engine, nullptr);
    plan->out = memory(x, st.engine, nullptr);
  } else {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, x, any_weight_desc(s), y,
                                               {s.sh, s.sw}, {s.pad_top, s.pad_left}, {s.pad_bottom, s.pad_right});
    dnnl::convolution_backward_weights::primitive_desc pd(d, st.engine, fwd);
    prim_w = pd.diff_weights_desc();
    plan->prim = dnnl::convolution_backward_weights(pd);
    plan->impl = pd.impl_info_str();
    plan->a = memory(x, st.engine, nullptr);
    plan->b = memory(y, st.engine, nullptr);
  }
  plan->weights_user = memory(user_w, st.engine, nullptr);
  plan->reorder = prim_w != user_w;
  if (plan->reorder) {
    plan->weights_prim = memory(prim_w, st.engine);  // owned scratch
    plan->weights_reorder = op == ConvOp::backward_weights
                                ? dnnl::reorder(plan->weights_prim, plan->weights_user)
                                : dnnl::reorder(plan->weights_user, plan->weights_prim);
  }
  return plan;
}

Plan &plan_for(ConvOp op, const ConvShape &s) {
  thread_local std::map<Key, std::unique_ptr<Plan>> cache;
  auto k = key_of(op, s);
  auto it = cache.find(k);
  if (it == cache.end()) it = cache.emplace(std::move(k), make_plan(op, s)).first;
  return *it->second;
}

}  // namespace

int64_t input_elements(const ConvShape &s) { return s.n * s.ih * s.iw * s.ic; }
int64_t output_elements(const ConvShape &s) { return s.n * s.oh * s.ow * s.oc; }
int64_t weight_elements(const ConvShape &s) { return s.kh * s.kw * s.ic * per_group(s.oc, s.groups); }

std::string validate(const ConvShape &s) {
  std::ostringstream why;
  const int64_t positive[] = {s.n, s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw, s.sh, s.sw, s.groups};
  for (int64_t v : positive)
    if (v < 1 || v > (int64_t{1} << 31)) {
      why << "sizes, strides and groups must be in 1..2^31";
      return why.str();
    }
  const int64_t pads[] = {s.pad_top, s.pad_left, s.pad_bottom, s.pad_right};
  for (int64_t v : pads)
    if (v < 0 || v > (int64_t{1} << 31)) {
      why << "paddings must be in 0..2^31";
      return why.str();
    }
  if (s.ic % s.groups != 0 || s.oc % s.groups != 0) {
    why << "channels (" << s.ic << " in, " << s.oc << " out) are not divisible by groups " << s.groups;
    return why.str();
  }
  if ((s.ih + s.pad_top + s.pad_bottom - s.kh) / s.sh + 1 != s.oh ||
      (s.iw + s.pad_left + s.pad_right - s.kw) / s.sw + 1 != s.ow) {
    why << "output " << s.oh << "x" << s.ow << " does not follow from input " << s.ih << "x" << s.iw << ", filter "
        << s.kh << "x" << s.kw << ", strides and paddings";
    return why.str();
  }
  return "";
}

void run_conv(ConvOp op, const ConvShape &s, const float *a, const float *b, float *out) {
  State &st = state();
  Plan &p = plan_for(op, s);
  p.a.set_data_handle(const_cast<float *>(a));
  std::unordered_map<int, memory> args;
  if (op == ConvOp::backward_weights) {
    p.b.set_data_handle(const_cast<float *>(b));
    p.weights_user.set_data_handle(out);
    args = {{DNNL_ARG_SRC, p.a}, {DNNL_ARG_DIFF_DST, p.b}, {DNNL_ARG_DIFF_WEIGHTS, p.reorder ? p.weights_prim : p.weights_user}};
    p.prim.execute(st.stream, args);
    if (p.reorder) p.weights_reorder.execute(st.stream, p.weights_prim, p.weights_user);
  } else {
    p.weights_user.set_data_handle(const_cast<float *>(b));
    p.out.set_data_handle(out);
    if (p.reorder) p.weights_reorder.execute(st.stream, p.weights_user, p.weights_prim);
    const memory &w = p.reorder ? p.weights_prim : p.weights_user;
    if (op == ConvOp::forward)
      args = {{DNNL_ARG_SRC, p.a}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, p.out}};
    else
      args = {{DNNL_ARG_DIFF_DST, p.a}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, p.out}};
    p.prim.execute(st.stream, args);
  }
  st.stream.wait();
}

std::string implementation(ConvOp op, const ConvShape &s) { return plan_for(op, s).impl; }

}  // namespace pyramid_nas
