// The Runner delivers its signals through the event loop: the tests need a
// QCoreApplication (and Qt SQL its plugins).
#include <QCoreApplication>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    QCoreApplication application(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
