// What the interpreter and REPL fuzz targets share: which inputs they skip, the
// session they run an input in, and the watchdog that presses Ctrl-C.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <thread>

#include "eval/session.hpp"

namespace hinge::lang::fuzz {

// Inputs that could touch the file system are skipped: every write needs `to`
// (save, plot, trace, record grads) and every read goes through load, import or
// csv (`:save` and `:load` contain the words too). The words are matched whole, so
// `total` or `loader` still run.
inline bool touches_files(std::string_view text) {
  std::size_t i = 0;
  auto ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (i < text.size()) {
    if (!ident(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && ident(text[j])) ++j;
    std::string_view w = text.substr(i, j - i);
    if (w == "to" || w == "save" || w == "load" || w == "import" || w == "csv") return true;
    i = j;
  }
  return false;
}

// A session with tight limits (small tensors, a small loop and call budget) whose
// output goes nowhere.
inline SessionOptions fuzz_options() {
  // A stream that takes every write and keeps nothing: no file, no device.
  static std::FILE* sink = [] {
    cookie_io_functions_t discard{};
    discard.write = [](void*, const char*, std::size_t size) { return static_cast<ssize_t>(size); };
    return fopencookie(nullptr, "w", discard);
  }();
  SessionOptions options;
  options.seed = 1;
  options.limits.max_elements = 1 << 14;
  options.limits.max_iterations = 20'000;
  options.limits.max_call_depth = 40;
  options.out = sink;
  options.err = sink;
  return options;
}

// `train ... for 1e9 steps` is a legitimate request that only Ctrl-C ends (train steps
// are not loop iterations). A watchdog thread presses Ctrl-C one second into an
// input, so those inputs test the interrupt path instead of timing out; anything
// that ignores the interrupt still shows up as a libFuzzer timeout.
class Watchdog {
 public:
  Watchdog() {
    std::thread([this] { watch(); }).detach();
  }
  // Brackets one input: Ctrl-C comes one second after arm(), never after disarm().
  void arm() {
    clear_interrupt();
    deadline_ = (Clock::now() + std::chrono::seconds(1)).time_since_epoch().count();
  }
  void disarm() {
    deadline_ = 0;
    clear_interrupt();
  }

 private:
  using Clock = std::chrono::steady_clock;
  void watch() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const int64_t d = deadline_.load();
      if (d != 0 && Clock::now().time_since_epoch().count() > d) request_interrupt();
    }
  }
  std::atomic<int64_t> deadline_{0};  // Clock ticks; 0 = no input running
};

}  // namespace hinge::lang::fuzz
