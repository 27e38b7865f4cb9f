#pragma once
// Where the answer appears while the model writes it. Text arrives in small
// pieces, often hundreds a second; append() only adds them to a buffer, and a
// timer moves the buffer into the view at display rate (about 30 times a
// second), never once per piece. A flush only adds to the end of the document:
// plain text (and JSON while it streams) is inserted at the end; Markdown is
// rendered paragraph by paragraph: the paragraphs that are complete (a blank
// line after them, outside a code fence) stay as they are, and only the last,
// unfinished one is rendered again. So a flush costs the size of what is new,
// not of the whole answer, and the layout only redoes the end. finish() adds
// the rest the same way (JSON alone is rendered whole then, made pretty); a
// paragraph rendered on its own looks as it does in the whole answer, because a
// paragraph only ends before a line that starts afresh. The interval
// grows when a flush gets slow anyway, so the window keeps responding.
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
    // Stops the timer after a last flush (pretty JSON is rendered here).
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

protected:
    void changeEvent(QEvent* event) override;

private:
    void render(bool final);
    // Adds text_ from what is shown to the end of the document; false when the
    // document must be rendered whole (the placeholder is shown, a chat).
    bool appendToDocument();
    void resetStream();
    // The end of the last complete Markdown paragraph in text_ (0 = none yet).
    qsizetype settledMarkdownEnd();
    QString chatHtml(const QString& reply) const;

    QTextBrowser* browser_ = nullptr;
    QTimer* timer_ = nullptr;
    OutputFormat format_ = OutputFormat::Markdown;
    bool chat_ = false;
    QList<ChatTurn> conversation_;
    QString text_;
    QString pending_;
    QString placeholder_;
    // What the document shows of text_ while it streams (see appendToDocument).
    qsizetype shownChars_ = 0;      // text_ up to here is in the document; 0 = none (placeholder)
    qsizetype settledChars_ = 0;    // Markdown: complete paragraphs rendered for good
    int tailPosition_ = 0;          // Markdown: where the unfinished paragraph starts in the document
    qsizetype scannedChars_ = 0;    // Markdown: complete lines looked at for paragraph ends
    bool inFence_ = false;          // ...and whether they end inside a ``` code fence
    bool afterBlank_ = false;       // ...and whether the last of them was blank
    qsizetype paragraphEnd_ = 0;    // ...the last paragraph end found
    // Whether the view keeps the end of the answer in sight: from clear() until the
    // reader scrolls away from the bottom (back at the bottom, it follows again).
    bool following_ = true;
    int flushCount_ = 0;
    double slowestRenderMs_ = 0;
};

}  // namespace ps::ui
