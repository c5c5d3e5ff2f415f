// ARM throttling as Azure does it: token buckets per subscription and principal for reads
// (250, refilled 25/s), writes (200, 10/s) and deletes (200, 10/s).
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace azsim {

class Throttle {
 public:
  struct Decision {
    bool allowed = true;
    long remaining = 0;      // tokens left in the bucket after this request
    double retry_after = 0;  // seconds until a token is available (when not allowed)
    std::string header;      // x-ms-ratelimit-remaining-subscription-{reads|writes|deletes}
  };
  explicit Throttle(bool enabled) : enabled_(enabled) {}
  // kind: "read", "write" or "delete".
  Decision Take(const std::string& subscription, const std::string& principal,
                const std::string& kind);
  void Reset();
  void set_enabled(bool e);

 private:
  struct Bucket {
    double tokens;
    double last;
  };
  bool enabled_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace azsim
