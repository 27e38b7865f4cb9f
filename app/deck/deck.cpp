#include "deck/deck.h"

#include <QDir>
#include <QFileInfo>

namespace ps {

QString Deck::appPathOf(const DeckSlide& slide) const {
    if (slide.app.isEmpty() || QDir::isAbsolutePath(slide.app) || filePath.isEmpty()) return slide.app;
    return QDir::cleanPath(QFileInfo(filePath).absoluteDir().filePath(slide.app));
}

}  // namespace ps
