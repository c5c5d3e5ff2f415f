// What planning a cluster with spec.image.cache reads from the cloud first (docs/storage.md,
// "The image cache"): the content key of its image source, and the cache of its subscription and
// region (a storage account tagged easel_image_cache=<region>), or the name a new one takes.
#pragma once

#include "azure/arm_client.h"
#include "azure/cloud.h"
#include "common/http_client.h"
#include "common/status.h"
#include "plan/planner.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::cli {

struct ImageCacheFacts {
  plan::PlanOptions::ImageCache cache;
  int arm_writes = 0;  // checkNameAvailability calls sent
};

// The content key identifies what the source holds, not where it is:
// - a blob with a Content-MD5: that MD5 and the size (a copy of it anywhere shares the cache);
// - a blob without one: its VHD footer's unique id and checksum, size and ETag (the ETag changes
//   with every write, so a blob rewritten in place gets a new key);
// - a local VHD: its footer's unique id and checksum and its size.
// The source is read by its URL (HEAD, then its last 512 bytes), as the server-side copy reads
// it: it must be public or carry a SAS. A source that cannot be read, or is not a fixed VHD, goes
// to *problems naming spec.image.vhdUrl (or vhdFile); a failure to ask the cloud is the status.
Result<ImageCacheFacts> ReadImageCacheFacts(azure::ArmClient& arm, HttpClient& http,
                                            const azure::Cloud& cloud, const spec::ClusterSpec& s,
                                            spec::Diagnostics* problems);

}  // namespace easel::cli
