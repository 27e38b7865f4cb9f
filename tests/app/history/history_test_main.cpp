// Qt SQL loads its drivers as plugins, which wants a QCoreApplication.
// `--start-run-and-abort PATH APP` makes this binary the process that crashes
// mid-run in RunOfACrashedProcessBecomesInterrupted.
#include <QCoreApplication>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "history/run_history.h"

int main(int argc, char** argv) {
    QCoreApplication application(argc, argv);
    if (argc == 4 && std::string(argv[1]) == "--start-run-and-abort") {
        ps::RunHistory history(QString::fromLocal8Bit(argv[2]));
        ps::RunRecord record;
        record.appName = QString::fromLocal8Bit(argv[3]);
        std::printf("started run %lld\n", static_cast<long long>(history.startRun(record)));
        std::fflush(stdout);
        std::abort();
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
