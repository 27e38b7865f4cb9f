// A second start of the program hands its files to the running one: the
// running window opens them (the same app is never open twice), and a socket
// left behind by a crash does not stop the next start from listening.
#include <QFile>
#include <QLocalServer>
#include <QSignalSpy>
#include <QUuid>

#include <gtest/gtest.h>

#include "run/run_view.h"
#include "settings/preferences.h"
#include "shell/main_window.h"
#include "shell/single_instance.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

QString uniqueName() {
    return QStringLiteral("promptstudio-test-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

TEST(SingleInstance, TheFirstStartListensAndALaterOneHandsOverItsFiles) {
    const QString name = uniqueName();
    SingleInstance running(name);
    SingleInstance later(name);
    EXPECT_FALSE(running.forwardToRunning({}, 200)) << "nobody runs yet";
    QString error;
    ASSERT_TRUE(running.listen(&error)) << error.toStdString();
    QSignalSpy received(&running, &SingleInstance::filesReceived);

    const QStringList files = {QStringLiteral("/home/ada/Email writer.promptapp"),
                               QStringLiteral("/tmp/odd \"name\"\nwith a newline.promptapp")};
    ASSERT_TRUE(later.forwardToRunning(files));
    ASSERT_TRUE(test::waitUntil([&] { return !received.isEmpty(); }, 5000));
    EXPECT_EQ(received.first().first().toStringList(), files);

    // No files: the running window is only brought forward.
    ASSERT_TRUE(later.forwardToRunning({}));
    ASSERT_TRUE(test::waitUntil([&] { return received.size() == 2; }, 5000));
    EXPECT_TRUE(received.last().first().toStringList().isEmpty());
}

TEST(SingleInstance, ASocketLeftByACrashIsTakenOver) {
    const QString name = uniqueName();
    {
        // A process that died leaves its socket file behind. QLocalServer removes
        // its own on close, so put a dead file in its place.
        QLocalServer crashed;
        crashed.setSocketOptions(QLocalServer::UserAccessOption);
        ASSERT_TRUE(crashed.listen(name));
        const QString file = crashed.fullServerName();
        crashed.close();
        QFile leftover(file);
        ASSERT_TRUE(leftover.open(QIODevice::WriteOnly));  // a dead file where the socket was
    }
    SingleInstance next(name);
    EXPECT_FALSE(next.forwardToRunning({}, 200));
    QString error;
    EXPECT_TRUE(next.listen(&error)) << error.toStdString();
}

TEST(SingleInstance, TheRunningWindowOpensHandedOverFiles) {
    test::CleanSettings settings;
    Preferences preferences;
    MainWindow window(preferences, test::windowOptions(settings));
    window.show();

    const QString name = uniqueName();
    SingleInstance running(name);
    ASSERT_TRUE(running.listen());
    QObject::connect(&running, &SingleInstance::filesReceived, &window, &MainWindow::openFiles);
    const QString app = test::samplePath(QStringLiteral("translate.promptapp"));
    ASSERT_TRUE(SingleInstance(name).forwardToRunning({app}));
    ASSERT_TRUE(test::waitUntil([&] { return window.currentAppPath() == app; }, 5000));
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Run);
}

}  // namespace
}  // namespace ps::ui
