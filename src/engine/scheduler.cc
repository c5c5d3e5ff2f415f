#include "engine/scheduler.h"

namespace easel::engine {

Scheduler::Scheduler(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void Scheduler::Post(std::function<void()> task, std::chrono::milliseconds delay) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push(Item{Clock::now() + delay, next_order_++, std::move(task)});
  }
  wake_.notify_one();
}

void Scheduler::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void Scheduler::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (stopping_) return;
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (queue_.top().when > Clock::now()) {
      wake_.wait_until(lock, queue_.top().when);
      continue;
    }
    std::function<void()> task = std::move(const_cast<Item&>(queue_.top()).task);
    queue_.pop();
    ++running_;
    lock.unlock();
    task();
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_.notify_all();
    wake_.notify_one();  // an earlier task may have been queued while this one ran
  }
}

}  // namespace easel::engine
