#pragma once
// Colours the template as the user types: `{{ ... }}` and `{% ... %}` tags are
// tinted, names of the app's inputs inside them are bold, and names that are not
// inputs get a red wavy underline (the panel under the editor says what to do).
#include <QSet>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace ps::ui {

class TemplateHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    explicit TemplateHighlighter(QTextDocument* document);

    // The input names (highlighted as known) and the names the template uses that
    // are not inputs (flagged). Re-highlights only when they change.
    void setVariables(const QSet<QString>& known, const QSet<QString>& unknown);

protected:
    void highlightBlock(const QString& text) override;

private:
    QSet<QString> known_;
    QSet<QString> unknown_;
    QTextCharFormat tagFormat_;
    QTextCharFormat knownFormat_;
    QTextCharFormat unknownFormat_;
};

}  // namespace ps::ui
