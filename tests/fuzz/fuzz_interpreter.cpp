// libFuzzer target: parse and run arbitrary bytes in a Session with tight limits
// (small tensors, a small loop and call budget). Every run must end in a status and,
// on error, a diagnostic: no crash, no sanitizer report, no hang.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "eval/session.hpp"

using namespace hinge::lang;

namespace {

// Inputs that could touch the file system are skipped: every write needs `to`
// (save, plot, trace, record grads) and every read goes through load, import or
// csv. The words are matched whole, so `total` or `loader` still run.
bool touches_files(std::string_view text) {
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

// `train ... for 1e9 steps` is a legitimate request that only Ctrl-C ends (train steps
// are not loop iterations). A watchdog thread presses Ctrl-C for the input after one
// second, so those inputs test the interrupt path instead of timing out; anything
// that ignores the interrupt still shows up as a libFuzzer timeout.
using Clock = std::chrono::steady_clock;
std::atomic<int64_t> g_deadline{0};  // Clock ticks; 0 = no input running

void watchdog() {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    int64_t d = g_deadline.load();
    if (d != 0 && Clock::now().time_since_epoch().count() > d) request_interrupt();
  }
}

std::FILE* null_stream() {
  static std::FILE* f = std::fopen("/dev/null", "w");
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (touches_files(text)) return -1;  // -1: not added to the corpus

  SessionOptions options;
  options.seed = 1;
  options.limits.max_elements = 1 << 14;
  options.limits.max_iterations = 20'000;
  options.limits.max_call_depth = 40;
  options.out = null_stream();
  options.err = null_stream();
  static std::thread dog = [] {
    std::thread t(watchdog);
    t.detach();
    return t;
  }();
  clear_interrupt();
  g_deadline = (Clock::now() + std::chrono::seconds(1)).time_since_epoch().count();
  Session session(std::move(options));
  session.run_script("fuzz.hinge", text);
  g_deadline = 0;
  clear_interrupt();
  // The session stays usable after whatever happened: a REPL would go on.
  session.run_entry("1 + 1");
  return 0;
}
