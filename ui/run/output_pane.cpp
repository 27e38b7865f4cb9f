#include "run/output_pane.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QPalette>
#include <QEvent>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QVBoxLayout>

#include "settings/theme.h"

namespace ps::ui {
namespace {

constexpr int kFlushIntervalMs = 33;  // about 30 times a second
constexpr int kSlowestIntervalMs = 250;

// Pretty-printed JSON when `text` parses (a code fence is tolerated), else the text.
QString prettyJson(const QString& text) {
    QString body = text.trimmed();
    if (body.startsWith(QLatin1String("```"))) {
        body = body.section(QLatin1Char('\n'), 1);
        if (body.endsWith(QLatin1String("```"))) body.chop(3);
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || document.isNull()) return text;
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

// A line that carries on the Markdown block above it even after a blank line:
// indented (a list item's next paragraph, indented code) or a list item (a loose
// list). A paragraph end is only taken before a line that starts afresh.
bool continuesBlock(QStringView line) {
    if (line.isEmpty() || line.front().isSpace()) return true;
    const QStringView trimmed = line.trimmed();
    if (trimmed.startsWith(u"- ") || trimmed.startsWith(u"* ") || trimmed.startsWith(u"+ ")) return true;
    qsizetype digits = 0;
    while (digits < trimmed.size() && trimmed.at(digits).isDigit()) ++digits;
    return digits > 0 && digits + 1 < trimmed.size() &&
           (trimmed.at(digits) == u'.' || trimmed.at(digits) == u')') && trimmed.at(digits + 1) == u' ';
}

QString paragraphsHtml(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>"));
}

}  // namespace

OutputPane::OutputPane(QWidget* parent) : QWidget(parent) {
    browser_ = new QTextBrowser(this);
    browser_->setOpenExternalLinks(true);
    browser_->setAccessibleName(tr("Answer"));
    // Read-only: an undo history would only grow with every flush (and made a
    // flush's cost grow with the answer's length: 10+ ms at 10k characters).
    browser_->setUndoRedoEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(browser_);
    timer_ = new QTimer(this);
    timer_->setInterval(kFlushIntervalMs);
    connect(timer_, &QTimer::timeout, this, &OutputPane::flush);
    // Text added at the end is laid out a moment later (a small change to a long
    // document is not reported at once), so the view follows the range as it grows
    // rather than reading it right after a flush.
    QScrollBar* scroll = browser_->verticalScrollBar();
    connect(scroll, &QScrollBar::rangeChanged, this, [this, scroll](int, int maximum) {
        if (following_) scroll->setValue(maximum);
    });
    connect(scroll, &QScrollBar::actionTriggered, this, [this, scroll] {
        // The reader moved it (wheel, drag, keys): follow only from the bottom.
        QTimer::singleShot(0, this, [this, scroll] { following_ = scroll->value() >= scroll->maximum() - 4; });
    });
}

void OutputPane::setFormat(OutputFormat format) { format_ = format; }

void OutputPane::setChat(bool chat) { chat_ = chat; }

void OutputPane::setConversation(const QList<ChatTurn>& turns) {
    conversation_ = turns;
    render(false);
}

void OutputPane::setPlaceholder(const QString& text) {
    placeholder_ = text;
    if (this->text().isEmpty()) render(false);
}

void OutputPane::clear() {
    text_.clear();
    pending_.clear();
    resetStream();
    following_ = true;
    timer_->setInterval(kFlushIntervalMs);
    render(false);
}

void OutputPane::append(const QString& text) {
    pending_ += text;
    if (!timer_->isActive()) timer_->start();
}

void OutputPane::setText(const QString& text) {
    timer_->stop();
    following_ = false;  // a finished answer shown whole: where the view was
    text_ = text;
    pending_.clear();
    render(true);
}

void OutputPane::flush() {
    if (pending_.isEmpty()) return;
    text_ += pending_;
    pending_.clear();
    QElapsedTimer clock;
    clock.start();
    QScrollBar* scroll = browser_->verticalScrollBar();
    const bool atBottom = following_ || scroll->value() >= scroll->maximum() - 4;
    if (appendToDocument()) {
        if (atBottom) scroll->setValue(scroll->maximum());
    } else {
        render(false);
    }
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    slowestRenderMs_ = std::max(slowestRenderMs_, ms);
    ++flushCount_;
    // A render that takes a good part of the interval would starve the event
    // loop: render less often instead (the text still arrives, in bigger steps).
    const int wanted = std::clamp(int(ms * 4), kFlushIntervalMs, kSlowestIntervalMs);
    if (wanted != timer_->interval()) timer_->setInterval(wanted);
    emit flushed();
}

void OutputPane::finish() {
    timer_->stop();
    text_ += pending_;
    pending_.clear();
    if (shownChars_ > 0 && format_ != OutputFormat::Json && appendToDocument()) {
        // Streamed: the document holds the answer, its last paragraph rendered
        // just now as a whole. Rendering everything again would stall the window
        // once more at the end of a long answer, for the same picture. (JSON is
        // rendered whole: made pretty.)
        return;
    }
    render(true);
}

void OutputPane::resetStream() {
    shownChars_ = 0;
    settledChars_ = 0;
    tailPosition_ = 0;
    scannedChars_ = 0;
    inFence_ = false;
    afterBlank_ = false;
    paragraphEnd_ = 0;
}

qsizetype OutputPane::settledMarkdownEnd() {
    // Complete lines only, each looked at once.
    for (;;) {
        const qsizetype newline = text_.indexOf(QLatin1Char('\n'), scannedChars_);
        if (newline < 0) break;
        const QStringView line = QStringView(text_).mid(scannedChars_, newline - scannedChars_);
        const QStringView trimmed = line.trimmed();
        if (trimmed.startsWith(u"```") || trimmed.startsWith(u"~~~")) {
            if (!inFence_ && afterBlank_ && !continuesBlock(line)) paragraphEnd_ = scannedChars_;
            inFence_ = !inFence_;
            afterBlank_ = false;
        } else if (!inFence_) {
            if (!trimmed.isEmpty() && afterBlank_ && !continuesBlock(line)) paragraphEnd_ = scannedChars_;
            afterBlank_ = trimmed.isEmpty();
        }
        scannedChars_ = newline + 1;
    }
    return paragraphEnd_;
}

bool OutputPane::appendToDocument() {
    if (chat_) return false;  // bubbles around the whole conversation: rendered whole
    QTextDocument* document = browser_->document();
    if (shownChars_ == 0) {
        // The placeholder (or a finished answer) goes; the stream starts afresh.
        resetStream();
        browser_->clear();
        const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        document->setDefaultFont(format_ == OutputFormat::Json ? fixed : font());
    }
    QTextCursor cursor(document);
    if (format_ != OutputFormat::Markdown) {
        // Plain text (JSON is made pretty by finish()): the new text at the end.
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text_.mid(shownChars_));
        shownChars_ = text_.size();
        return true;
    }
    // Markdown: what follows tailPosition_ in the document is the unfinished
    // paragraph as rendered at the last flush; it is replaced, nothing before it.
    const auto replaceTail = [&](const QString& markdown) {
        cursor.setPosition(tailPosition_);
        cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        cursor.removeSelectedText();
        if (!markdown.trimmed().isEmpty()) cursor.insertFragment(QTextDocumentFragment::fromMarkdown(markdown));
    };
    const qsizetype settled = settledMarkdownEnd();
    if (settled > settledChars_) {
        // Paragraphs that are now complete: rendered for good; the tail starts
        // in a fresh block after them (plain formats: not part of a list above).
        replaceTail(text_.mid(settledChars_, settled - settledChars_));
        settledChars_ = settled;
        cursor.movePosition(QTextCursor::End);
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
        tailPosition_ = cursor.position();
    }
    replaceTail(text_.mid(settledChars_));
    shownChars_ = text_.size();
    return true;
}

void OutputPane::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    // The stage sizes its type from the screen: the document follows at once.
    if (event->type() == QEvent::FontChange && !(format_ == OutputFormat::Json && !chat_))
        browser_->document()->setDefaultFont(font());
}

QString OutputPane::chatHtml(const QString& reply) const {
    const bool dark = isDarkPalette();
    const QString userColor = dark ? QStringLiteral("#2c4a6e") : QStringLiteral("#dcebff");
    const QString modelColor = dark ? QStringLiteral("#3a3a3a") : QStringLiteral("#f0f0f0");
    QString html;
    const auto bubble = [&](bool fromUser, const QString& text) {
        html += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"8\" style=\"margin-bottom:8px\">"
                               "<tr><td bgcolor=\"%1\"><b>%2</b><br>%3</td></tr></table>")
                    .arg(fromUser ? userColor : modelColor, fromUser ? tr("You") : tr("Assistant"),
                         paragraphsHtml(text));
    };
    for (const ChatTurn& turn : conversation_) bubble(turn.fromUser, turn.text);
    if (!reply.isEmpty()) bubble(false, reply);
    return html;
}

void OutputPane::render(bool final) {
    resetStream();  // the document is written whole: a later flush starts afresh
    QScrollBar* scroll = browser_->verticalScrollBar();
    const bool atBottom = scroll->value() >= scroll->maximum() - 4;
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    browser_->document()->setDefaultFont(format_ == OutputFormat::Json && !chat_ ? fixed : font());
    if (chat_) {
        if (conversation_.isEmpty() && text_.isEmpty())
            browser_->setPlainText(placeholder_);
        else
            browser_->setHtml(chatHtml(text_));
    } else if (text_.isEmpty()) {
        browser_->setPlainText(placeholder_);
    } else {
        switch (format_) {
        case OutputFormat::Markdown:
            browser_->document()->setMarkdown(text_);
            break;
        case OutputFormat::Text:
            browser_->setPlainText(text_);
            break;
        case OutputFormat::Json:
            browser_->setPlainText(final ? prettyJson(text_) : text_);
            break;
        }
    }
    if (atBottom) scroll->setValue(scroll->maximum());
}

}  // namespace ps::ui
