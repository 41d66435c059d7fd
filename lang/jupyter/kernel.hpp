// The hinge kernel for Jupyter: an xeus interpreter over one Session. Each cell is
// REPL input (statements and `:commands`) run with the REPL's semantics; printed
// text becomes stream messages, echoed values execute_result, plots and traces
// display_data (through SessionOptions::display), errors error replies.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include <xeus/xinterpreter.hpp>

#include "eval/session.hpp"
#include "jupyter/stream.hpp"
#include "repl/commands.hpp"

namespace hinge::lang::jupyter {

inline constexpr const char* kVersion = "0.1.0";

class Kernel : public xeus::xinterpreter {
 public:
  explicit Kernel(SessionOptions options = {});
  ~Kernel() override;

 private:
  void configure_impl() override {}
  nl::json execute_request_impl(int execution_counter, const std::string& code, bool silent,
                                bool store_history, nl::json user_expressions, bool allow_stdin) override;
  nl::json complete_request_impl(const std::string& code, int cursor_pos) override;
  nl::json inspect_request_impl(const std::string& code, int cursor_pos, int detail_level) override;
  nl::json is_complete_request_impl(const std::string& code) override;
  nl::json kernel_info_request_impl() override;
  void shutdown_request_impl() override;

  // Runs a cell as the REPL runs what is typed: statements as one entry each run
  // between `:command` lines; stops at the first entry that fails.
  Status run_cell(const std::string& code, const std::string& name);
  void show(const Display& d);

  StreamSink out_sink_, err_sink_;
  std::FILE* out_ = nullptr;
  std::FILE* err_ = nullptr;
  std::string err_text_;  // what the session wrote to err during this cell
  int execution_count_ = 0;
  int displays_ = 0;  // for display ids
  std::unique_ptr<Session> session_;
  std::unique_ptr<ReplState> state_;
};

// Where `code` (of the cell, in UTF-8) is at a Jupyter cursor position, which
// counts Unicode code points: the byte offset (clamped to the text).
std::size_t byte_offset(std::string_view code, int cursor_pos);
// The other way: how many code points `code` has before byte `offset`.
int code_points(std::string_view code, std::size_t offset);

// What Shift-Tab shows for the word at byte `at` of `code`: a builtin's signature
// and one-line doc, a binding's kind, shape, dtype and value, a statement keyword's
// help; "" when the word is none of them (inspect.cpp).
std::string inspect_text(ReplState& state, std::string_view code, std::size_t at);

}  // namespace hinge::lang::jupyter
