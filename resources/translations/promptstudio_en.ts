<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!--
  English is a translation too: tr("%n token(s)", nullptr, n) shows "(s)" until a
  translation gives its plural forms. This file holds only those; every other
  string is written in English in the code. A new tr() with %n needs an entry
  here (tests/ui/translations_test.cpp checks it). Built by lrelease into the
  program's resources (ui/CMakeLists.txt).
-->
<TS version="2.1" language="en">
<context>
    <name>ps::ui::RunView</name>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n token(s).</source>
        <translation>
            <numerusform>Stopped after %n token.</numerusform>
            <numerusform>Stopped after %n tokens.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ps::ui::RunDetailsView</name>
    <message numerus="yes">
        <source>%n token(s) written</source>
        <translation>
            <numerusform>%n token written</numerusform>
            <numerusform>%n tokens written</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ps::ui::ModelsPage</name>
    <message numerus="yes">
        <source>Found %n model(s).</source>
        <translation>
            <numerusform>Found %n model.</numerusform>
            <numerusform>Found %n models.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ps::ui::SharingPage</name>
    <message numerus="yes">
        <source>The server offers %n model(s).</source>
        <translation>
            <numerusform>The server offers %n model.</numerusform>
            <numerusform>The server offers %n models.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ps::ui::MetricsStrip</name>
    <message numerus="yes">
        <source>%n core(s)</source>
        <translation>
            <numerusform>%n core</numerusform>
            <numerusform>%n cores</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ps::ui::AppLibraryModel</name>
    <message numerus="yes">
        <source>A demo deck of %n slide(s): present it with F11</source>
        <translation>
            <numerusform>A demo deck of %n slide: present it with F11</numerusform>
            <numerusform>A demo deck of %n slides: present it with F11</numerusform>
        </translation>
    </message>
</context>
</TS>
