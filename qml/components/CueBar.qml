// Cues to the host's monitor: one line, or a ready one.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Rectangle {
    id: bar
    function focusInput() { input.forceActiveFocus() }
    function send(text) {
        if (text.trim() !== "")
            studio.send({ type: "cue.send", text: text.trim() })
    }
    color: Style.panel
    radius: Style.radius
    border.color: Style.line
    implicitHeight: 46
    RowLayout {
        anchors.fill: parent
        anchors.margins: 7
        spacing: 6
        Text {
            text: qsTr("提示主持人")
            textFormat: Text.PlainText
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
        }
        Repeater {
            model: [qsTr("还有 5 分钟"), qsTr("还有 1 分钟"), qsTr("请收尾"), qsTr("下一个问题"), qsTr("请放慢语速")]
            delegate: ConsoleButton {
                required property string modelData
                text: modelData
                onClicked: bar.send(modelData)
            }
        }
        TextField {
            id: input
            objectName: "cue-input"
            Layout.fillWidth: true
            placeholderText: qsTr("自定义提示，回车发送（Ctrl+K）")
            maximumLength: 60
            font.family: Style.family
            onAccepted: {
                bar.send(text)
                text = ""
            }
        }
        Text {
            Layout.maximumWidth: 260
            visible: !!studio.cue.text
            text: qsTr("已发送：%1").arg(studio.cue.text || "")
            textFormat: Text.PlainText
            color: Style.gold
            font.family: Style.family
            font.pixelSize: Style.small
            elide: Text.ElideRight
        }
    }
}
