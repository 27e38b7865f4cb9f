#include "settings/sharing_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include "remote/remote_endpoint.h"
#include "runner/generation_service.h"
#include "settings/api_key_store.h"
#include "settings/sharing_preferences.h"

namespace ps::ui {

namespace {

QLabel* explanation(const QString& text) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QString newKey() {
    QString key = QStringLiteral("ps-");
    for (int i = 0; i < 4; ++i) key += QString::number(QRandomGenerator::system()->generate64(), 36);
    return key;
}

}  // namespace

SharingPage::SharingPage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* serving = new QGroupBox(tr("Share with other programs"));
    auto* servingForm = new QFormLayout(serving);
    serve_ = new QCheckBox(tr("Serve the loaded model and your apps (OpenAI-compatible API)"));
    servingForm->addRow(serve_);
    beyond_ = new QCheckBox(tr("Let other computers connect (they need the key)"));
    servingForm->addRow(beyond_);
    port_ = new QSpinBox;
    port_->setRange(1024, 65535);
    servingForm->addRow(tr("Port:"), port_);
    auto* keyRow = new QHBoxLayout;
    servingKey_ = new QLineEdit;
    servingKey_->setPlaceholderText(tr("none (this computer only)"));
    auto* generate = new QPushButton(tr("New key"));
    connect(generate, &QPushButton::clicked, this, [this] { servingKey_->setText(newKey()); });
    keyRow->addWidget(servingKey_);
    keyRow->addWidget(generate);
    servingForm->addRow(tr("API key:"), keyRow);
    auto* addressRow = new QHBoxLayout;
    address_ = new QLabel;
    address_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    copyCurl_ = new QPushButton(tr("Copy curl example"));
    connect(copyCurl_, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(curlExample(address(), servingKey_->text().trimmed()));
    });
    addressRow->addWidget(address_, 1);
    addressRow->addWidget(copyCurl_);
    servingForm->addRow(tr("Address:"), addressRow);
    servingForm->addRow(explanation(tr("Programs use it as an OpenAI base URL; each app is also an API of its "
                                       "own (GET /v1/apps lists them with their inputs).")));
    layout->addWidget(serving);

    auto* remote = new QGroupBox(tr("Run apps on a remote server"));
    auto* remoteForm = new QFormLayout(remote);
    runOn_ = new QComboBox;
    runOn_->addItem(tr("This computer"));
    runOn_->addItem(tr("The remote server"));
    remoteForm->addRow(tr("Apps run on:"), runOn_);
    remoteUrl_ = new QLineEdit;
    remoteUrl_->setPlaceholderText(QStringLiteral("http://127.0.0.1:8080/v1"));
    remoteForm->addRow(tr("Server address:"), remoteUrl_);
    remoteKey_ = new QLineEdit;
    remoteKey_->setEchoMode(QLineEdit::Password);
    remoteForm->addRow(tr("API key:"), remoteKey_);
    auto* modelRow = new QHBoxLayout;
    remoteModel_ = new QComboBox;
    remoteModel_->setEditable(true);
    remoteModel_->setMinimumContentsLength(24);
    remoteModel_->lineEdit()->setPlaceholderText(tr("the first the server lists"));
    getModels_ = new QPushButton(tr("Get models"));
    connect(getModels_, &QPushButton::clicked, this, &SharingPage::fetchModels);
    modelRow->addWidget(remoteModel_, 1);
    modelRow->addWidget(getModels_);
    remoteForm->addRow(tr("Model:"), modelRow);
    remoteStatus_ = new QLabel;
    remoteStatus_->setWordWrap(true);
    remoteForm->addRow(remoteStatus_);
    remoteForm->addRow(explanation(tr("An app can choose for itself: Run menu, \"Run This App on the Remote "
                                      "Server\". vLLM, TensorRT-LLM, Ollama, llama.cpp's server and OpenAI all "
                                      "work.")));
    layout->addWidget(remote);
    keyPlace_ = explanation(QString());
    layout->addWidget(keyPlace_);
    layout->addStretch();

    const std::pair<QWidget*, const char*> names[] = {
        {serve_, "serve"},           {beyond_, "serveBeyond"},   {port_, "servePort"},
        {servingKey_, "serveKey"},   {address_, "serveAddress"}, {copyCurl_, "copyCurl"},
        {runOn_, "runOn"},           {remoteUrl_, "remoteUrl"},  {remoteKey_, "remoteKey"},
        {remoteModel_, "remoteModel"}, {getModels_, "getModels"}, {remoteStatus_, "remoteStatus"}};
    for (const auto& [widget, name] : names) widget->setObjectName(QLatin1String(name));
    connect(beyond_, &QCheckBox::toggled, this, &SharingPage::updateAddress);
    connect(port_, &QSpinBox::valueChanged, this, &SharingPage::updateAddress);
}

void SharingPage::load(const SharingPreferences& preferences) {
    serve_->setChecked(preferences.serving());
    beyond_->setChecked(preferences.servingBeyondThisComputer());
    port_->setValue(preferences.servingPort());
    servingKey_->setText(preferences.servingKey());
    runOn_->setCurrentIndex(preferences.remoteByDefault() ? 1 : 0);
    remoteUrl_->setText(preferences.remoteBaseUrl());
    remoteKey_->setText(preferences.remoteKey());
    remoteModel_->setCurrentText(preferences.remoteModel());
    ApiKeyStore::Place place = ApiKeyStore::Place::SecretStore;
    ApiKeyStore::read(QStringLiteral("remote-server"), &place);
    keyPlace_->setText(ApiKeyStore::describe(place));
    updateAddress();
}

void SharingPage::apply(SharingPreferences& preferences) const {
    preferences.setServing(serve_->isChecked());
    preferences.setServingBeyondThisComputer(beyond_->isChecked());
    preferences.setServingPort(port_->value());
    preferences.setServingKey(servingKey_->text().trimmed());
    preferences.setRemoteByDefault(runOn_->currentIndex() == 1);
    preferences.setRemoteBaseUrl(remoteUrl_->text());
    preferences.setRemoteKey(remoteKey_->text().trimmed());
    preferences.setRemoteModel(remoteModel_->currentText());
}

QString SharingPage::address() const {
    return QStringLiteral("http://%1:%2/v1")
        .arg(beyond_->isChecked() ? QStringLiteral("THIS-COMPUTER") : QStringLiteral("127.0.0.1"))
        .arg(port_->value());
}

QString SharingPage::curlExample(const QString& baseUrl, const QString& apiKey) {
    const QString auth = apiKey.isEmpty() ? QString() : QStringLiteral(" -H \"Authorization: Bearer %1\"").arg(apiKey);
    return QStringLiteral("curl -s %1/apps%2\n"
                          "curl -N %1/chat/completions%2 -H \"Content-Type: application/json\" \\\n"
                          "  -d '{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'\n")
        .arg(baseUrl, auth);
}

void SharingPage::updateAddress() {
    address_->setText(address());
    if (beyond_->isChecked() && servingKey_->text().trimmed().isEmpty()) servingKey_->setText(newKey());
}

void SharingPage::fetchModels() {
    RemoteEndpoint endpoint;
    endpoint.baseUrl = remoteUrl_->text().trimmed();
    endpoint.apiKey = remoteKey_->text().trimmed();
    getModels_->setEnabled(false);
    remoteStatus_->setText(tr("Asking %1 for its models…").arg(endpoint.baseUrl));
    // Off the window's thread: a server that does not answer takes seconds.
    QPointer<SharingPage> page(this);
    QThread* thread = QThread::create([page, endpoint] {
        QStringList models;
        QString error;
        try {
            models = listRemoteModels(endpoint);
        } catch (const std::exception& failure) {
            error = QString::fromUtf8(failure.what());
        }
        QMetaObject::invokeMethod(qApp, [page, models, error] {
            if (!page) return;
            page->getModels_->setEnabled(true);
            if (!error.isEmpty()) {
                page->remoteStatus_->setText(error);
                return;
            }
            const QString chosen = page->remoteModel_->currentText();
            page->remoteModel_->clear();
            page->remoteModel_->addItems(models);
            page->remoteModel_->setCurrentText(chosen.isEmpty() && !models.isEmpty() ? models.first() : chosen);
            page->remoteStatus_->setText(tr("The server offers %n model(s).", nullptr, static_cast<int>(models.size())));
        });
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

}  // namespace ps::ui
