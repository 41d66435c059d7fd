// Runs a fuzz target's entry point over files and directories (recursively) without
// libFuzzer: the main build replays the committed corpus and every past crash as a
// ctest, under gcc and under the sanitizer build too.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::exists(p)) {
      files.push_back(p);
    } else {  // regressions/<target>/ exists only once a crash was found
      fmt::print("replay: skipping {} (absent)\n", p.string());
    }
  }
  if (files.empty()) {
    fmt::print(stderr, "replay: no inputs\n");
    return 2;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    // Name the input first: if it crashes, the log says which one.
    fmt::print("{}\n", f.string());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  fmt::print("replayed {} inputs\n", files.size());
  return 0;
}
