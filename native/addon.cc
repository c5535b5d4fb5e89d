// Node-API surface of the oneDNN kernels. JavaScript passes the wasm backend's heap (an ArrayBuffer) and
// byte offsets into it; every offset is bounds-checked against the heap before oneDNN touches it.
#include <node_api.h>

#include <array>
#include <cstdlib>
#include <exception>
#include <string>

#include "conv.h"
#include "oneapi/dnnl/dnnl.hpp"

extern "C" {
void omp_set_num_threads(int);
int omp_get_max_threads(void);
}

namespace {

using pyramid_nas::ConvOp;
using pyramid_nas::ConvShape;

struct Failure {
  std::string message;
};

void check(napi_env, napi_status status, const char *what) {
  if (status != napi_ok) throw Failure{std::string("pyramid_nas_dnnl: cannot read ") + what};
}

int64_t int_arg(napi_env env, napi_value v, const char *what) {
  double d;
  check(env, napi_get_value_double(env, v, &d), what);
  if (!(d >= -9007199254740991.0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d)))
    throw Failure{std::string("pyramid_nas_dnnl: ") + what + " must be an integer"};
  return static_cast<int64_t>(d);
}

ConvShape shape_arg(napi_env env, napi_value v) {
  bool is_array = false;
  check(env, napi_is_array(env, v, &is_array), "shape");
  uint32_t len = 0;
  if (is_array) check(env, napi_get_array_length(env, v, &len), "shape");
  if (!is_array || len != pyramid_nas::kConvShapeFields)
    throw Failure{"pyramid_nas_dnnl: shape must be an array of " + std::to_string(pyramid_nas::kConvShapeFields) +
                  " integers"};
  int64_t f[pyramid_nas::kConvShapeFields];
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    check(env, napi_get_element(env, v, i, &e), "shape");
    f[i] = int_arg(env, e, "a shape field");
  }
  ConvShape s{f[0], f[1], f[2],  f[3],  f[4],  f[5],  f[6],  f[7],
              f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15]};
  const std::string bad = pyramid_nas::validate(s);
  if (!bad.empty()) throw Failure{"pyramid_nas_dnnl: " + bad};
  return s;
}

ConvOp op_arg(napi_env env, napi_value v) {
  const int64_t op = int_arg(env, v, "op");
  if (op < 0 || op > 2) throw Failure{"pyramid_nas_dnnl: op must be 0 (forward), 1 (backward data) or 2 (backward weights)"};
  return static_cast<ConvOp>(op);
}

// A float32 view of heap[offset, offset + 4·count), refused unless it lies inside the heap and is aligned.
float *view(uint8_t *heap, size_t heap_bytes, int64_t offset, int64_t count, const char *what) {
  if (offset < 0 || offset % 4 != 0 || count < 0 || static_cast<uint64_t>(offset) > heap_bytes ||
      static_cast<uint64_t>(count) > (heap_bytes - static_cast<uint64_t>(offset)) / 4)
    throw Failure{std::string("pyramid_nas_dnnl: ") + what + " (offset " + std::to_string(offset) + ", " +
                  std::to_string(count) + " floats) is outside the heap of " + std::to_string(heap_bytes) +
                  " bytes"};
  return reinterpret_cast<float *>(heap + offset);
}

template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const Failure &f) {
    napi_throw_error(env, "PYRAMID_NAS_NATIVE", f.message.c_str());
  } catch (const dnnl::error &e) {
    napi_throw_error(env, "PYRAMID_NAS_NATIVE", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, "PYRAMID_NAS_NATIVE", e.what());
  }
  return nullptr;
}

// Exactly N arguments of a call, or a Failure naming the function's signature.
template <size_t N>
std::array<napi_value, N> args_of(napi_env env, napi_callback_info info, const char *signature) {
  size_t argc = N;
  std::array<napi_value, N> argv{};
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "arguments");
  if (argc != N) throw Failure{std::string("pyramid_nas_dnnl: ") + signature};
  return argv;
}

// conv(op, heap: ArrayBuffer, aOffset, bOffset, outOffset, shape: number[16]) → undefined
napi_value Conv(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    const auto argv = args_of<6>(env, info, "conv takes (op, heap, aOffset, bOffset, outOffset, shape)");
    const ConvOp op = op_arg(env, argv[0]);
    bool is_ab = false;
    check(env, napi_is_arraybuffer(env, argv[1], &is_ab), "heap");
    if (!is_ab) throw Failure{"pyramid_nas_dnnl: heap must be an ArrayBuffer"};
    void *data = nullptr;
    size_t bytes = 0;
    check(env, napi_get_arraybuffer_info(env, argv[1], &data, &bytes), "heap");
    const ConvShape s = shape_arg(env, argv[5]);
    const int64_t in = pyramid_nas::input_elements(s), out = pyramid_nas::output_elements(s),
                  w = pyramid_nas::weight_elements(s);
    auto *heap = static_cast<uint8_t *>(data);
    const int64_t a_off = int_arg(env, argv[2], "aOffset"), b_off = int_arg(env, argv[3], "bOffset"),
                  o_off = int_arg(env, argv[4], "outOffset");
    if (op == ConvOp::forward)
      pyramid_nas::run_conv(op, s, view(heap, bytes, a_off, in, "x"), view(heap, bytes, b_off, w, "filter"),
                            view(heap, bytes, o_off, out, "y"));
    else if (op == ConvOp::backward_data)
      pyramid_nas::run_conv(op, s, view(heap, bytes, a_off, out, "dy"), view(heap, bytes, b_off, w, "filter"),
                            view(heap, bytes, o_off, in, "dx"));
    else
      pyramid_nas::run_conv(op, s, view(heap, bytes, a_off, in, "x"), view(heap, bytes, b_off, out, "dy"),
                            view(heap, bytes, o_off, w, "dw"));
    return nullptr;
  });
}

// implementation(op, shape) → the oneDNN implementation's name
napi_value Implementation(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    const auto argv = args_of<2>(env, info, "implementation takes (op, shape)");
    const std::string impl = pyramid_nas::implementation(op_arg(env, argv[0]), shape_arg(env, argv[1]));
    napi_value r;
    check(env, napi_create_string_utf8(env, impl.c_str(), impl.size(), &r), "result");
    return r;
  });
}

// setThreads(n) → the OpenMP thread count now in effect
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    const auto argv = args_of<1>(env, info, "setThreads takes (n)");
    const int64_t n = int_arg(env, argv[0], "n");
    if (n < 1 || n > 1024) throw Failure{"pyramid_nas_dnnl: threads must be in 1..1024"};
    omp_set_num_threads(static_cast<int>(n));
    napi_value r;
    check(env, napi_create_int32(env, omp_get_max_threads(), &r), "result");
    return r;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const dnnl_version_t *v = dnnl_version();
  const std::string version =
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value version_value;
  napi_create_string_utf8(env, version.c_str(), version.size(), &version_value);
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"implementation", nullptr, Implementation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dnnlVersion", nullptr, nullptr, nullptr, nullptr, version_value, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
