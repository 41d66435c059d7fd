// libFuzzer target: parse and run arbitrary bytes in a Session with tight limits
// (small tensors, a small loop and call budget). Every run must end in a status and,
// on error, a diagnostic: no crash, no sanitizer report, no hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "eval/session.hpp"
#include "fuzz_session.hpp"

using namespace hinge::lang;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (fuzz::touches_files(text)) return -1;  // -1: not added to the corpus

  static fuzz::Watchdog dog;
  dog.arm();
  Session session(fuzz::fuzz_options());
  session.run_script("fuzz.hinge", text);
  dog.disarm();
  // The session stays usable after whatever happened: a REPL would go on.
  session.run_entry("1 + 1");
  return 0;
}
