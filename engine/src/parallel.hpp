// The engine's own threads: a large product, and an optimizer's update, cut into
// parts that run at once (Note [The engine splits its products] in parallel.cpp).
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace hinge::detail {

inline constexpr int kMaxThreads = 64;

// The threads the engine may use: set_threads's count, else OPENBLAS_NUM_THREADS,
// else the cores; 1 to kMaxThreads.
int thread_count();

// How many parts `work` splits into, each with at least `min_work` of it: 1 to
// thread_count().
int parts_for(double work, double min_work);

// [first, last) of part p when n items are cut into `parts` pieces at the multiples
// of `align` nearest to even shares (a piece may be empty; the last ends at n). Two
// splits of the same n with the same parts and align cut at the same places, so the
// thread that wrote an item in one reads it in the other.
std::pair<int64_t, int64_t> part_range(int64_t n, int parts, int p, int64_t align = 1);

// Runs job(ctx, p) for every p in [0, parts) and returns once all have: part 0 on
// the calling thread, part p on worker p - 1, always the same one. A job must not
// throw. When the workers are busy with another caller's parts (or this is a part
// itself), or cannot be started, every part runs here in turn: the same results.
void run_parts(int parts, void (*job)(void*, int), void* ctx);

template <class F>
void run_parts(int parts, F&& f) {
  run_parts(
      parts, [](void* c, int p) { (*static_cast<std::remove_reference_t<F>*>(c))(p); }, &f);
}

// f(first, last) over the parts of n items: run_parts with part_range's bounds.
template <class F>
void for_parts(int64_t n, int parts, int64_t align, F&& f) {
  if (parts <= 1) return f(int64_t{0}, n);
  run_parts(parts, [&](int p) {
    const auto [first, last] = part_range(n, parts, p, align);
    if (first < last) f(first, last);
  });
}

// An elementwise loop is cut into parts of at least kLoopItemsPerPart items (about
// 10 us on one core at memory speed), at multiples of kLoopAlign (a cache line of
// floats): within 6 rows of where a product with as many parts cuts its output.
inline constexpr double kLoopItemsPerPart = 1 << 14;
inline constexpr int64_t kLoopAlign = 16;

// f(first, last) over the parts of an elementwise loop of n items.
template <class F>
void each_part(int64_t n, F&& f) {
  for_parts(n, parts_for(static_cast<double>(n), kLoopItemsPerPart), kLoopAlign, f);
}

}  // namespace hinge::detail
