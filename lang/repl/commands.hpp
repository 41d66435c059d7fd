// The `:commands` of interactive input (:help, :vars, :grad, :trace, :time, :load,
// :save, :reset, :quit) and the state they change: the REPL and the Jupyter kernel
// run them alike.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eval/session.hpp"

namespace hinge::lang {

// What the loop and the commands share: the session in use (the caller's, or a
// fresh one made by :reset with the same options) and the toggles.
struct ReplState {
  explicit ReplState(Session& first) : session(&first) {}
  Session& current() { return *session; }

  Session* session;
  std::unique_ptr<Session> owned;  // the session made by the last :reset
  bool timing = false;             // :time on
  bool quit = false;               // :quit
  uint32_t line_no = 1;            // the line of the input the command is on (for errors)
};

struct Binding;

// "param", "[16, 1] f64", "0.5": the kind, shape and a short value of one binding,
// as :vars lists it and the Jupyter kernel's inspect shows it.
struct VarRow {
  std::string name, kind, shape, value;
};
VarRow describe_binding(const std::string& name, const Binding& b);

// Runs one command line (it starts with ':'). Errors are rendered like any other
// (`<repl>:1:2: error: unknown command ':hepl'; did you mean ':help'?`) and give
// runtime_error; a command that runs hinge statements returns their status.
Status run_command(ReplState& st, const std::string& line);

// repl/help.cpp
void print_help_overview(std::FILE* out);
// Prints the help of a builtin, statement keyword, command or constant; false if
// `name` is none of them.
bool print_help_topic(std::FILE* out, std::string_view name, const SessionOptions& options);
// Every name :help knows (for did-you-mean).
std::vector<std::string> help_topics();

}  // namespace hinge::lang
