// The data-plane step of a spec's image.vhdFile: the local fixed VHD uploaded into the cluster's
// container (image/vhd_upload.h: only its data pages, in parallel, resumable by itself, so no
// journal entry is needed: a restarted apply resumes the same upload).
#pragma once

#include <functional>
#include <string>

#include "azure/arm_client.h"
#include "common/status.h"
#include "image/vhd_upload.h"

namespace easel::engine {

struct UploadStepOutcome {
  image::UploadResult result;
  bool listed_keys = false;  // storage refused the token; the account key signed the upload
  std::string key_warning;   // what to tell the user then
};

// The warning of a blob step that storage refused easel's token for and that signed with the
// account key instead; `what` is the step ("copy", "upload").
std::string AccountKeyWarning(const std::string& account, const std::string& refused,
                              const std::string& what);

// Uploads `file` to the blob `url` of `account` (ARM id `account_id`) with easel's Entra token;
// when storage refuses the token, once more signed with the account key from listKeys. Each
// worker gets a connection of its own, trusting the cloud's CA. `progress` is called now and then.
Result<UploadStepOutcome> UploadVhdStep(azure::ArmClient& arm, const std::string& file,
                                        const std::string& url, const std::string& account_id,
                                        const std::string& account,
                                        std::function<void(const image::UploadProgress&)> progress);

}  // namespace easel::engine
