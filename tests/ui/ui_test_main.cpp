// Widget tests: one QApplication for the whole binary (QT_QPA_PLATFORM=offscreen via
// ctest), with HOME and the XDG folders pointed into a temporary folder first, so
// preferences, apps, recovery copies and the history never touch the user's own.
#include <gtest/gtest.h>

#include <QApplication>
#include <QTemporaryDir>
#include <cstdlib>

#include "shell/translations.h"

int main(int argc, char** argv) {
    QTemporaryDir home;
    if (!home.isValid()) return 2;
    const QByteArray root = home.path().toLocal8Bit();
    setenv("HOME", root.constData(), 1);
    setenv("XDG_CONFIG_HOME", (root + "/config").constData(), 1);
    setenv("XDG_DATA_HOME", (root + "/data").constData(), 1);
    setenv("XDG_CACHE_HOME", (root + "/cache").constData(), 1);
    setenv("XDG_STATE_HOME", (root + "/state").constData(), 1);

    // Without a display (the build listing the tests, CI), draw offscreen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);

    QApplication application(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("PromptStudio"));
    QCoreApplication::setApplicationName(QStringLiteral("PromptStudio"));
    ps::ui::installTranslations(application);  // as the program does

    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
