#include <gtest/gtest.h>

#include "azure/vhd.h"

TEST(Vhd, FooterIs512Bytes) { EXPECT_EQ(easel::azure::FixedVhdFooter(1 << 20).size(), 512u); }
