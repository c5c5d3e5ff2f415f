// The image cache's ledger (engine/image_ledger.h): references added and released, the mark of
// the last release, and other metadata kept.
#include "engine/image_ledger.h"

#include <gtest/gtest.h>

#include "spec/naming.h"

namespace easel::engine {
namespace {

TEST(ImageLedger, ReadsReferencesAndTheReleaseMarkOnly) {
  Ledger l = ReadLedger({{"easelref_aaaa", "a"},
                         {"easelref_bbbb", "b"},
                         {"easelupload", "marker"},
                         {spec::kImageReleasingKey, "easelref_cccc 1000 c"}});
  EXPECT_EQ(l.references, (BlobMetadata{{"easelref_aaaa", "a"}, {"easelref_bbbb", "b"}}));
  EXPECT_EQ(l.releasing_key, "easelref_cccc");
  EXPECT_EQ(l.releasing_since, 1000);
  EXPECT_EQ(l.releasing_cluster, "c");
  EXPECT_FALSE(l.StaleRelease(1000 + kStaleReleaseSeconds));
  EXPECT_TRUE(l.StaleRelease(1001 + kStaleReleaseSeconds));
  EXPECT_FALSE(ReadLedger({}).releasing());
  // A mark that does not parse still blocks, and counts as stale.
  Ledger odd = ReadLedger({{spec::kImageReleasingKey, ""}});
  EXPECT_TRUE(odd.releasing());
  EXPECT_TRUE(odd.StaleRelease(kStaleReleaseSeconds + 1));
}

TEST(ImageLedger, AReleaseLeavesTheOthersAndTheLastOneMarksTheLedger) {
  BlobMetadata m = WithReference({{"easelupload", "done"}}, "easelref_aaaa", "a");
  m = WithReference(m, "easelref_bbbb", "b");
  EXPECT_EQ(ReadLedger(m).references.size(), 2u);

  Release first = WithoutReference(m, "easelref_aaaa", "a", 5);
  EXPECT_FALSE(first.last);
  EXPECT_EQ(first.remaining, 1u);
  EXPECT_FALSE(ReadLedger(first.metadata).releasing());
  EXPECT_EQ(first.metadata.at("easelupload"), "done");  // metadata that is not the ledger stays

  Release last = WithoutReference(first.metadata, "easelref_bbbb", "b", 7);
  EXPECT_TRUE(last.last);
  EXPECT_EQ(last.remaining, 0u);
  Ledger marked = ReadLedger(last.metadata);
  EXPECT_EQ(marked.releasing_key, "easelref_bbbb");
  EXPECT_EQ(marked.releasing_since, 7);
  EXPECT_EQ(marked.releasing_cluster, "b");
  EXPECT_TRUE(marked.references.empty());

  // Taking a reference over the mark (the releaser's own apply, or a stale mark) clears it.
  Ledger taken = ReadLedger(WithReference(last.metadata, "easelref_bbbb", "b"));
  EXPECT_FALSE(taken.releasing());
  EXPECT_EQ(taken.references.size(), 1u);
}

TEST(ImageLedger, ReleasingAReferenceNotHeldChangesNothingButCanBeLast) {
  BlobMetadata m = WithReference({}, "easelref_aaaa", "a");
  Release r = WithoutReference(m, "easelref_zzzz", "z", 1);
  EXPECT_FALSE(r.last);
  EXPECT_EQ(ReadLedger(r.metadata).references, ReadLedger(m).references);
}

}  // namespace
}  // namespace easel::engine
