// The timed task pool (src/engine/scheduler.h). Delays are tens of milliseconds; only lower
// bounds of time are asserted.
#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace easel::engine {
namespace {

using std::chrono::milliseconds;

TEST(Scheduler, RunsAPostedTask) {
  Scheduler s(2);
  std::atomic<bool> ran{false};
  s.Post([&] { ran = true; });
  s.Drain();
  EXPECT_TRUE(ran);
}

TEST(Scheduler, DrainOfAnIdleSchedulerReturns) {
  Scheduler s(2);
  s.Drain();
  SUCCEED();
}

TEST(Scheduler, DelayedTaskRunsAfterAnUndelayedOneAndNotEarly) {
  Scheduler s(2);
  std::mutex mu;
  std::vector<std::string> order;
  auto posted = Scheduler::Clock::now();
  Scheduler::Clock::time_point delayed_ran;
  s.Post(
      [&] {
        delayed_ran = Scheduler::Clock::now();
        std::lock_guard<std::mutex> lock(mu);
        order.push_back("delayed");
      },
      milliseconds(30));
  s.Post([&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back("now");
  });
  s.Drain();
  EXPECT_EQ(order, (std::vector<std::string>{"now", "delayed"}));
  EXPECT_GE(delayed_ran - posted, milliseconds(30));
}

TEST(Scheduler, OneWorkerRunsEqualTimesInPostingOrder) {
  Scheduler s(1);
  std::vector<int> order;  // one worker: no concurrent access
  for (int i = 0; i < 10; ++i) s.Post([&order, i] { order.push_back(i); });
  s.Drain();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Scheduler, DrainWaitsForTasksPostedByTasks) {
  Scheduler s(2);
  std::atomic<int> done{0};
  s.Post([&] {
    s.Post([&] {
      s.Post([&] { ++done; }, milliseconds(20));
      ++done;
    });
    ++done;
  });
  s.Drain();
  EXPECT_EQ(done, 3);
}

TEST(Scheduler, ManyTasksOnTwoWorkersEachRunExactlyOnce) {
  constexpr int kTasks = 2000;
  std::vector<std::atomic<int>> runs(kTasks);
  Scheduler s(2);
  for (int i = 0; i < kTasks; ++i) {
    s.Post([&runs, i] { runs[i]++; }, milliseconds(i % 3));
  }
  s.Drain();
  int total = 0;
  int wrong = 0;
  for (auto& r : runs) {
    total += r;
    if (r != 1) ++wrong;
  }
  EXPECT_EQ(total, kTasks);
  EXPECT_EQ(wrong, 0);
}

TEST(Scheduler, DestructionWithPendingDelayedTasksDropsThem) {
  std::atomic<bool> ran{false};
  {
    Scheduler s(2);
    s.Post([&] { ran = true; }, std::chrono::hours(1));
  }  // must not wait the hour
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace easel::engine
