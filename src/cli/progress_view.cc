#include "cli/progress_view.h"

#include <cstdio>

#include "store/store.h"

namespace easel::cli {
namespace {

bool Final(const std::string& state) {
  return state == "Ready" || state == "Unchanged" || state == "Deleted" || state == "Kept" ||
         state == "Failed" || state == "Joined";
}

}  // namespace

void ProgressView::Update(const engine::Progress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  // A node's bootstrap extension is shown as the node it reports on.
  std::string type = p.type == "Microsoft.Compute/virtualMachines/extensions"
                         ? "node"
                         : p.type.substr(p.type.rfind('/') + 1);
  if (!live_) {
    std::printf("%s  [%3zu/%zu] %-22s %-40s %-10s %6.1fs%s%s\n", store::NowRfc3339().c_str(),
                p.done, p.total, type.c_str(), p.name.c_str(), p.state.c_str(),
                p.elapsed.count() / 1000.0, p.detail.empty() ? "" : "  ", p.detail.c_str());
    std::fflush(stdout);
    return;
  }
  auto [it, inserted] = rows_.try_emplace(p.id);
  if (inserted) {
    order_.push_back(p.id);
    it->second.since = std::chrono::steady_clock::now();
  }
  it->second.type = type;
  it->second.name = p.name;
  it->second.state = p.state;
  it->second.detail = p.detail;
  it->second.elapsed = p.elapsed.count() / 1000.0;
  done_ = p.done;
  total_ = p.total;
  // At most ten redraws a second: a large cluster changes state faster than a person reads.
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100) || done_ == total_) {
    last_draw_ = now;
    Redraw();
  }
}

void ProgressView::Redraw() {
  std::string out;
  if (drawn_lines_ > 0) out += "\x1b[" + std::to_string(drawn_lines_) + "F";  // back to the top
  auto now = std::chrono::steady_clock::now();
  for (const std::string& id : order_) {
    const Row& r = rows_[id];
    double elapsed =
        Final(r.state) ? r.elapsed : std::chrono::duration<double>(now - r.since).count();
    char line[512];
    std::snprintf(line, sizeof line, "\x1b[2K%-22s %-40s %-10s %6.1fs  %.60s\n", r.type.c_str(),
                  r.name.c_str(), r.state.c_str(), elapsed, r.detail.c_str());
    out += line;
  }
  const int width = 40;
  int filled = total_ ? static_cast<int>(width * done_ / total_) : 0;
  char bar[160];
  std::snprintf(bar, sizeof bar, "\x1b[2K[%s%s] %zu/%zu\n", std::string(filled, '#').c_str(),
                std::string(width - filled, '.').c_str(), done_, total_);
  out += bar;
  drawn_lines_ = order_.size() + 1;
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

void ProgressView::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (live_ && !order_.empty()) Redraw();
}

}  // namespace easel::cli
