#include "history/run_details_view.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "history/run_history_model.h"
#include "run/duration_text.h"

namespace ps::ui {

namespace {

QString jsonValueText(const QJsonValue& value) {
    if (value.isBool())
        return value.toBool() ? RunDetailsView::tr("yes") : RunDetailsView::tr("no");
    if (value.isDouble()) return QLocale().toString(value.toDouble());
    if (value.isString()) return value.toString();
    if (value.isArray()) {
        QStringList items;
        for (const QJsonValue& item : value.toArray()) items << jsonValueText(item);
        return items.join(QStringLiteral(", "));
    }
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

QString stopReasonText(const QString& reason) {
    if (reason == QLatin1String("end-of-text")) return RunDetailsView::tr("the model finished");
    if (reason == QLatin1String("max-tokens"))
        return RunDetailsView::tr("it reached the longest answer");
    if (reason == QLatin1String("stop-sequence")) return RunDetailsView::tr("it wrote a stop text");
    if (reason == QLatin1String("cancelled")) return RunDetailsView::tr("it was stopped");
    if (reason == QLatin1String("context-full"))
        return RunDetailsView::tr("the model's memory was full");
    return reason;
}

}  // namespace

RunDetailsView::RunDetailsView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("runSummary"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    layout->addWidget(summary_);
    answer_ = new QTextBrowser(this);
    answer_->setObjectName(QStringLiteral("runAnswer"));
    answer_->setOpenExternalLinks(true);
    layout->addWidget(answer_, 1);
    showRun(nullptr, {});
}

void RunDetailsView::showRun(const RunRecord* run, const PromptApp& app) {
    if (!run) {
        summary_->setText(tr("Choose a run in the list to see its inputs and answer."));
        answer_->clear();
        return;
    }
    QString html = QStringLiteral("<p><b>%1</b> · %2</p>")
                       .arg(RunHistoryModel::whenText(run->startedAt).toHtmlEscaped(),
                            RunHistoryModel::outcomeText(run->outcome).toHtmlEscaped());
    if (!run->errorMessage.isEmpty())
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("What went wrong: %1").arg(run->errorMessage).toHtmlEscaped());

    html += QStringLiteral("<p><b>%1</b><br>").arg(tr("Inputs"));
    if (run->inputs.isEmpty()) html += tr("(none)").toHtmlEscaped();
    QStringList lines;
    for (auto it = run->inputs.begin(); it != run->inputs.end(); ++it) {
        const PromptInput* input = app.findInput(it.key());
        const QString label = input ? input->displayLabel() : it.key();
        // A label that asks a question keeps its own punctuation ("Who is it about? a fox").
        const bool punctuated = label.endsWith(QLatin1Char('?')) || label.endsWith(QLatin1Char(':'));
        lines << (punctuated ? QStringLiteral("%1 %2") : QStringLiteral("%1: %2"))
                     .arg(label.toHtmlEscaped(), jsonValueText(it.value()).toHtmlEscaped());
    }
    html += lines.join(QStringLiteral("<br>")) + QStringLiteral("</p>");

    QStringList details;
    if (!run->model.isEmpty()) details << tr("Model: %1").arg(run->model).toHtmlEscaped();
    if (!run->parameters.isEmpty()) {
        // In the editor's words, not the file's keys (max_tokens, min_p...); the
        // sampling fine print (top_k, min_p) stays out.
        const QList<QPair<QString, QString>> named = {
            {QStringLiteral("temperature"), tr("creativity %1")},
            {QStringLiteral("max_tokens"), tr("longest answer %1 tokens")},
            {QStringLiteral("top_p"), tr("focus %1")},
            {QStringLiteral("repeat_penalty"), tr("avoid repeating %1")},
            {QStringLiteral("stop"), tr("stop at %1")},
        };
        QStringList settings;
        for (const auto& [key, text] : named) {
            const QJsonValue value = run->parameters.value(key);
            QString shown = jsonValueText(value);
            if (value.isDouble() && value.toDouble() == std::floor(value.toDouble()))
                shown = QLocale().toString(qlonglong(value.toDouble()));
            if (!shown.isEmpty()) settings << text.arg(shown);  // no "stop at ,"
        }
        details << tr("Settings: %1").arg(settings.join(QStringLiteral(", "))).toHtmlEscaped();
    }
    const QJsonObject& stats = run->statistics;
    if (!stats.isEmpty()) {
        QStringList parts;
        const int generated = stats.value(QStringLiteral("generatedTokens")).toInt();
        parts << tr("%n token(s) written", nullptr, generated);
        const double speed = RunHistoryModel::tokensPerSecond(*run);
        if (speed > 0) parts << tr("%1 tokens/s").arg(QLocale().toString(speed, 'f', 1));
        const double firstMs = stats.value(QStringLiteral("timeToFirstTokenMs")).toDouble();
        if (firstMs > 0)
            parts << tr("first words after %1").arg(durationText(firstMs));
        const QString reason = stats.value(QStringLiteral("stopReason")).toString();
        if (!reason.isEmpty()) parts << tr("ended because %1").arg(stopReasonText(reason));
        details << parts.join(QStringLiteral(" · ")).toHtmlEscaped();
    }
    if (!details.isEmpty())
        html +=
            QStringLiteral("<p><small>%1</small></p>").arg(details.join(QStringLiteral("<br>")));
    summary_->setText(html);

    switch (app.output) {
        case OutputFormat::Markdown:
            answer_->setMarkdown(run->output);
            break;
        case OutputFormat::Json: {
            QJsonParseError error;
            const QJsonDocument json = QJsonDocument::fromJson(run->output.toUtf8(), &error);
            answer_->setPlainText(error.error == QJsonParseError::NoError
                                      ? QString::fromUtf8(json.toJson(QJsonDocument::Indented))
                                      : run->output);
            break;
        }
        case OutputFormat::Text:
            answer_->setPlainText(run->output);
            break;
    }
}

QString RunDetailsView::summaryText() const {
    return summary_->text();
}
QString RunDetailsView::answerText() const {
    return answer_->toPlainText();
}

}  // namespace ps::ui
