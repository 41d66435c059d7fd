// Loading OpenBLAS on first use, and making sure of its work buffers first.
#include "blas.hpp"

#include <dlfcn.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

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
// the build found. A thread count asked for is applied at the next product.

// Note [BLAS under a memory limit]
// OpenBLAS 0.3.21 maps a 128 MiB work buffer (its BUFFER_SIZE on x86-64) for each
// thread that takes part in a product, the first time that thread needs one, and
// keeps it to the end of the process. When that mmap fails (`ulimit -v`, a strict
// overcommit policy) blas_memory_alloc tries again forever: the process spins and
// Ctrl-C cannot stop it. So the engine makes sure of that memory first. Before the
// first product on n threads it maps what n buffers take (plus a margin) the way
// OpenBLAS will and unmaps it untouched; when that works it runs one product big
// enough to engage every thread, so all n buffers exist and no later product maps
// again. When n buffers do not fit it asks for one thread, and when not even one
// fits, products run in the engine's own loop (matmul.cpp: slower, and it polls
// the stop flag), never in OpenBLAS. Loading needs the same care: OpenBLAS starts
// its worker threads when it loads and each maps its buffer as it starts (a worker
// that cannot spins, and the exit then waits for it forever). So the library is
// loaded only when the buffers of the threads asked for fit, else with
// OPENBLAS_NUM_THREADS=1 (no workers), else not at all; a thread count asked for
// later is applied at the next product, once its buffers fit. The checks cost one
// mmap and munmap each, and none once the buffers exist.

// Note [The engine's loops stay on the calling thread]
// With OpenBLAS on 2 threads, a training step of tests/bench's MLP runs its
// products on both cores and everything else (the optimizer's update, clearing a
// product's output, the bias, relu) on the calling thread, while OpenBLAS's
// worker yields in a loop waiting for the next product. Splitting those loops
// over a thread of the engine's own (a pool of T - 1 workers, pieces claimed from
// a counter, the caller claiming too; the same numbers bit for bit) was measured
// on the 2-core VM and left out: in 20 alternating rounds the step took 1.07 ms
// best-median and 1.24 median against 1.03 and 1.18 without it (the products
// alone: 0.93 and 1.08). Splitting only loops of 128 K elements or more (the
// update of the 784 x 256 weight and its clearing) gave 1.03 and 1.23. What a
// profile showed: a third runnable thread on 2 cores is scheduled against
// OpenBLAS's worker and the caller, and the caller lost about a tenth of its
// time to it while the worker took only about a third of the pieces. The loops
// are slow at 2 threads for another reason, which a second thread does not fix.
// By perf, the caller's update took about 137 us per step against 32 at 1
// thread, clearing 78 against 28, relu 39 against 19, and still 117 and 69 with
// OpenBLAS's worker asleep between products (OPENBLAS_THREAD_TIMEOUT=4), so not
// from its spinning: most likely because that worker wrote its share of each
// product's output in its own core's cache, and an engine thread is neither
// pinned next to it nor given that share.

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kBufferBytes = 128 * kMiB;  // OpenBLAS's BUFFER_SIZE, one per thread
constexpr std::size_t kMarginBytes = 64 * kMiB;   // the library's own mappings, packing, slack
constexpr std::size_t kThreadStackBytes = 8 * kMiB;

std::atomic<int> g_threads{0};  // 0: OpenBLAS's own default (OPENBLAS_NUM_THREADS)
using SetThreads = void (*)(int);
using GetThreads = int (*)();
std::atomic<SetThreads> g_set_threads{nullptr};

std::mutex g_mutex;     // guards the state below
bool g_loaded = false;  // g_blas holds the library's functions
detail::Blas g_blas{};
GetThreads g_get_threads = nullptr;
int g_ready_threads = 0;    // threads whose buffers exist (Note [BLAS under a memory limit])
int g_applied_threads = 0;  // the count last given to openblas_set_num_threads (0: none)

// True when `bytes` of fresh memory can be mapped now, as OpenBLAS maps its buffers.
bool can_map(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  ::munmap(p, bytes);
  return true;
}

void* open_library() {
  for (const char* name : {"libopenblas.so.0", HINGE_BLAS_LIBRARY})
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return h;
  return nullptr;
}

void load() {
  void* h = open_library();
  if (!h) throw Error(fmt::format("cannot load OpenBLAS for matrix products ({})", dlerror()));
  detail::Blas b{reinterpret_cast<decltype(&cblas_sgemm)>(dlsym(h, "cblas_sgemm")),
                 reinterpret_cast<decltype(&cblas_dgemm)>(dlsym(h, "cblas_dgemm"))};
  if (!b.sgemm || !b.dgemm) throw Error("the OpenBLAS library found has no cblas_sgemm / cblas_dgemm");
  g_set_threads.store(reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads")));
  g_get_threads = reinterpret_cast<GetThreads>(dlsym(h, "openblas_get_num_threads"));
  g_blas = b;
  g_loaded = true;
}

// One product big enough (256^3) that OpenBLAS splits it over all its threads and
// each maps its buffer; too big for its small-matrix kernels, which map none.
void make_buffers() {
  constexpr int n = 256;
  std::vector<double> a(n * n, 1.0), c(n * n, 0.0);
  g_blas.dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, a.data(), n, 0.0,
               c.data(), n);
}

}  // namespace

void set_blas_threads(int n) { g_threads.store(n); }  // applied at the next product

namespace detail {

const Blas* usable_blas() {
  std::lock_guard lock(g_mutex);
  auto fits = [](int threads) {  // their buffers and stacks, and the library
    return can_map(kMarginBytes + static_cast<std::size_t>(threads) * (kBufferBytes + kThreadStackBytes));
  };
  if (!g_loaded) {
    const int cores = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
    const int asked = g_threads.load();
    if (!fits(asked > 0 ? asked : cores)) {
      if (!fits(1)) return nullptr;
      ::setenv("OPENBLAS_NUM_THREADS", "1", 1);  // read once, when the library loads
      g_threads.store(1);
    }
    load();  // a failed load throws and is tried again next time
  }
  SetThreads set = g_set_threads.load();
  if (const int n = g_threads.load(); set && n > 0 && n != g_applied_threads) {
    if (n > g_ready_threads && !fits(n)) return g_ready_threads > 0 ? &g_blas : nullptr;
    set(n);
    g_applied_threads = n;
  }
  const int threads = g_get_threads ? std::max(g_get_threads(), 1) : 1;
  if (threads <= g_ready_threads) return &g_blas;
  if (!can_map(static_cast<std::size_t>(threads) * kBufferBytes + kMarginBytes)) {
    // One thread needs one buffer; below that OpenBLAS would spin.
    if (threads == 1 || !set || !can_map(kBufferBytes + kMarginBytes)) return nullptr;
    set(1);
    g_applied_threads = 1;
    g_threads.store(1);
    make_buffers();
    g_ready_threads = 1;
    return &g_blas;
  }
  make_buffers();
  g_ready_threads = threads;
  return &g_blas;
}

}  // namespace detail
}  // namespace hinge
