// Planning benchmark: a cluster of 1,000 worker nodes (4 pools of 250 over 3 zones) and 3
// control-plane nodes. Reports the median time of BuildPlan, of rendering the plan as JSON, and
// of the whole pipeline (parse + validate + plan), each as a ratio to the issue's 50 ms bound.
//
//   build/bench/plan_bench [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "plan/planner.h"
#include "plan/render.h"
#include "spec/parse.h"
#include "spec/validate.h"

namespace {

constexpr double kBoundMs = 50.0;

std::string ThousandNodeSpec() {
  std::string s = R"(apiVersion: easel/v1
kind: AzureCluster
metadata: {name: big, tags: {team: bench}}
spec:
  subscriptionId: 00000000-0000-0000-0000-000000000000
  location: eastus
  resourceGroup: big-rg
  kubernetesVersion: "1.36.2"
  sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU b"
  image: {vhdUrl: "https://images.blob.core.windows.net/images/base.vhd"}
  controlPlane: {count: 3}
  workerPools:
)";
  for (int p = 0; p < 4; ++p) {
    s += "    - {name: pool" + std::to_string(p) + ", count: 250, zones: [\"1\", \"2\", \"3\"]}\n";
  }
  return s;
}

double MedianMs(int runs, const std::function<void()>& work) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 51;
  std::string text = ThousandNodeSpec();
  easel::spec::Diagnostics diagnostics;
  easel::spec::ClusterSpec spec = easel::spec::ParseClusterSpec(text, {}, &diagnostics);
  easel::spec::ValidateClusterSpec(spec, easel::spec::EmbeddedCatalog(), &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "bench spec invalid: %s\n", diagnostics.Lines()[0].c_str());
    return 1;
  }
  size_t resources = 0;
  double plan_ms =
      MedianMs(runs, [&] { resources = easel::plan::BuildPlan(spec).resources.size(); });
  easel::plan::Plan plan = easel::plan::BuildPlan(spec);
  size_t bytes = 0;
  double json_ms = MedianMs(runs, [&] { bytes = easel::plan::RenderPlanJson(plan).size(); });
  double pipeline_ms = MedianMs(runs, [&] {
    easel::spec::Diagnostics d;
    easel::spec::ClusterSpec s = easel::spec::ParseClusterSpec(text, {}, &d);
    easel::spec::ValidateClusterSpec(s, easel::spec::EmbeddedCatalog(), &d);
    resources = easel::plan::BuildPlan(s).resources.size();
  });
  std::printf("plan of 1,003 nodes: %zu resources, JSON %zu bytes, median of %d runs\n", resources,
              bytes, runs);
  std::printf("| step | median ms | ratio to the 50 ms bound |\n|---|---|---|\n");
  std::printf("| BuildPlan | %.2f | %.3f |\n", plan_ms, plan_ms / kBoundMs);
  std::printf("| RenderPlanJson | %.2f | %.3f |\n", json_ms, json_ms / kBoundMs);
  std::printf("| parse + validate + BuildPlan | %.2f | %.3f |\n", pipeline_ms,
              pipeline_ms / kBoundMs);
  return 0;
}
