#include "deck/deck.h"

#include <QDir>
#include <QFileInfo>

namespace ps {

QString Deck::appPathOf(const DeckSlide& slide) const {
    if (slide.app.isEmpty() || QDir::isAbsolutePath(slide.app) || filePath.isEmpty()) return slide.app;
    return QDir::cleanPath(QFileInfo(filePath).absoluteDir().filePath(slide.app));
}

QString Deck::modelPathOf(const DeckRaceEngine& engine) const {
    if (engine.model.isEmpty() || QDir::isAbsolutePath(engine.model) || filePath.isEmpty()) return engine.model;
    return QDir::cleanPath(QFileInfo(filePath).absoluteDir().filePath(engine.model));
}

}  // namespace ps
