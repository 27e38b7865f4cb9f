#pragma once
// Where the answer appears while the model writes it. Text arrives in small
// pieces, often hundreds a second; append() only adds them to a buffer, and a
// timer moves the buffer into the view at display rate (about 30 times a
// second), re-rendering the Markdown (or pretty JSON) once per flush, never
// once per piece. The interval grows when a render gets slow (very long
// answers), so the window keeps responding whatever the generation speed.
//
// A chat app's pane shows the whole conversation, the reply being written last.
#include <QElapsedTimer>
#include <QList>
#include <QWidget>

#include "document/prompt_app.h"

class QTextBrowser;
class QTimer;

namespace ps::ui {

struct ChatTurn {
    bool fromUser = false;
    QString text;
};

class OutputPane : public QWidget {
    Q_OBJECT
public:
    explicit OutputPane(QWidget* parent = nullptr);

    void setFormat(OutputFormat format);
    void setChat(bool chat);
    // Earlier turns of the conversation, shown above the answer (chat apps).
    void setConversation(const QList<ChatTurn>& turns);
    void setPlaceholder(const QString& text);

    // Starts a new answer (empty).
    void clear();
    // Adds streamed text; shown at the next flush.
    void append(const QString& text);
    // Replaces the whole answer at once (a finished run, an entry of the history).
    void setText(const QString& text);
    // Shows what is buffered now (also called by the timer).
    void flush();
    // Stops the timer after a last flush; the final render (pretty JSON) happens here.
    void finish();

    // Everything received so far, flushed or not.
    QString text() const { return text_ + pending_; }
    QTextBrowser* browser() const { return browser_; }
    // How many flushes rendered text, and the slowest render (for tests and tuning).
    int flushCount() const { return flushCount_; }
    double slowestRenderMs() const { return slowestRenderMs_; }

signals:
    // After each flush that showed new text.
    void flushed();

private:
    void render(bool final);
    QString chatHtml(const QString& reply) const;

    QTextBrowser* browser_ = nullptr;
    QTimer* timer_ = nullptr;
    OutputFormat format_ = OutputFormat::Markdown;
    bool chat_ = false;
    QList<ChatTurn> conversation_;
    QString text_;
    QString pending_;
    QString placeholder_;
    int flushCount_ = 0;
    double slowestRenderMs_ = 0;
};

}  // namespace ps::ui
