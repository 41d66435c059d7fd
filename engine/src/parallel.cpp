// The engine's worker threads, and the count of threads it may use.
#include "parallel.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

#include "hinge/threads.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace hinge {

// Note [The engine splits its products]
// With OpenBLAS's own threads (it was asked for 2), a training step of tests/bench's
// MLP took about as long on 2 cores as on 1, and 69% of what its products alone took
// on both. OpenBLAS cuts each product across its threads, and each core writes its
// share of the output into its own cache; the engine's loops then ran on the calling
// thread alone and read the other core's share from afar (the optimizer's update,
// clearing, the bias, relu: 2-4x slower than at 1 thread, and still so with
// OpenBLAS's worker asleep), while that worker spun in sched_yield. A thread of the
// engine's own beside OpenBLAS's, taking pieces of those loops from a counter, made
// three runnable threads on two cores and did not help.
//
// So the engine owns its threads, and OpenBLAS runs with one thread in each caller.
// A large product is cut by rows of its output, and each part is one call to
// OpenBLAS on one thread. The optimizers' updates, the largest loops that read a
// product's output (a weight's gradient), are cut near the same places (part_range;
// a product at the nearest multiple of 12 rows, Note [Cuts that keep the numbers]
// in matmul.cpp, an update at the nearest multiple of 16 elements), so the thread
// that wrote most of a gradient's rows is the one that reads them. The smaller
// loops over a product's output (the bias, relu) are not cut: in that MLP step at
// 2 threads they took about 3% of the samples. Part 0 runs on the calling thread,
// part p always on worker p - 1. On the shapes of that MLP step the products alone
// took about 0.9 ms this way against 1.25 ms under OpenBLAS's threads (a standalone
// measurement on the 2-core VM, before this was built), since each call is one
// plain single-thread GEMM with no hand-over inside it. A part computes each number
// as one thread would, so the thread count does not change the results.
//
// Each worker waits on a post count of its own, so a set of parts wakes only the
// workers it needs. A worker spins for kSpinTime after its last part, so a training
// loop's hand-overs cost no system call, and then sleeps on a futex
// (std::atomic::wait): an idle REPL or notebook costs nothing. With more threads
// than cores (--threads above their count) nothing spins: a spinning thread would
// hold a core that a part needs. Only one caller uses the workers at a time;
// another thread (or a part itself) that asks meanwhile runs its parts in turn, as
// does a forked child, whose workers did not come with it.

namespace detail {
namespace {

constexpr auto kSpinTime = std::chrono::milliseconds(2);

std::atomic<int> g_asked{0};  // set_threads's count; 0: not set

void pause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Waits until `flag` no longer holds `old`: spinning for kSpinTime (when `spin`),
// then asleep.
template <class T>
T await_change(const std::atomic<T>& flag, T old, bool spin) {
  T now = flag.load(std::memory_order_acquire);
  if (now != old) return now;
  const auto until = std::chrono::steady_clock::now() + kSpinTime;
  for (int i = 1; spin; ++i) {
    pause();
    if ((now = flag.load(std::memory_order_acquire)) != old) return now;
    if (i % 256 == 0 && std::chrono::steady_clock::now() > until) break;
  }
  for (;;) {
    flag.wait(old, std::memory_order_acquire);
    if ((now = flag.load(std::memory_order_acquire)) != old) return now;
  }
}

// What one worker waits on, on a cache line of its own.
struct alignas(64) Post {
  std::atomic<uint32_t> count{0};  // a part is posted to the worker when it changes
};

struct Pool {
  std::atomic_flag busy;        // a caller is using the workers
  Post posts[kMaxThreads - 1];  // one per worker: only the workers a set needs wake
  std::atomic<int> pending{0};  // workers yet to finish the current set
  void (*job)(void*, int) = nullptr;
  void* ctx = nullptr;
  int workers = 0;  // started, none stopped
  // False when the workers and the caller outnumber the cores: a thread spinning
  // then holds a core that a part needs.
  std::atomic<bool> spin{true};
  bool forked = false;  // this is a forked child: the workers did not come with it
};

// The cores of this machine, read once (std::thread::hardware_concurrency reads /sys).
int cores() {
  static const int n = std::max(static_cast<int>(std::thread::hardware_concurrency()), 1);
  return n;
}

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: workers may still wait on it at exit
  return *p;
}

// Worker `index`'s loop; `seen` is its post count when it was started (read by the
// caller that starts it, before that caller posts: read here, it could already
// include the first post, which would then never be seen).
void work(Pool& pl, int index, uint32_t seen) {
  std::atomic<uint32_t>& posted = pl.posts[index].count;
  for (;;) {
    seen = await_change(posted, seen, pl.spin.load(std::memory_order_relaxed));
    pl.job(pl.ctx, index + 1);
    if (pl.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) pl.pending.notify_all();
  }
}

// Starts workers up to `wanted` (under the busy flag); returns how many there are.
int start_workers(Pool& pl, int wanted) {
  if (pl.workers >= wanted || pl.forked) return pl.forked ? 0 : pl.workers;
  if (pl.workers == 0) ::pthread_atfork(nullptr, nullptr, [] { pool().forked = true; });
  // A worker takes no signal: Ctrl-C must reach the thread that waits in a read or
  // in the line editor, whose system call it ends. Linux hands a process's signal
  // to its main thread first, unless that thread blocks it or has one pending; the
  // mask, which a thread inherits from the one that starts it, makes it certain.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  while (pl.workers < wanted) {
    try {
      std::thread(work, std::ref(pl), pl.workers, pl.posts[pl.workers].count.load()).detach();
    } catch (const std::system_error&) {  // no more threads (RLIMIT_NPROC, memory)
      break;
    }
    ++pl.workers;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pl.spin.store(pl.workers + 1 <= cores(), std::memory_order_relaxed);
  return pl.workers;
}

int threads_from_environment() {
  if (const char* s = std::getenv("OPENBLAS_NUM_THREADS")) {
    int n = 0;
    const char* end = s + std::strlen(s);
    if (auto [p, ec] = std::from_chars(s, end, n); ec == std::errc() && p == end && n > 0) return n;
  }
  return cores();
}

}  // namespace

int thread_count() {
  static const int from_environment = threads_from_environment();
  const int asked = g_asked.load(std::memory_order_relaxed);
  return std::clamp(asked > 0 ? asked : from_environment, 1, kMaxThreads);
}

int parts_for(double work, double min_work) {
  if (!(work >= 2 * min_work)) return 1;
  return static_cast<int>(std::min<double>(thread_count(), work / min_work));
}

std::pair<int64_t, int64_t> part_range(int64_t n, int parts, int p, int64_t align) {
  // Each cut at the multiple of `align` nearest to its even share.
  auto start = [&](int q) {
    if (q >= parts) return n;
    const int64_t even = n / parts * q + n % parts * q / parts;
    return std::min(n, (even + align / 2) / align * align);
  };
  return {start(p), start(p + 1)};
}

void run_parts(int parts, void (*job)(void*, int), void* ctx) {
  Pool& pl = pool();
  int workers = 0;
  if (parts > 1 && !pl.busy.test_and_set(std::memory_order_acquire)) {
    workers = std::min(start_workers(pl, parts - 1), parts - 1);
    if (workers == 0) pl.busy.clear(std::memory_order_release);
  }
  if (workers == 0) {
    for (int p = 0; p < parts; ++p) job(ctx, p);
    return;
  }
  pl.job = job;
  pl.ctx = ctx;
  pl.pending.store(workers, std::memory_order_relaxed);
  for (int w = 0; w < workers; ++w) {
    pl.posts[w].count.fetch_add(1, std::memory_order_release);
    pl.posts[w].count.notify_one();  // a system call only when the worker sleeps
  }
  for (int p = 0; p < parts; ++p)  // part 0, and the parts beyond the workers'
    if (p == 0 || p > workers) job(ctx, p);
  for (int left; (left = pl.pending.load(std::memory_order_acquire)) != 0;)
    await_change(pl.pending, left, pl.spin.load(std::memory_order_relaxed));
  pl.busy.clear(std::memory_order_release);
}

}  // namespace detail

void set_threads(int n) { detail::g_asked.store(std::max(n, 0), std::memory_order_relaxed); }

}  // namespace hinge
