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
                         {spec::kImageReleasingKey, "c"}});
  EXPECT_EQ(l.references, (BlobMetadata{{"easelref_aaaa", "a"}, {"easelref_bbbb", "b"}}));
  EXPECT_EQ(l.releasing, "c");
  EXPECT_TRUE(ReadLedger({}).references.empty());
  EXPECT_EQ(ReadLedger({}).releasing, "");
}

TEST(ImageLedger, AReleaseLeavesTheOthersAndTheLastOneMarksTheLedger) {
  BlobMetadata m = WithReference({{"easelupload", "done"}}, "easelref_aaaa", "a");
  m = WithReference(m, "easelref_bbbb", "b");
  EXPECT_EQ(ReadLedger(m).references.size(), 2u);

  Release first = WithoutReference(m, "easelref_aaaa", "a");
  EXPECT_FALSE(first.last);
  EXPECT_EQ(first.remaining, 1u);
  EXPECT_EQ(ReadLedger(first.metadata).releasing, "");
  EXPECT_EQ(first.metadata.at("easelupload"), "done");  // metadata that is not the ledger stays

  Release last = WithoutReference(first.metadata, "easelref_bbbb", "b");
  EXPECT_TRUE(last.last);
  EXPECT_EQ(last.remaining, 0u);
  EXPECT_EQ(ReadLedger(last.metadata).releasing, "b");
  EXPECT_TRUE(ReadLedger(last.metadata).references.empty());
}

TEST(ImageLedger, ReleasingAReferenceNotHeldChangesNothingButCanBeLast) {
  BlobMetadata m = WithReference({}, "easelref_aaaa", "a");
  Release r = WithoutReference(m, "easelref_zzzz", "z");
  EXPECT_FALSE(r.last);
  EXPECT_EQ(ReadLedger(r.metadata).references, ReadLedger(m).references);
}

}  // namespace
}  // namespace easel::engine
