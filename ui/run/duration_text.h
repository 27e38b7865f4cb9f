#pragma once
// A duration as people read it: "11 ms" below a second (small models answer in
// milliseconds, and "0.00 s" says nothing), "1.25 s" above.
#include <QCoreApplication>
#include <QLocale>
#include <QString>

namespace ps::ui {

inline QString durationText(double milliseconds) {
    if (milliseconds < 1000.0) {
        return QCoreApplication::translate("ps::ui::Duration", "%1 ms")
            .arg(QLocale().toString(milliseconds, 'f', milliseconds < 10.0 ? 1 : 0));
    }
    return QCoreApplication::translate("ps::ui::Duration", "%1 s")
        .arg(QLocale().toString(milliseconds / 1000.0, 'f', 2));
}

}  // namespace ps::ui
