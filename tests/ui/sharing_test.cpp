// Settings -> Sharing: the page stores its choices (keys through ApiKeyStore), the
// curl example is one a person can paste, and the window's SharingController
// serves the loaded model over HTTP and hands an app the remote service when the
// app (or every app) is set to run remotely: here the remote server is the
// window's own, so a remote run goes all the way round.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "remote/remote_endpoint.h"
#include "settings/preferences.h"
#include "settings/settings_dialog.h"
#include "settings/sharing_page.h"
#include "settings/sharing_preferences.h"
#include "shell/sharing_controller.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

class EchoService : public GenerationService {
public:
    QString name() const override { return "local"; }
    QString describe() const override { return "echo"; }
    QString modelName() const override { return "echo-model"; }
    std::string renderPrompt(const GenerationInput& input) const override { return input.prompt; }
    GenerationResult generate(const GenerationInput& input, const GenerationParameters&, const TextCallback& onText,
                              const std::atomic<bool>*) override {
        GenerationResult result;
        result.text = "echo: " + input.messages.back().content;
        result.stopReason = StopReason::EndOfGeneration;
        if (onText) onText(result.text);
        return result;
    }
};

int freePort() {
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(probe);
    return ntohs(address.sin_port);
}

class SharingTest : public ::testing::Test {
protected:
    test::CleanSettings settings_;
};

TEST_F(SharingTest, ThePageStoresItsChoicesAndKeys) {
    Preferences preferences;
    SettingsDialog dialog(preferences);
    dialog.findChild<QCheckBox*>("serve")->setChecked(true);
    dialog.findChild<QSpinBox*>("servePort")->setValue(18123);
    dialog.findChild<QLineEdit*>("serveKey")->setText("serving-key");
    dialog.findChild<QComboBox*>("runOn")->setCurrentIndex(1);
    dialog.findChild<QLineEdit*>("remoteUrl")->setText("http://gpu-box:8000/v1");
    dialog.findChild<QLineEdit*>("remoteKey")->setText("remote-key");
    dialog.findChild<QComboBox*>("remoteModel")->setCurrentText("llama-3-70b");
    dialog.apply();

    const SharingPreferences stored;
    EXPECT_TRUE(stored.serving());
    EXPECT_EQ(stored.servingPort(), 18123);
    EXPECT_EQ(stored.servingKey(), "serving-key");
    EXPECT_TRUE(stored.remoteByDefault());
    EXPECT_EQ(stored.remoteBaseUrl(), "http://gpu-box:8000/v1");
    EXPECT_EQ(stored.remoteKey(), "remote-key");
    EXPECT_EQ(stored.remoteModel(), "llama-3-70b");
    EXPECT_EQ(dialog.findChild<QLabel*>("serveAddress")->text(), "http://127.0.0.1:18123/v1");

    // Letting other computers in always comes with a key.
    dialog.findChild<QLineEdit*>("serveKey")->clear();
    dialog.findChild<QCheckBox*>("serveBeyond")->setChecked(true);
    EXPECT_FALSE(dialog.findChild<QLineEdit*>("serveKey")->text().isEmpty());
}

TEST_F(SharingTest, TheCurlExampleCarriesTheAddressAndTheKey) {
    const QString example = SharingPage::curlExample("http://127.0.0.1:8080/v1", "k123");
    EXPECT_TRUE(example.contains("curl -s http://127.0.0.1:8080/v1/apps -H \"Authorization: Bearer k123\""));
    EXPECT_TRUE(example.contains("curl -N http://127.0.0.1:8080/v1/chat/completions"));
    EXPECT_TRUE(example.contains("\"stream\": true"));
    EXPECT_FALSE(SharingPage::curlExample("http://127.0.0.1:8080/v1", "").contains("Authorization"));
}

TEST_F(SharingTest, TheControllerServesTheModelAndRunsAnAppRemotelyWhenAsked) {
    SharingPreferences preferences;
    const int port = freePort();
    preferences.setServing(true);
    preferences.setServingPort(port);
    preferences.setServingKey("k");
    auto local = std::make_shared<EchoService>();
    SharingController controller;
    controller.setLocalService(local);
    ASSERT_TRUE(controller.isServing()) << controller.status().toStdString();
    EXPECT_EQ(controller.status(), QStringLiteral("Sharing at http://127.0.0.1:%1/v1").arg(port));

    RemoteEndpoint endpoint;
    endpoint.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    endpoint.apiKey = "k";
    EXPECT_EQ(listRemoteModels(endpoint), QStringList{"echo-model"});

    // No remote server set: every app runs here.
    EXPECT_EQ(controller.serviceFor("/apps/a.promptapp"), local);
    preferences.setRemoteBaseUrl(endpoint.baseUrl);
    preferences.setRemoteKey("k");
    preferences.setAppChoice("/apps/a.promptapp", AppBackendChoice::Remote);
    auto remote = controller.serviceFor("/apps/a.promptapp");
    ASSERT_TRUE(remote);
    EXPECT_EQ(remote->name(), "remote");
    EXPECT_EQ(controller.serviceFor("/apps/b.promptapp"), local) << "only the app that asked";
    preferences.setRemoteByDefault(true);
    EXPECT_EQ(controller.serviceFor("/apps/b.promptapp")->name(), "remote");
    preferences.setAppChoice("/apps/b.promptapp", AppBackendChoice::Local);
    EXPECT_EQ(controller.serviceFor("/apps/b.promptapp"), local) << "an app's own choice wins";

    GenerationInput input;
    input.messages = {{"user", "over the wire"}};
    EXPECT_EQ(remote->generate(input, GenerationParameters(), {}, nullptr).text, "echo: over the wire");

    preferences.setServing(false);
    controller.apply();
    EXPECT_FALSE(controller.isServing());
}

}  // namespace
}  // namespace ps::ui
