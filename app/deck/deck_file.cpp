#include "deck/deck_file.h"

#include <QStringList>

#include "document/atomic_save.h"
#include "document/yaml_fields.h"
#include "document/yaml_value.h"
#include "limits/input_file.h"

namespace ps {

using yaml::YamlValue;

namespace {

// A deck lists a few dozen slides; far more is a mistake or a hostile file.
constexpr int kMaxSlides = 500;

QString keyOf(const YAML::Node& key) { return key.IsScalar() ? QString::fromStdString(key.Scalar()) : QString(); }

// A machine has far fewer cores; more is a typing mistake.
constexpr int kMaxRaceThreads = 1024;

const char* deviceName(RaceDevice device) {
    switch (device) {
    case RaceDevice::Gpu: return "gpu";
    case RaceDevice::Cpu: return "cpu";
    case RaceDevice::Automatic: break;
    }
    return "auto";
}

// One side of `race: {left: ..., right: ...}`: model, device, threads.
DeckRaceEngine readRaceEngine(YamlFieldReader& reader, const YAML::Node& node, const QString& side,
                              DocumentPosition at) {
    DeckRaceEngine engine;
    if (node.IsNull()) return engine;  // `left:` alone: the window's model, automatic
    if (!node.IsMap()) {
        reader.addError(at, QStringLiteral("'%1' must be a group of keys (model, device, threads)").arg(side));
        return engine;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = keyOf(it->first);
        const DocumentPosition valueAt = reader.positionOf(it->first, it->second);
        if (key == QLatin1String("model")) {
            if (const auto text = reader.text(it->second, key, valueAt)) engine.model = text->trimmed();
        } else if (key == QLatin1String("device")) {
            const auto text = reader.text(it->second, key, valueAt);
            if (!text) continue;
            const QString device = text->trimmed().toLower();
            if (device == QLatin1String("auto")) engine.device = RaceDevice::Automatic;
            else if (device == QLatin1String("gpu")) engine.device = RaceDevice::Gpu;
            else if (device == QLatin1String("cpu")) engine.device = RaceDevice::Cpu;
            else reader.addError(valueAt, QStringLiteral("'device' must be auto, gpu or cpu, not '%1'").arg(*text));
        } else if (key == QLatin1String("threads")) {
            const auto threads = reader.integer(it->second, key, valueAt);
            if (threads && (*threads < 0 || *threads > kMaxRaceThreads))
                reader.addError(valueAt, QStringLiteral("'threads' must be between 0 (every core) and %1")
                                             .arg(kMaxRaceThreads));
            else if (threads)
                engine.threads = int(*threads);
        } else {
            reader.addError(reader.positionOf(it->first),
                            QStringLiteral("unknown key '%1' in '%2' (expected model, device or threads)").arg(key, side));
        }
    }
    return engine;
}

// `race: true` (the default pairing) or `race: {left: ..., right: ...}` (format 2).
void readRace(YamlFieldReader& reader, const YAML::Node& value, DocumentPosition at, DeckSlide& slide) {
    if (!value.IsMap()) {
        if (const auto flag = reader.boolean(value, QStringLiteral("race"), at)) slide.race = *flag;
        return;
    }
    DeckRace race;
    bool hasLeft = false;
    bool hasRight = false;
    for (auto it = value.begin(); it != value.end(); ++it) {
        const QString key = keyOf(it->first);
        const DocumentPosition sideAt = reader.positionOf(it->first, it->second);
        if (key == QLatin1String("left")) {
            hasLeft = true;
            race.left = readRaceEngine(reader, it->second, key, sideAt);
        } else if (key == QLatin1String("right")) {
            hasRight = true;
            race.right = readRaceEngine(reader, it->second, key, sideAt);
        } else {
            reader.addError(reader.positionOf(it->first),
                            QStringLiteral("unknown key '%1' in 'race' (expected left and right)").arg(key));
        }
    }
    if (!hasLeft || !hasRight)
        reader.addError(at, QStringLiteral("'race' names its two sides, 'left' and 'right' (or is just true)"));
    slide.race = true;
    slide.raceSetup = race;
}

YamlValue raceEngineValue(const DeckRaceEngine& engine) {
    YamlValue side = YamlValue::map();
    if (!engine.model.isEmpty()) side.insert("model", YamlValue::string(engine.model));
    side.insert("device", YamlValue::string(QString::fromLatin1(deviceName(engine.device))));
    if (engine.threads > 0) side.insert("threads", YamlValue::integer(engine.threads));
    return side;
}

void readSlide(YamlFieldReader& reader, const YAML::Node& node, int index, Deck& deck) {
    const DocumentPosition at = reader.positionOf(node);
    if (!node.IsMap()) {
        reader.addError(at, QStringLiteral("slide %1 must be a group of keys (app, inputs, note, race)").arg(index + 1));
        return;
    }
    DeckSlide slide;
    bool hasApp = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = keyOf(it->first);
        const YAML::Node value = it->second;
        const DocumentPosition valueAt = reader.positionOf(it->first, value);
        if (key == QLatin1String("app")) {
            if (const auto text = reader.text(value, key, valueAt)) {
                slide.app = text->trimmed();
                hasApp = !slide.app.isEmpty();
                if (!hasApp) reader.addError(valueAt, QStringLiteral("'app' must name a .promptapp file"));
            }
            hasApp = hasApp || !value.IsScalar();  // a wrong shape is reported once
        } else if (key == QLatin1String("inputs")) {
            if (value.IsNull()) continue;
            if (!value.IsMap()) {
                reader.addError(valueAt, QStringLiteral("'inputs' must be a group of keys, input name: value"));
                continue;
            }
            for (auto input = value.begin(); input != value.end(); ++input) {
                const QString name = keyOf(input->first);
                const auto typed = reader.scalarValue(input->second, name,
                                                      reader.positionOf(input->first, input->second));
                if (!typed) continue;
                slide.inputs.insert(name, *typed);
                slide.inputOrder << name;
            }
        } else if (key == QLatin1String("note")) {
            if (const auto text = reader.text(value, key, valueAt)) slide.note = *text;
        } else if (key == QLatin1String("race")) {
            readRace(reader, value, valueAt, slide);
        } else {
            reader.addError(reader.positionOf(it->first),
                            QStringLiteral("unknown key '%1' in a slide (expected app, inputs, note or race)").arg(key));
        }
    }
    if (!hasApp) reader.addError(at, QStringLiteral("slide %1 has no 'app'").arg(index + 1));
    deck.slides.append(slide);
}

}  // namespace

DeckLoadResult parseDeck(const QString& text) {
    DeckLoadResult result;
    YamlFieldReader reader(1, text, nullptr);
    const std::optional<YAML::Node> loaded = reader.load();
    if (!loaded) {
        result.errors = reader.errors();
        return result;
    }
    const YAML::Node& root = *loaded;
    if (!root.IsMap()) {
        reader.addError({1, 1}, QStringLiteral("a deck starts with 'promptdeck: %1', then its name and slides")
                                    .arg(kDeckFormatVersion));
        result.errors = reader.errors();
        return result;
    }
    bool hasVersion = false;
    bool hasSlides = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString key = keyOf(it->first);
        const YAML::Node value = it->second;
        const DocumentPosition at = reader.positionOf(it->first, value);
        if (key == QLatin1String("promptdeck")) {
            hasVersion = true;
            const auto version = reader.integer(value, key, at);
            if (version && (*version < 1 || *version > kDeckFormatVersion)) {
                // Nothing else is read: a newer format may mean something else by the same keys.
                reader.addError(at, *version > kDeckFormatVersion
                                        ? QStringLiteral("this deck is format %1, made by a newer Prompt Studio; "
                                                         "this one reads format %2")
                                              .arg(*version)
                                              .arg(kDeckFormatVersion)
                                        : QStringLiteral("'promptdeck' must be %1").arg(kDeckFormatVersion));
                result.errors = reader.errors();
                return result;
            }
        } else if (key == QLatin1String("name")) {
            if (const auto name = reader.text(value, key, at)) result.deck.name = *name;
        } else if (key == QLatin1String("attract_after")) {
            const auto seconds = reader.integer(value, key, at);
            if (seconds && (*seconds < 0 || *seconds > 24 * 3600))
                reader.addError(at, QStringLiteral("'attract_after' must be between 0 (never) and 86400 seconds"));
            else if (seconds)
                result.deck.attractAfterSeconds = int(*seconds);
        } else if (key == QLatin1String("slides")) {
            hasSlides = true;
            if (value.IsNull()) continue;
            if (!value.IsSequence()) {
                reader.addError(at, QStringLiteral("'slides' must be a list, each item starting with '- app:'"));
                continue;
            }
            if (value.size() > size_t(kMaxSlides)) {
                reader.addError(at, QStringLiteral("a deck holds at most %1 slides").arg(kMaxSlides));
                continue;
            }
            int index = 0;
            for (const YAML::Node& slide : value) readSlide(reader, slide, index++, result.deck);
        } else {
            reader.addError(reader.positionOf(it->first),
                            QStringLiteral("unknown key '%1' (a deck has promptdeck, name, attract_after and slides)")
                                .arg(key));
        }
    }
    if (!hasVersion)
        reader.addError({1, 1}, QStringLiteral("'promptdeck: %1' is missing: is this a deck?").arg(kDeckFormatVersion));
    if (!hasSlides) reader.addError({1, 1}, QStringLiteral("'slides' is missing"));
    result.errors = reader.errors();
    sortByPosition(result.errors);
    return result;
}

DeckLoadResult loadDeck(const QString& path) {
    QString error;
    const std::optional<QByteArray> bytes = readInputFileBytes(path, &error);
    if (!bytes) {
        DeckLoadResult result;
        result.errors.append({0, 0, error});
        return result;
    }
    QString text = QString::fromUtf8(*bytes);
    if (text.startsWith(QChar(0xFEFF))) text.remove(0, 1);
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    DeckLoadResult result = parseDeck(text);
    result.deck.filePath = path;
    return result;
}

QString serializeDeck(const Deck& deck) {
    YamlValue root = YamlValue::map();
    // Format 1 while nothing needs 2: an older Prompt Studio still reads the deck.
    bool needsRaceSetup = false;
    for (const DeckSlide& slide : deck.slides) needsRaceSetup = needsRaceSetup || (slide.race && slide.raceSetup);
    root.insert("promptdeck", YamlValue::integer(needsRaceSetup ? kDeckFormatVersion : 1));
    root.insert("name", YamlValue::string(deck.name));
    if (deck.attractAfterSeconds > 0) root.insert("attract_after", YamlValue::integer(deck.attractAfterSeconds));
    YamlValue slides = YamlValue::list();
    for (const DeckSlide& slide : deck.slides) {
        YamlValue item = YamlValue::map();
        item.insert("app", YamlValue::string(slide.app));
        if (!slide.inputs.isEmpty()) {
            YamlValue inputs = YamlValue::map();
            // The order they were written in, then any others (QVariantMap sorts by key).
            QStringList order;
            for (const QString& name : slide.inputOrder)
                if (slide.inputs.contains(name) && !order.contains(name)) order << name;
            for (auto it = slide.inputs.constBegin(); it != slide.inputs.constEnd(); ++it)
                if (!order.contains(it.key())) order << it.key();
            for (const QString& name : order) inputs.insert(name, YamlValue::fromVariant(slide.inputs.value(name)));
            item.insert("inputs", inputs);
        }
        if (!slide.note.isEmpty()) item.insert("note", YamlValue::string(slide.note));
        if (slide.race && slide.raceSetup) {
            YamlValue race = YamlValue::map();
            race.insert("left", raceEngineValue(slide.raceSetup->left));
            race.insert("right", raceEngineValue(slide.raceSetup->right));
            item.insert("race", race);
        } else if (slide.race) {
            item.insert("race", YamlValue::boolean(true));
        }
        slides.append(item);
    }
    root.insert("slides", slides);
    return yaml::emitMapBody(root);
}

bool saveDeck(const Deck& deck, const QString& path, QString* error) {
    return saveFileAtomically(path, serializeDeck(deck).toUtf8(), error, /*keepBackup=*/false);
}

}  // namespace ps
