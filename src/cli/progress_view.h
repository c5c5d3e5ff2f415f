// Progress of apply and delete: on a terminal, a live table (a line per resource with its state
// and elapsed time, and an overall bar) redrawn in place; elsewhere, one timestamped line per
// state change, which reads well in a log.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/reconciler.h"

namespace easel::cli {

class ProgressView {
 public:
  // `live`: draw the table (stdout is a terminal).
  explicit ProgressView(bool live) : live_(live) {}
  void Update(const engine::Progress& p);
  // Leaves the final table on screen (live mode).
  void Finish();

 private:
  void Redraw();

  struct Row {
    std::string type, name, state, detail;
    std::chrono::steady_clock::time_point since;
    double elapsed = 0;
  };
  const bool live_;
  std::mutex mu_;
  std::vector<std::string> order_;
  std::map<std::string, Row> rows_;
  size_t done_ = 0, total_ = 0;
  size_t drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace easel::cli
