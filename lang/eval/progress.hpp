// Training progress: a live bar on a terminal, plain log lines otherwise, and a short
// report at the end (or when Ctrl-C stops training).
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eval/session.hpp"

namespace hinge::lang::report {

struct ProgressOptions {
  // Plain mode: a line every `log_every` steps; 0 picks 1, 2 or 5 times a power of
  // ten near total / 20 (2000 steps: every 100).
  std::int64_t log_every = 0;
  // Terminal mode: the bar is redrawn at most this often (and always at the end).
  std::chrono::milliseconds redraw_interval{100};
  int bar_width = 20;
  // The time source; tests inject a fake. Default: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
  // A host that shows rich output (SessionOptions::display, the Jupyter kernel):
  // the progress is one display, `display_id`, updated in place instead of log
  // lines, and the loss curve is shown when training ends.
  std::function<void(const Display&)> display;
  std::string display_id;
  // Mini-batches: each step's loss is a batch's, and the report says so; its
  // `final` is the loss on all the data (finish's argument), on a line of its own.
  bool batches = false;
};

// Example:
//   Progress progress(2000, session_options.terminal, stderr);
//   for (int step = 1; step <= 2000; ++step) progress.update(step, train_step());
//   progress.finish();
//
// On a terminal: `[#####.....] 1200/2000  loss 0.01234  8,312 steps/s  0:01 left`,
// redrawn in place; otherwise: `step 100/2000  loss 0.0123` every log_every steps.
// The report: `2000 steps in 0.24 s (8,312 steps/s)` and
// `loss  first 0.6931  final 0.001198  best 0.001198 at the end`.
//
// A step's loss is the one its update follows from: the loss of the params as the
// step found them. `final` is the loss of the params training leaves, which no
// step saw (one forward pass after the last update, passed to finish()); `best`
// is the lowest of all of them, at its step or `at the end`. Stopped by Ctrl-C,
// the report gives the `last` step's loss instead of `final`.
class Progress {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Progress(std::int64_t total_steps, bool is_terminal, std::FILE* out, ProgressOptions options = {});

  // Step `step` (counted from 1) has finished with this loss.
  void update(std::int64_t step, double loss);
  // Training ran to the end, leaving params whose loss is `trained_loss`:
  // finishes the bar and prints the report. Only once.
  void finish(double trained_loss);
  // Training was stopped, leaving params whose loss is `trained_loss`, or none
  // when it was not computed (Ctrl-C: no pass runs after it): "stopped after step 1234
  // of 2000 ..." and the report, which then gives the `last` step's loss, not `final`.
  void interrupted(std::optional<double> trained_loss = std::nullopt);

  std::int64_t steps() const { return step_; }
  double first_loss() const { return first_loss_; }
  double last_loss() const { return last_loss_; }
  double final_loss() const { return trained_loss_; }
  double best_loss() const { return best_loss_; }
  std::int64_t best_step() const { return best_step_; }

 private:
  TimePoint now() const;
  double elapsed_seconds() const;
  void draw_bar();
  void print_line();
  void report(bool stopped, std::optional<double> trained_loss);
  void show_live();        // display mode: the progress display, made or updated
  void show_loss_curve();  // display mode: the recorded losses as an SVG

  std::int64_t total_;
  bool terminal_;
  std::FILE* out_;
  ProgressOptions options_;
  TimePoint start_;
  TimePoint last_draw_{};
  bool drawn_ = false;            // the bar is on screen (terminal mode)
  bool done_ = false;             // finish() or interrupted() ran
  std::int64_t step_ = 0;         // the last step reported
  std::int64_t logged_step_ = 0;  // the last step printed in plain mode
  double first_loss_ = NAN, last_loss_ = NAN, best_loss_ = NAN, trained_loss_ = NAN;
  std::int64_t best_step_ = 0;  // 0: the trained params' loss (`at the end`)
  // Display mode: every stride_-th step's loss (at most kCurvePoints of them).
  std::vector<double> curve_steps_, curve_losses_;
  std::int64_t stride_ = 1;
};

// A count with thousands separators: 8312 -> "8,312".
std::string group_thousands(std::int64_t n);
// A duration as m:ss or h:mm:ss: 65.2 -> "1:05".
std::string clock_duration(double seconds);

}  // namespace hinge::lang::report
