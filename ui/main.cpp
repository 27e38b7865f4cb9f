// promptstudio: placeholder window until the desktop program lands.
#include <QApplication>
#include <QLabel>

#include "version.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QLabel label(QStringLiteral(PROMPTSTUDIO_NAME " " PROMPTSTUDIO_VERSION));
    label.show();
    return app.exec();
}
