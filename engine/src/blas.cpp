// Loading OpenBLAS on first use, and making sure of its work buffers first.
#include "blas.hpp"

#include <dlfcn.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "parallel.hpp"

namespace hinge {

// Note [Loading BLAS on first use]
// Linking OpenBLAS made every start of the `hinge` command pay for it: the dynamic
// loader's 16,000 relocations of a 30 MB library and its start-up (CPU detection,
// thread pool), most of `hinge -e '1'`'s time (tests/bench: start-up). Most
// scripts and REPL lines multiply no matrices, so the engine opens the library
// with dlopen at the first GEMM instead, by its run-time name and else by the path
// the build found.

// Note [BLAS under a memory limit]
// OpenBLAS 0.3.21 maps a 128 MiB work buffer (its BUFFER_SIZE on x86-64) for each
// product in flight at once, the first time it needs that many, and keeps them to
// the end of the process. When that mmap fails (`ulimit -v`, a strict overcommit
// policy) blas_memory_alloc tries again forever: the process spins and Ctrl-C
// cannot stop it. So the engine makes sure of that memory first. Before the first
// product cut into n parts (Note [The engine splits its products] in parallel.cpp)
// it maps what n buffers and the workers' stacks take (plus a margin) and unmaps it
// untouched; when that works it runs n products big enough to need a buffer, one on
// each thread, started together, so that n buffers exist and no later product maps
// again. When they could not all start together (more threads than cores on a busy
// machine), only one buffer is sure: products then run uncut, and that count is not
// tried again. When n do not fit, products are cut into as many parts as fit, and
// when not even one buffer fits, products run in the engine's own loop (matmul.cpp:
// slower, and it polls the stop flag), never in OpenBLAS. The library is loaded with
// OPENBLAS_NUM_THREADS=1, so it starts no threads of its own: each would map its
// buffer as it starts, and one that cannot spins (and the exit then waits for it
// forever). The checks cost one mmap and munmap each, and none once the buffers
// exist.

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kBufferBytes = 128 * kMiB;  // OpenBLAS's BUFFER_SIZE, one per product in flight
constexpr std::size_t kMarginBytes = 64 * kMiB;   // the library's own mappings, packing, slack
constexpr std::size_t kThreadStackBytes = 8 * kMiB;

std::mutex g_mutex;     // guards the state below
bool g_loaded = false;  // g_blas holds the library's functions
detail::Blas g_blas{};
int g_ready_callers = 0;  // products in flight whose buffers exist (Note [BLAS under a memory limit])
int g_tried_callers = 0;  // the most that make_buffers was asked for

// True when `bytes` of fresh memory can be mapped now, as OpenBLAS maps its buffers.
bool can_map(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  ::munmap(p, bytes);
  return true;
}

// True when the buffers of n products in flight fit, with the stacks of the workers
// that run them and the library.
bool fits(int n) {
  return can_map(kMarginBytes + static_cast<std::size_t>(n) * (kBufferBytes + kThreadStackBytes));
}

void* open_library() {
  for (const char* name : {"libopenblas.so.0", HINGE_BLAS_LIBRARY})
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return h;
  return nullptr;
}

// Opens the library with one thread of its own (it reads OPENBLAS_NUM_THREADS as it
// loads); the variable is put back for whatever this process starts.
void* open_single_threaded() {
  const char* old = std::getenv("OPENBLAS_NUM_THREADS");
  const std::string saved = old ? old : "";
  ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  void* h = open_library();
  if (old)
    ::setenv("OPENBLAS_NUM_THREADS", saved.c_str(), 1);
  else
    ::unsetenv("OPENBLAS_NUM_THREADS");
  return h;
}

void load() {
  void* h = open_single_threaded();
  if (!h) throw Error(fmt::format("cannot load OpenBLAS for matrix products ({})", dlerror()));
  detail::Blas b{reinterpret_cast<decltype(&cblas_sgemm)>(dlsym(h, "cblas_sgemm")),
                 reinterpret_cast<decltype(&cblas_dgemm)>(dlsym(h, "cblas_dgemm"))};
  if (!b.sgemm || !b.dgemm) throw Error("the OpenBLAS library found has no cblas_sgemm / cblas_dgemm");
  // A library loaded before (by a host process) may have threads: the engine's parts
  // each call it on one.
  if (auto set = reinterpret_cast<void (*)(int)>(dlsym(h, "openblas_set_num_threads"))) set(1);
  g_blas = b;
  g_loaded = true;
}

// n products at once, one per thread, each big enough (256^3) that OpenBLAS takes a
// work buffer for it (its small-matrix kernels take none). True when all n threads
// started their product together, so that n buffers exist; false when a part came
// too late (a machine with fewer cores than threads, busy) or ran in turn (no
// worker could start): then only the buffer of one is sure. Waiting parts yield,
// since with more threads than cores the late ones need those cores to arrive.
bool make_buffers(int n) {
  constexpr int size = 256;
  std::atomic<int> arrived{0};
  std::atomic<bool> together{true};
  detail::run_parts(n, [&](int) {
    std::vector<double> a(size * size, 1.0), c(size * size, 0.0);
    arrived.fetch_add(1);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (arrived.load() < n) {
      if (std::chrono::steady_clock::now() > until) {
        together.store(false);
        break;
      }
      std::this_thread::yield();
    }
    g_blas.dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, a.data(), size, a.data(),
                 size, 0.0, c.data(), size);
  });
  return together.load();
}

}  // namespace

namespace detail {

const Blas* usable_blas(int& callers) {
  std::lock_guard lock(g_mutex);
  if (!g_loaded) {
    if (!fits(1)) return nullptr;
    load();  // a failed load throws and is tried again next time
  }
  int n = std::max(callers, 1);
  while (n > g_ready_callers && !fits(n)) --n;
  if (n > g_ready_callers && n > g_tried_callers) {  // each count is tried once
    g_tried_callers = n;
    g_ready_callers = make_buffers(n) ? n : std::max(g_ready_callers, 1);
  }
  if (g_ready_callers == 0) return nullptr;  // not even one buffer fits
  callers = std::min(callers, g_ready_callers);
  return &g_blas;
}

}  // namespace detail
}  // namespace hinge
