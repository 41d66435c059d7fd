// Loading OpenBLAS on first use.
#include "blas.hpp"

#include <dlfcn.h>

#include <atomic>
#include <mutex>

#include <fmt/format.h>

#include "hinge/blas.hpp"
#include "hinge/errors.hpp"

namespace hinge {

// Note [Loading BLAS on first use]
// Linking OpenBLAS made every start of the `hinge` command pay for it: the dynamic
// loader's 16,000 relocations of a 30 MB library and its start-up (CPU detection,
// thread pool), most of `hinge -e '1'`'s time (tests/bench: start-up). Most
// scripts and REPL lines multiply no matrices, so the engine opens the library
// with dlopen at the first GEMM instead, by its run-time name and else by the path
// the build found. The thread count asked for before that is applied on loading.

namespace {

std::atomic<int> g_threads{0};  // 0: OpenBLAS's own default (OPENBLAS_NUM_THREADS)
using SetThreads = void (*)(int);
std::atomic<SetThreads> g_set_threads{nullptr};

void* open_library() {
  for (const char* name : {"libopenblas.so.0", HINGE_BLAS_LIBRARY})
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return h;
  return nullptr;
}

detail::Blas load() {
  void* h = open_library();
  if (!h) throw Error(fmt::format("cannot load OpenBLAS for matrix products ({})", dlerror()));
  detail::Blas b{reinterpret_cast<decltype(&cblas_sgemm)>(dlsym(h, "cblas_sgemm")),
                 reinterpret_cast<decltype(&cblas_dgemm)>(dlsym(h, "cblas_dgemm"))};
  if (!b.sgemm || !b.dgemm) throw Error("the OpenBLAS library found has no cblas_sgemm / cblas_dgemm");
  auto set = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"));
  if (set && g_threads.load() > 0) set(g_threads.load());
  g_set_threads.store(set);
  return b;
}

}  // namespace

void set_blas_threads(int n) {
  g_threads.store(n);
  if (SetThreads set = g_set_threads.load(); set && n > 0) set(n);
}

namespace detail {

const Blas& blas() {
  static const Blas b = load();  // a failed load throws and is tried again next time
  return b;
}

}  // namespace detail
}  // namespace hinge
