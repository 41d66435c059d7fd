// The progress bar, plain log lines and end-of-training report.
#include "eval/progress.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

#include <fmt/format.h>

#include "plot/scale.hpp"
#include "plot/svg.hpp"

namespace hinge::lang::report {

namespace {

// Display mode: how often the progress display is updated, and the most loss
// values kept for the curve.
constexpr std::chrono::milliseconds kDisplayInterval{250};
constexpr std::size_t kCurvePoints = 2000;

std::string format_rate(double steps, double seconds) {
  if (!(seconds > 0)) return "- steps/s";
  double rate = steps / seconds;
  if (rate < 10) return fmt::format("{:.1f} steps/s", rate);
  return fmt::format("{} steps/s", group_thousands(std::llround(rate)));
}

std::string format_wall(double seconds) {
  if (seconds < 60) return fmt::format("{:.2f} s", seconds);
  return clock_duration(seconds);
}

}  // namespace

std::string group_thousands(std::int64_t n) {
  std::string digits = fmt::format("{}", n < 0 ? -static_cast<unsigned long long>(n) : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string clock_duration(double seconds) {
  long long s = std::llround(std::max(0.0, std::min(seconds, 1e9)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

Progress::Progress(std::int64_t total_steps, bool is_terminal, std::FILE* out, ProgressOptions options)
    : total_(std::max<std::int64_t>(total_steps, 0)),
      terminal_(is_terminal),
      out_(out),
      options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
  if (options_.log_every <= 0) {
    options_.log_every = std::max<std::int64_t>(1, std::llround(nice_step(static_cast<double>(total_), 20)));
  }
  start_ = now();
}

Progress::TimePoint Progress::now() const { return options_.clock(); }

double Progress::elapsed_seconds() const { return std::chrono::duration<double>(now() - start_).count(); }

void Progress::update(std::int64_t step, double loss) {
  if (done_) return;
  if (step_ == 0) first_loss_ = loss;
  step_ = step;
  last_loss_ = loss;
  if (!std::isnan(loss) && (std::isnan(best_loss_) || loss < best_loss_)) {
    best_loss_ = loss;
    best_step_ = step;
  }
  if (options_.display) {
    if (step % stride_ == 0) {
      curve_steps_.push_back(static_cast<double>(step));
      curve_losses_.push_back(loss);
      if (curve_steps_.size() >= kCurvePoints) {  // keep every other point, record half as often
        std::size_t k = 0;
        for (std::size_t i = 1; i < curve_steps_.size(); i += 2, ++k) {
          curve_steps_[k] = curve_steps_[i];
          curve_losses_[k] = curve_losses_[i];
        }
        curve_steps_.resize(k);
        curve_losses_.resize(k);
        stride_ *= 2;
      }
    }
    TimePoint t = now();
    if (!drawn_ || t - last_draw_ >= kDisplayInterval || step == total_) {
      last_draw_ = t;
      show_live();
    }
    return;
  }
  if (terminal_) {
    TimePoint t = now();
    if (!drawn_ || t - last_draw_ >= options_.redraw_interval || step == total_) {
      last_draw_ = t;
      draw_bar();
    }
  } else if (step % options_.log_every == 0) {
    print_line();
  }
}

void Progress::draw_bar() {
  double seconds = elapsed_seconds();
  int width = std::max(options_.bar_width, 1);
  double fraction = total_ > 0 ? std::clamp(static_cast<double>(step_) / total_, 0.0, 1.0) : 0;
  int filled = static_cast<int>(fraction * width);
  std::string eta;
  if (seconds > 0 && step_ > 0 && total_ > step_) {
    eta = fmt::format("  {} left", clock_duration((total_ - step_) * seconds / step_));
  }
  if (total_ > 0) {
    fmt::print(out_, "\r\x1b[2K[{}{}] {}/{}  loss {:.4g}  {}{}", std::string(filled, '#'),
               std::string(width - filled, '.'), step_, total_, last_loss_,
               format_rate(static_cast<double>(step_), seconds), eta);
  } else {  // no known total: no bar, no estimate
    fmt::print(out_, "\r\x1b[2Kstep {}  loss {:.4g}  {}", step_, last_loss_,
               format_rate(static_cast<double>(step_), seconds));
  }
  std::fflush(out_);
  drawn_ = true;
}

void Progress::show_live() {
  const double seconds = elapsed_seconds();
  const std::string text = fmt::format("step {}/{}  loss {:.4g}  {}", step_, total_, last_loss_,
                                       format_rate(static_cast<double>(step_), seconds));
  const std::string html =
      fmt::format("<progress value=\"{}\" max=\"{}\" style=\"width:20em\"></progress> <code>{}</code>", step_,
                  std::max<std::int64_t>(total_, 1), text);
  options_.display(Display{{{"text/plain", text}, {"text/html", html}}, false, options_.display_id, drawn_});
  drawn_ = true;
}

void Progress::show_loss_curve() {
  if (curve_steps_.size() < 2) return;
  if (curve_steps_.back() != static_cast<double>(step_)) {  // end on the last step
    curve_steps_.push_back(static_cast<double>(step_));
    curve_losses_.push_back(last_loss_);
  }
  LinePlot plot;
  plot.title = "loss during training";
  plot.x.title = "step";
  plot.y.title = "loss";
  // A log scale when the loss is positive and spans decades, as losses do.
  double lo = INFINITY, hi = 0;
  for (double l : curve_losses_)
    if (std::isfinite(l)) lo = std::min(lo, l), hi = std::max(hi, l);
  plot.y.log = lo > 0 && hi / lo > 100;
  plot.series.push_back({"loss", curve_steps_, curve_losses_});
  std::string svg = render_line_svg(plot).svg;
  if (const std::size_t at = svg.find("<svg"); at != std::string::npos) svg.erase(0, at);
  options_.display(Display{{{"text/plain", "<loss curve>"}, {"image/svg+xml", std::move(svg)}}});
}

void Progress::print_line() {
  if (total_ > 0)
    fmt::print(out_, "step {}/{}  loss {:.4g}\n", step_, total_, last_loss_);
  else
    fmt::print(out_, "step {}  loss {:.4g}\n", step_, last_loss_);
  logged_step_ = step_;
  std::fflush(out_);
}

void Progress::finish(double trained_loss) { report(false, trained_loss); }

void Progress::interrupted(std::optional<double> trained_loss) { report(true, trained_loss); }

void Progress::report(bool stopped, std::optional<double> trained_loss) {
  if (done_) return;
  done_ = true;
  trained_loss_ = trained_loss.value_or(NAN);
  // A batch's loss and the loss on all the data are not one series: best stays a batch's.
  if (!options_.batches && !std::isnan(trained_loss_) &&
      (std::isnan(best_loss_) || trained_loss_ < best_loss_)) {
    best_loss_ = trained_loss_;
    best_step_ = 0;
  }
  if (options_.display) {
    if (step_ > 0) show_live();  // the display as it stands at the end
  } else if (terminal_) {
    if (step_ > 0) {
      draw_bar();  // the bar as it stands at the end, then leave it on its own line
      fmt::print(out_, "\n");
    }
  } else if (step_ > 0 && logged_step_ != step_) {
    print_line();
  }
  double seconds = elapsed_seconds();
  std::string rate = format_rate(static_cast<double>(step_), seconds);
  if (stopped) {
    fmt::print(out_, "stopped after step {} of {} in {} ({})\n", step_, total_, format_wall(seconds), rate);
  } else {
    fmt::print(out_, "{} step{} in {} ({})\n", step_, step_ == 1 ? "" : "s", format_wall(seconds), rate);
  }
  if (step_ > 0 && options_.batches) {
    fmt::print(out_, "batch loss  first {:.4g}  last {:.4g}", first_loss_, last_loss_);
    if (!std::isnan(best_loss_)) fmt::print(out_, "  best {:.4g} at step {}", best_loss_, best_step_);
    fmt::print(out_, "\n");
    if (trained_loss) fmt::print(out_, "loss on all the data  final {:.4g}\n", *trained_loss);
  } else if (step_ > 0) {
    if (trained_loss)
      fmt::print(out_, "loss  first {:.4g}  final {:.4g}", first_loss_, *trained_loss);
    else
      fmt::print(out_, "loss  first {:.4g}  last {:.4g}", first_loss_, last_loss_);
    if (!std::isnan(best_loss_)) {
      if (best_step_ == 0)
        fmt::print(out_, "  best {:.4g} at the end", best_loss_);
      else
        fmt::print(out_, "  best {:.4g} at step {}", best_loss_, best_step_);
    }
    fmt::print(out_, "\n");
  }
  std::fflush(out_);
  if (options_.display) {
    try {
      show_loss_curve();
    } catch (const std::exception&) {
      // No curve for losses that cannot be drawn (all NaN): the report said what happened.
    }
  }
}

}  // namespace hinge::lang::report
