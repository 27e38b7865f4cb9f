#include "run/output_pane.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QPalette>
#include <QScrollBar>
#include <QTextBrowser>
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

QString paragraphsHtml(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>"));
}

}  // namespace

OutputPane::OutputPane(QWidget* parent) : QWidget(parent) {
    browser_ = new QTextBrowser(this);
    browser_->setOpenExternalLinks(true);
    browser_->setAccessibleName(tr("Answer"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(browser_);
    timer_ = new QTimer(this);
    timer_->setInterval(kFlushIntervalMs);
    connect(timer_, &QTimer::timeout, this, &OutputPane::flush);
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
    timer_->setInterval(kFlushIntervalMs);
    render(false);
}

void OutputPane::append(const QString& text) {
    pending_ += text;
    if (!timer_->isActive()) timer_->start();
}

void OutputPane::setText(const QString& text) {
    timer_->stop();
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
    render(false);
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
    render(true);
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
