// What a session prints, caught in a temporary file and read back piece by piece:
// tests hand `f` to a session as its out or err stream and call take() after each
// step. The file is the process's own (tmpfile), never a path.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>

namespace hinge::test {

class Capture {
 public:
  Capture() : f(std::tmpfile()) {
    if (f == nullptr) throw std::runtime_error("Capture: no temporary file");
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  ~Capture() { std::fclose(f); }

  /// What was written since the last take() (or since the start).
  std::string take() {
    std::fflush(f);
    std::fseek(f, 0, SEEK_END);
    const long end = std::ftell(f);
    std::string s(static_cast<std::size_t>(end - read_to_), '\0');
    std::fseek(f, read_to_, SEEK_SET);
    s.resize(std::fread(s.data(), 1, s.size(), f));
    std::fseek(f, 0, SEEK_END);
    read_to_ = end;
    return s;
  }

  std::FILE* const f;

 private:
  long read_to_ = 0;
};

}  // namespace hinge::test
