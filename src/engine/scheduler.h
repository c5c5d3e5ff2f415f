// A pool of worker threads running timed tasks: a task runs no earlier than its time. Long waits
// (an operation's Retry-After) are scheduled, not slept, so thousands of operations can be in
// flight on a few threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace easel::engine {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Scheduler(int workers);
  ~Scheduler();  // waits for the workers; pending tasks are dropped

  // Runs `task` on a worker no earlier than `delay` from now. Thread-safe.
  void Post(std::function<void()> task, std::chrono::milliseconds delay = {});
  // Blocks until no task is queued or running.
  void Drain();

 private:
  struct Item {
    Clock::time_point when;
    uint64_t order;  // FIFO among equal times
    std::function<void()> task;
    bool operator>(const Item& o) const { return when != o.when ? when > o.when : order > o.order; }
  };
  void Work();

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue_;
  uint64_t next_order_ = 0;
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace easel::engine
